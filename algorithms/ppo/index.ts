/**
 * Registers the `ppo` algorithm and re-exports it.
 */
import { withOptimizerOptions } from '../optimizer-options';
import { registerAlgorithm } from '../registry';
import { PPO_DEFAULTS, Ppo, resolvePpoOptions } from './ppo';

export { Ppo, PPO_DEFAULTS, resolvePpoOptions } from './ppo';
export type { PpoOptions } from './ppo';
export { clippedSurrogateLoss, clipFraction, approxKl } from './losses';
export { selectEpisodes, minibatchIndices } from './minibatch';

registerAlgorithm('ppo', {
  description: 'PPO: clipped-surrogate location policy over several epochs of each rollout + classification NLL + baseline MSE, Adam',
  options: withOptimizerOptions(PPO_DEFAULTS, {
    epochs: { type: 'integer', min: 1, max: 100, help: 'passes over each rollout' },
    clip: { type: 'number', min: 0, exclusiveMin: true, max: 1, help: 'clipping radius of the probability ratio, in (0, 1)' },
    minibatches: { type: 'integer', min: 1, help: 'shuffled minibatches per pass' },
    policyWeight: { type: 'number', min: 0, help: 'weight of the clipped surrogate' },
    valueWeight: { type: 'number', min: 0, help: 'weight of the baseline (value) MSE' },
    seed: { type: 'integer', min: 0, max: 4294967295, help: 'seed of the minibatch shuffles' },
  }),
  create: (options) => new Ppo(resolvePpoOptions(options)),
});

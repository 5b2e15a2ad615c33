/**
 * Registers the `ppo` algorithm and re-exports it.
 */
import { registerAlgorithm } from '../registry';
import { Ppo, resolvePpoOptions } from './ppo';

export { Ppo, PPO_DEFAULTS, resolvePpoOptions } from './ppo';
export type { PpoOptions } from './ppo';
export { clippedSurrogateLoss, clipFraction, approxKl } from './losses';
export { selectEpisodes, minibatchIndices } from './minibatch';

registerAlgorithm('ppo', {
  description: 'PPO: clipped-surrogate location policy over several epochs of each rollout + classification NLL + baseline MSE, Adam',
  create: (options) => new Ppo(resolvePpoOptions(options)),
});

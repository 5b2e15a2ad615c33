/**
 * Registers the `reinforce-no-baseline` algorithm and re-exports it.
 */
import { registerAlgorithm } from '../registry';
import { ReinforceNoBaseline, resolveReinforceNoBaselineOptions } from './reinforce-no-baseline';

export { ReinforceNoBaseline, REINFORCE_NO_BASELINE_DEFAULTS, resolveReinforceNoBaselineOptions } from './reinforce-no-baseline';
export type { ReinforceNoBaselineOptions } from './reinforce-no-baseline';

registerAlgorithm('reinforce-no-baseline', {
  description: 'REINFORCE without the learned baseline (advantage = reward) + classification NLL, Adam: the baseline ablation',
  create: (options) => new ReinforceNoBaseline(resolveReinforceNoBaselineOptions(options)),
});

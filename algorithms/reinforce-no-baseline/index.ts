/**
 * Registers the `reinforce-no-baseline` algorithm and re-exports it.
 */
import { withOptimizerOptions } from '../optimizer-options';
import { registerAlgorithm } from '../registry';
import { REINFORCE_NO_BASELINE_DEFAULTS, ReinforceNoBaseline, resolveReinforceNoBaselineOptions } from './reinforce-no-baseline';

export { ReinforceNoBaseline, REINFORCE_NO_BASELINE_DEFAULTS, resolveReinforceNoBaselineOptions } from './reinforce-no-baseline';
export type { ReinforceNoBaselineOptions } from './reinforce-no-baseline';

registerAlgorithm('reinforce-no-baseline', {
  description: 'REINFORCE without the learned baseline (advantage = reward) + classification NLL, Adam: the baseline ablation',
  options: withOptimizerOptions(REINFORCE_NO_BASELINE_DEFAULTS, {
    reinforceWeight: { type: 'number', min: 0, help: 'weight of the REINFORCE term' },
  }),
  create: (options) => new ReinforceNoBaseline(resolveReinforceNoBaselineOptions(options)),
});

/**
 * Registers the `reinforce` algorithm and re-exports it.
 */
import { withOptimizerOptions } from '../optimizer-options';
import { registerAlgorithm } from '../registry';
import { REINFORCE_DEFAULTS, Reinforce, resolveReinforceOptions } from './reinforce';

export { Reinforce, REINFORCE_DEFAULTS, resolveReinforceOptions, scheduledLr } from './reinforce';
export type { ReinforceOptions, Schedule } from './reinforce';
export { classificationNll, reinforceLoss, baselineMse, hybridLoss } from './losses';
export type { HybridWeights } from './losses';

registerAlgorithm('reinforce', {
  description: 'REINFORCE with a learned baseline + classification NLL (the RAM hybrid loss), Adam',
  options: withOptimizerOptions(REINFORCE_DEFAULTS, {
    reinforceWeight: { type: 'number', min: 0, help: 'weight of the REINFORCE term of the hybrid loss' },
    baselineWeight: { type: 'number', min: 0, help: 'weight of the baseline MSE term' },
  }),
  create: (options) => new Reinforce(resolveReinforceOptions(options)),
});

/**
 * Registers the `reinforce` algorithm and re-exports it.
 */
import { registerAlgorithm } from '../registry';
import { Reinforce, resolveReinforceOptions } from './reinforce';

export { Reinforce, REINFORCE_DEFAULTS, resolveReinforceOptions, scheduledLr } from './reinforce';
export type { ReinforceOptions, Schedule } from './reinforce';
export { classificationNll, reinforceLoss, baselineMse, hybridLoss } from './losses';
export type { HybridWeights } from './losses';

registerAlgorithm('reinforce', {
  description: 'REINFORCE with a learned baseline + classification NLL (the RAM hybrid loss), Adam',
  create: (options) => new Reinforce(resolveReinforceOptions(options)),
});

/**
 * The algorithm API; importing it registers the built-in algorithms (`reinforce`,
 * `reinforce-no-baseline`, `ppo`).
 */
import './reinforce';
import './reinforce-no-baseline';
import './ppo';

export * from './algorithm';
export { registerAlgorithm, makeAlgorithm, listAlgorithms } from './registry';
export { algorithmOptionSchema } from './registry';
export type { AlgorithmEntry } from './registry';
export { OPTIMIZER_OPTION_SCHEMA, withOptimizerOptions } from './optimizer-options';
export { Adam } from './adam';
export type { AdamConfig, AdamImplementation, AdamSlots } from './adam';
export { PolicyGradientBase, OPTIMIZER_DEFAULTS, resolveAlgorithmOptions } from './policy-gradient-base';
export type { OptimizerOptions, NumberCheck, AdamStepLoss, AdamStepResult } from './policy-gradient-base';
export { Reinforce, REINFORCE_DEFAULTS, resolveReinforceOptions, scheduledLr, classificationNll, reinforceLoss, baselineMse, hybridLoss } from './reinforce';
export type { ReinforceOptions, Schedule } from './reinforce';
export { ReinforceNoBaseline, REINFORCE_NO_BASELINE_DEFAULTS, resolveReinforceNoBaselineOptions } from './reinforce-no-baseline';
export type { ReinforceNoBaselineOptions } from './reinforce-no-baseline';
export { Ppo, PPO_DEFAULTS, resolvePpoOptions, clippedSurrogateLoss, clipFraction, approxKl, selectEpisodes, minibatchIndices } from './ppo';
export type { PpoOptions } from './ppo';

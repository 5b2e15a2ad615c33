/**
 * The algorithm API; importing it registers the built-in algorithms (`reinforce`).
 */
import './reinforce';

export * from './algorithm';
export { registerAlgorithm, makeAlgorithm, listAlgorithms } from './registry';
export type { AlgorithmEntry } from './registry';
export { Reinforce, REINFORCE_DEFAULTS, resolveReinforceOptions, scheduledLr } from './reinforce';
export type { ReinforceOptions, Schedule } from './reinforce';

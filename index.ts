/**
 * glimpse-gym: a gym-style RL framework in which visual classification is an episodic
 * environment, with the Recurrent Attention Model trained by REINFORCE.
 *
 * Layers, each importing only the ones before it: envs -> agents -> algorithms -> runners.
 * Importing the package registers the built-in envs, agents and algorithms.
 */
export * from './envs';
export * from './agents';
export * from './algorithms';
export { train } from './runners/run';
export type { RunEvent } from './runners/events';
export { resolveConfig } from './runners/config';
export type { RunConfig } from './runners/config';
export { initBackend, describeBackend, backendSelection, backendReason } from './runners/backend';
export { decideBackend, type BackendFacts, type BackendChoice, type BackendDecision } from './runners/backend-choice';
export * as viz from './viz';

/**
 * glimpse-gym: a gym-style RL framework in which visual classification is an episodic
 * environment, with the Recurrent Attention Model trained by REINFORCE.
 *
 * Layers, each importing only the ones before it: envs -> agents -> algorithms -> runners.
 * Importing the package registers the built-in envs, agents and algorithms.
 */
/** The tfjs-core this package runs on: use it in your own agents and algorithms, so theirs and ours are one engine. */
export * as tf from '@tensorflow/tfjs-core';
export * from './envs';
export * from './agents';
export * from './algorithms';
export * from './options';
export { train } from './runners/run';
export type { TrainDeps } from './runners/run';
export type * from './runners/events';
export { resolveConfig, readConfigFile, ConfigError } from './runners/config';
export type { RunConfig } from './runners/config';
export { progressSink } from './runners/sinks/progress-bar';
export { jsonlSink } from './runners/sinks/jsonl';
export { summarySink, formatSummary } from './runners/sinks/summary';
export { readCheckpoint, resolveCheckpointDir, CheckpointError } from './runners/checkpoint';
export type { LoadedCheckpoint, CheckpointMeta } from './runners/checkpoint';
export { evaluateSplit } from './runners/evaluate';
export type { EvaluateOptions, EvalResult } from './runners/evaluate';
export { evaluateCheckpoint } from './runners/evaluate-checkpoint';
export type { EvaluateCheckpointOptions } from './runners/evaluate-checkpoint';
export { loadModel } from './runners/load-model';
export type { LoadedModel, LoadModelOptions, Classification, ClassifyOptions, ImageInput } from './runners/load-model';
export { loadPlugins } from './runners/plugins';
export type { LoadedPlugin } from './runners/plugins';
export { FLAGS, ENGINE_PATCHES } from './tensor';
export { initBackend, describeBackend, backendSelection, backendReason } from './runners/backend';
export { decideBackend, type BackendFacts, type BackendChoice, type BackendDecision } from './runners/backend-choice';
export * as viz from './viz';

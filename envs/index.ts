/**
 * The env half of glimpse-gym: contracts, spaces, RNG, registry, vector env, checker and the
 * vision building blocks. Importing it registers the four MNIST tasks and `shapes`.
 */
import './tasks';

export * from './core';
export * from './spaces';
export * from './rng';
export * from './vector-env';
export * from './batch-writable';
export * from './memory-footprint';
export * from './batching';
export { register, unregister, make, makeVector, listEnvs, envSpec } from './registry';
export type { EnvKwargs, EnvRegistration, EnvListing } from './registry';
export { SyncVectorEnv } from './sync-vector-env';
export { checkEnv, deepEqual } from './checker';
export type { CheckEnvOptions, CheckEnvReport } from './checker';
export * from './vision/idx';
export * from './vision/image-source';
export * from './vision/mnist';
export * from './vision/summed-area-table';
export * from './vision/retina';
export * from './vision/transforms';
export * from './vision/glimpse-env';
export * from './vision/image-task';
export { DEFAULT_DATA_SEED, mnistTask, parseMnistTaskKwargs } from './tasks/mnist-task';
export type { MnistTaskKwargs, MnistTaskDefaults } from './tasks/mnist-task';
export { ShapesSource, SHAPE_CLASSES } from './tasks/shapes-source';

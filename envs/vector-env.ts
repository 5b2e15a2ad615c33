/**
 * The batched environment contract. Training works on minibatches, so a `VectorEnv` runs
 * `numEnvs` episodes side by side and exchanges batch-major typed arrays instead of objects.
 *
 * Batching rule (see `SyncVectorEnv`): a `Dict` space batches to one entry per key; a `Box` of
 * size D to a `Float32Array` of `numEnvs * D` (row i is env i); a `Discrete` to an `Int32Array`
 * of `numEnvs`. A non-`Dict` space batches under the single key `value`.
 */
import type { Info, ResetOptions } from './core';
import type { Space } from './spaces';

/** A batch: one typed array per key, env-major (`arr.subarray(i * D, (i + 1) * D)` is env i). */
export type Batch = Record<string, Float32Array | Int32Array>;

/** Options for {@link VectorEnv.reset}. Sub-env i is seeded `seed + i` (Gymnasium's rule). */
export interface VectorResetOptions {
  seed?: number;
  /** The same options for every sub-env, or one entry per sub-env. */
  options?: ResetOptions['options'] | Array<ResetOptions['options']>;
}

/** What {@link VectorEnv.reset} returns. */
export interface VectorResetResult {
  observations: Batch;
  infos: Info[];
}

/** What {@link VectorEnv.step} returns (one entry per sub-env). */
export interface VectorStepResult {
  observations: Batch;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
}

/**
 * N environments stepped as one batch. No auto-reset: callers reset when the episodes they
 * run have ended (glimpse episodes all have the same length, so a batch ends together).
 */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** Spec of the sub-envs, when made through the registry. */
  readonly spec?: import('./core').EnvSpec;
  /** `numItems` of the sub-envs (see `Env.numItems`), when they have one. */
  readonly numItems?: number;
  reset(options?: VectorResetOptions): VectorResetResult;
  step(actions: Batch): VectorStepResult;
  close(): void;
}

/**
 * An optional fast path an `Env` may offer to `SyncVectorEnv`: write its observation straight into
 * the batch arrays (and read its action straight from them) instead of allocating one observation
 * and one action object per sub-env per step. Envs without it are batched by copying.
 */
import type { Info, ResetOptions } from './core';
import type { Batch } from './vector-env';

/** The output arrays of one batched step; sub-env `i` writes row `i` of each. */
export interface BatchStepOutput {
  observations: Batch;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/** An env that can read and write batch rows directly (same semantics as `reset`/`step`). */
export interface BatchWritableEnv {
  /** Like `reset(options)`, writing the observation into row `i` of `observations`. */
  resetInto(options: ResetOptions | undefined, observations: Batch, i: number): Info;
  /**
   * Like `step(action)` with the action read from row `i` of `actions` (already checked for
   * layout by the caller), writing observation, reward and flags into row `i` of `out`.
   */
  stepInto(actions: Batch, i: number, out: BatchStepOutput): Info;
}

/** True when `env` offers the {@link BatchWritableEnv} fast path. */
export function isBatchWritable(env: object): env is BatchWritableEnv {
  const e = env as Partial<BatchWritableEnv>;
  return typeof e.resetInto === 'function' && typeof e.stepInto === 'function';
}

/**
 * A batch of complete episodes collected by a runner, as plain typed arrays (no tensors), which
 * agents replay in `evaluate` and algorithms turn into losses.
 *
 * All B episodes have the same length T (glimpse episodes are fixed-length; the runner checks).
 */
import type { Batch } from '../envs/vector-env';
import type { ActOutputs } from './agent';

/**
 * Something the agent computed while acting on a rollout and may reuse when it replays that same
 * rollout (RAM: forward activations on the wasm heap). Owned by the rollout; free it with
 * {@link disposeRollout} once the rollout is no longer replayed. The agent decides by itself
 * whether a cache is still valid (same rollout, same weights); a stale one is ignored, never used.
 */
export interface RolloutCache {
  /** Frees what the cache holds. Safe to call twice. */
  dispose(): void;
}

export interface Rollout {
  /** Number of episodes B. */
  batchSize: number;
  /** Number of steps T (observations seen per episode). */
  steps: number;
  /** `observations[t]`: the batched observation the agent acted on at step t. */
  observations: Batch[];
  /** `actions[t]`: the batched action taken at step t. */
  actions: Batch[];
  /** `records[t]`: what `act` asked to keep at step t (may be empty objects). */
  records: Batch[];
  /** `rewards[t][b]`: reward received after step t. */
  rewards: Float32Array[];
  /** Undiscounted return of each episode, length B. */
  returns: Float32Array;
  /** True class of each episode from the terminal `info.label`, length B (-1 when absent). */
  targets: Int32Array;
  /** `outputs[t]`: what `act` computed at step t that learning needs; absent when the agent gives none. */
  outputs?: ActOutputs[];
  /** The agent's cache of this rollout (see {@link RolloutCache}); absent when none was kept. */
  cache?: RolloutCache;
}

/** Frees the rollout's cache, if any (the arrays need nothing). Safe to call twice. */
export function disposeRollout(rollout: Rollout): void {
  rollout.cache?.dispose();
}

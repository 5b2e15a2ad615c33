/**
 * A batch of complete episodes collected by a runner, as plain typed arrays (no tensors), which
 * agents replay in `evaluate` and algorithms turn into losses.
 *
 * All B episodes have the same length T (glimpse episodes are fixed-length; the runner checks).
 */
import type { Batch } from '../envs/vector-env';

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
}

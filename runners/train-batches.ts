/**
 * What each training batch shows: which train items go to which sub-env, and the reset seed of
 * each sub-env. With `replicas` M (RAM's "M replicas of each image", as the public TF
 * reproduction's `tf.tile` does), a batch of B episodes shows B/M items, each to M consecutive
 * sub-envs that get the same item index AND the same reset seed, so they start from the same
 * observation (same translation or clutter draw, same start location); only the agent's location
 * samples differ between them, which is what lowers the variance of the REINFORCE gradient.
 */
import { hashSeed } from '../envs/rng';
import { consecutiveSeeds, type VectorResetOptions } from '../envs/vector-env';
import type { RunConfig } from './config';

/** Train items one batch shows: `batchSize / replicas` (the config guarantees it divides). */
export function itemsPerBatch(config: Pick<RunConfig, 'batchSize' | 'replicas'>): number {
  return config.batchSize / config.replicas;
}

/**
 * Reset options of batch `b` of `epoch`. Items: group g (sub-envs g*M .. g*M + M - 1) shows item
 * `order[b * B/M + g]` (`order` is the epoch's shuffled item order; null for an env without a
 * finite item set, which then draws its item from the seed). Seeds: the batch seed
 * `hashSeed(runSeed, epoch, b)` plus the group number (wrapped to 32 bits: {@link consecutiveSeeds}),
 * the same for the M replicas of a group. With M = 1 this is the plain batch: sub-env i gets
 * seed + i (Gymnasium's rule) and one item, so a run without replicas is unchanged, except that a
 * batch seed within B of 2^32 wraps instead of stopping the run.
 */
export function trainBatchReset(order: ArrayLike<number> | null, epoch: number, b: number, config: Pick<RunConfig, 'batchSize' | 'replicas' | 'seed'>): VectorResetOptions {
  const B = config.batchSize;
  const M = config.replicas;
  const P = itemsPerBatch(config);
  // Env noise is seeded per (epoch, batch), not carried in env state, so a resume replays it exactly.
  const seed = hashSeed(config.seed, epoch, b);
  const options = order ? Array.from({ length: B }, (_, i) => ({ index: order[b * P + Math.floor(i / M)] })) : undefined;
  return { seed: consecutiveSeeds(seed, B, M), options };
}

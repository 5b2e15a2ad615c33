/**
 * The RAM hybrid loss as pure functions of tensors (no variables, no state), so each term can be
 * checked by hand. Shapes: T decision steps, B episodes, C classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from '../../tensor/ops';

/**
 * Classification negative log-likelihood of the true classes, averaged over the batch:
 * `-(1/B) sum_b classLogProbs[b, targets[b]]`.
 * @param classLogProbs `[B, C]` log-probabilities.
 * @param targets `[B]` true classes in `[0, C)`.
 */
export function classificationNll(classLogProbs: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [B, C] = classLogProbs.shape;
  if (targets.length !== B) throw new Error(`classificationNll: ${targets.length} targets for a batch of ${B}`);
  for (let b = 0; b < B; b++) {
    if (!Number.isInteger(targets[b]) || targets[b] < 0 || targets[b] >= C) {
      throw new Error(`classificationNll: targets[${b}]=${targets[b]} is not a class in [0, ${C})`);
    }
  }
  const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), C);
  return tf.neg(tf.div(tf.sum(tf.mul(classLogProbs, oneHot)), B)) as tf.Scalar;
}

/**
 * REINFORCE surrogate for the location policy:
 * `-(1/B) sum_{t,b} mask[t,b] * logProbs[t,b] * (rewards[b] - stop(baselines[t,b]))`.
 * Its gradient is the policy gradient with advantage `reward - baseline`; the baseline enters
 * through a stop-gradient, so this term never trains the baseline.
 * @param logProbs `[T, B]` log-probabilities of the locations taken.
 * @param rewards `[B]` episode returns.
 * @param baselines `[T, B]` predicted returns, or null for no baseline.
 * @param mask `[T, B]` 1 where the decision influenced the episode.
 */
export function reinforceLoss(logProbs: tf.Tensor2D, rewards: tf.Tensor1D, baselines: tf.Tensor2D | null, mask: tf.Tensor2D): tf.Scalar {
  const B = logProbs.shape[1];
  const advantage = baselines ? tf.sub(rewards, stopGradient(baselines)) : tf.mul(tf.onesLike(logProbs), rewards);
  return tf.neg(tf.div(tf.sum(tf.mul(tf.mul(logProbs, advantage), mask)), B)) as tf.Scalar;
}

/**
 * Baseline regression: mean squared error between baselines and returns over the masked steps,
 * `sum mask * (baselines - rewards)^2 / max(1, sum mask)`.
 * @param baselines `[T, B]`; @param rewards `[B]`; @param mask `[T, B]`.
 */
export function baselineMse(baselines: tf.Tensor2D, rewards: tf.Tensor1D, mask: tf.Tensor2D): tf.Scalar {
  const count = tf.maximum(tf.sum(mask), 1);
  return tf.div(tf.sum(tf.mul(tf.square(tf.sub(baselines, rewards)), mask)), count);
}

/** Weights of the hybrid loss terms (the classification term has weight 1). */
export interface HybridWeights {
  reinforce: number;
  baseline: number;
}

/** The hybrid loss `nll + w_r * reinforce + w_b * baseline`. */
export function hybridLoss(terms: { nll: tf.Scalar; reinforce: tf.Scalar; baseline: tf.Scalar }, weights: HybridWeights): tf.Scalar {
  return tf.add(tf.add(terms.nll, tf.mul(terms.reinforce, weights.reinforce)), tf.mul(terms.baseline, weights.baseline));
}

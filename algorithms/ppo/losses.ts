/**
 * PPO's clipped surrogate for the location policy as a pure function of tensors (Schulman et al.
 * 2017, eq. 7), so it can be checked by hand. Shapes: T decision steps, B episodes.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Clipped surrogate loss
 * `-(1/B) sum_{t,b} mask * min(r * A, clip(r, 1 - eps, 1 + eps) * A)` with `r = exp(logProbs - oldLogProbs)`.
 * Only `logProbs` carries a gradient: `-(1/B) mask * r * A` where the unclipped term is the
 * minimum (ties count as unclipped, so at `r = 1` it is exactly the REINFORCE gradient) and 0
 * where clipping is active. Normalised by B like `reinforceLoss`, so the two are comparable.
 * The gradient is written out (a `customGrad`) because tfjs-core's Node build registers no
 * gradients for `minimum`/`clipByValue`.
 * @param logProbs `[T, B]` log-probabilities of the locations taken, under the current policy.
 * @param oldLogProbs `[T, B]` the same under the policy that collected the rollout (constants).
 * @param advantages `[T, B]` advantage estimates (constants).
 * @param mask `[T, B]` 1 where the decision influenced the episode.
 * @param clip the clipping radius eps > 0.
 */
export function clippedSurrogateLoss(logProbs: tf.Tensor2D, oldLogProbs: tf.Tensor2D, advantages: tf.Tensor2D, mask: tf.Tensor2D, clip: number): tf.Scalar {
  const shape = logProbs.shape;
  for (const [name, t] of [['oldLogProbs', oldLogProbs], ['advantages', advantages], ['mask', mask]] as const) {
    if (t.shape[0] !== shape[0] || t.shape[1] !== shape[1]) throw new Error(`clippedSurrogateLoss: ${name} has shape [${t.shape.join(', ')}], logProbs has [${shape.join(', ')}]`);
  }
  if (!(typeof clip === 'number' && Number.isFinite(clip) && clip > 0)) throw new Error(`clippedSurrogateLoss: clip must be a number > 0, got ${clip}`);
  const B = shape[1];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const lp = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const ratio = tf.exp(tf.sub(lp, oldLogProbs));
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantages);
    const value = tf.neg(tf.div(tf.sum(tf.mul(tf.minimum(unclipped, clipped), mask)), B)) as tf.Scalar;
    // d value / d logProbs, computed here: the forward pass runs in a tidy and a variableGrads
    // forward scope disposes what the caller made (the mask), so only saved tensors reach gradFunc.
    const active = tf.cast(tf.lessEqual(unclipped, clipped), 'float32');
    save([tf.div(tf.mul(tf.mul(unclipped, active), mask), -B)]);
    return { value, gradFunc: (dy: tf.Tensor, [dLogProbs]: tf.Tensor[]) => tf.mul(dy, dLogProbs) };
  });
  return f(logProbs) as tf.Scalar;
}

/**
 * Fraction of the masked decisions whose probability ratio lies outside `[1 - clip, 1 + clip]`
 * (a standard PPO diagnostic: how much of the batch the clip is holding back).
 */
export function clipFraction(logProbs: tf.Tensor2D, oldLogProbs: tf.Tensor2D, mask: tf.Tensor2D, clip: number): tf.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logProbs, oldLogProbs));
    const outside = tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clip), 'float32');
    return tf.div(tf.sum(tf.mul(outside, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/** Mean of `oldLogProbs - logProbs` over the masked decisions: a sample estimate of KL(old || new). */
export function approxKl(logProbs: tf.Tensor2D, oldLogProbs: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(tf.sub(oldLogProbs, logProbs), mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar);
}

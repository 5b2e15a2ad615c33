/**
 * Small tensor helpers that tfjs-core 4.22 lacks or does slowly, shared by agents and algorithms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerMissingGradients } from './gradients';

/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs-core has no
 * `stopGradient`). Used so the baseline cannot train the core and the advantage cannot train
 * the baseline.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return f(x) as T;
}

/** Swaps the last two axes (the explicit transpose that replaces a transposed matMul). */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.transpose(x);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

/** `op(x)` of a matMul operand: `x` or its transpose. */
function maybeT(x: tf.Tensor, transpose: boolean): tf.Tensor {
  return transpose ? transposeLast2(x) : x;
}

/**
 * The `BatchMatMul` gradient with explicit transposes. For `C = op(A) op(B)`:
 * `dop(A) = dC op(B)^T`, `dop(B) = op(A)^T dC`, and `dA` is `dop(A)` (transposed back when A was
 * transposed). Same values as the stock gradient, but every matMul it issues is a plain
 * (untransposed) one, which the wasm backend runs far faster than its transposed variants.
 */
const fastBatchMatMulGrad: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [a, b] = saved;
    const g = dy as tf.Tensor;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    return {
      a: () => {
        const opBT = transposeLast2(maybeT(b, transposeB));
        const dOpA = tf.matMul(g, opBT);
        return transposeA ? transposeLast2(dOpA) : dOpA;
      },
      b: () => {
        const opAT = transposeLast2(maybeT(a, transposeA));
        const dOpB = tf.matMul(opAT, g);
        return transposeB ? transposeLast2(dOpB) : dOpB;
      },
    };
  },
};

let fastGradientsRegistered = false;

/**
 * Replaces tfjs's `BatchMatMul` gradient with {@link fastBatchMatMulGrad} (identical values,
 * ~4x faster RAM training steps on wasm) and registers the other gradients the agents need
 * (see `gradients.ts`: tfjs-core's CommonJS build ships none). Idempotent; silences tfjs's
 * "Overriding the gradient" debug warning, which is expected here.
 */
export function registerFastGradients(): void {
  if (fastGradientsRegistered) return;
  const env = tf.env();
  // tfjs only warns about overriding in DEBUG mode; turn it off for the one call.
  const debug = env.getBool('DEBUG');
  if (debug) env.set('DEBUG', false);
  try {
    tf.registerGradient(fastBatchMatMulGrad);
  } finally {
    if (debug) env.set('DEBUG', true);
  }
  registerMissingGradients();
  fastGradientsRegistered = true;
}

/** Whether {@link registerFastGradients} has run in this process. */
export function gradientsRegistered(): boolean {
  return fastGradientsRegistered;
}

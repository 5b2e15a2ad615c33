/**
 * Gradient definitions for the kernels the agents and losses use.
 *
 * The CommonJS build of `@tensorflow/tfjs-core` (what Node loads) registers no gradients at all;
 * the union package `@tensorflow/tfjs` normally does, from ES-module files that plain Node cannot
 * `require`. So we register the few we need here, with the same formulas as tfjs's
 * `src/gradients/*_grad.ts`. Kernels that already have a gradient are left alone.
 */
import * as tf from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];
type Attrs = tf.NamedAttrMap;

/** Sums `dy` over the axes that broadcasting added or stretched, back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, dy.shape);
  const reduced = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(reduced, shape);
}

/** Normalises a (possibly negative or array) axis attribute against `rank`. */
function axesOf(axis: unknown, shape: number[]): number[] {
  return tf.util.parseAxisParam(axis as number | number[], shape);
}

/** Broadcasts a reduced `dy` back over the reduced axes of `shape`. */
function expandReduced(dy: tf.Tensor, shape: number[], axes: number[]): tf.Tensor {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.ones(shape));
}

/** `x` as float32 without a copy when it already is (cast of a float32 tensor is a clone). */
const f32 = (x: tf.Tensor): tf.Tensor => (x.dtype === 'float32' ? x : f32(x));

const one = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => dy as tf.Tensor;

/** The gradient configs, keyed by kernel name (BatchMatMul lives in ops.ts). */
export const GRADIENTS: tf.GradConfig[] = [
  {
    kernelName: 'Add', inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => ({ a: () => unbroadcast(one(dy), a.shape), b: () => unbroadcast(one(dy), b.shape) }),
  },
  {
    kernelName: 'AddN', saveAllInputs: true,
    gradFunc: (dy, saved: Saved) => Object.fromEntries(saved.map((_, i) => [i, () => tf.clone(one(dy))])),
  },
  {
    kernelName: 'Sub', inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => ({ a: () => unbroadcast(one(dy), a.shape), b: () => tf.neg(unbroadcast(one(dy), b.shape)) }),
  },
  {
    kernelName: 'Multiply', inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => ({
      a: () => unbroadcast(tf.mul(one(dy), f32(b)), a.shape),
      b: () => unbroadcast(tf.mul(one(dy), f32(a)), b.shape),
    }),
  },
  {
    kernelName: 'RealDiv', inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b]: Saved) => ({
      a: () => unbroadcast(tf.div(one(dy), b), a.shape),
      b: () => unbroadcast(tf.neg(tf.div(tf.mul(one(dy), a), tf.square(b))), b.shape),
    }),
  },
  { kernelName: 'Neg', gradFunc: (dy) => ({ x: () => tf.neg(one(dy)) }) },
  { kernelName: 'Identity', gradFunc: (dy) => ({ x: () => tf.clone(one(dy)) }) },
  { kernelName: 'Cast', gradFunc: (dy) => ({ x: () => tf.clone(one(dy)) }) },
  { kernelName: 'Relu', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(one(dy), tf.step(f32(x))) }) },
  {
    kernelName: 'Tanh', outputsToSave: [true],
    gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(tf.sub(1, tf.square(y)), one(dy)) }),
  },
  {
    kernelName: 'Sigmoid', outputsToSave: [true],
    gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(one(dy), tf.mul(y, tf.sub(1, y))) }),
  },
  { kernelName: 'Exp', outputsToSave: [true], gradFunc: (dy, [y]: Saved) => ({ x: () => tf.mul(one(dy), y) }) },
  { kernelName: 'Log', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.div(one(dy), f32(x)) }) },
  { kernelName: 'Square', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.mul(one(dy), tf.mul(f32(x), 2)) }) },
  {
    kernelName: 'Concat', saveAllInputs: true,
    gradFunc: (dy, saved: Saved, attrs: Attrs) => {
      const axis = axesOf(attrs.axis, saved[0].shape)[0];
      const parts = tf.split(one(dy), saved.map((t) => t.shape[axis]), axis);
      return Object.fromEntries(parts.map((p, i) => [i, () => p]));
    },
  },
  {
    kernelName: 'Slice', inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin as number[], attrs.size as number[]);
      const pads: Array<[number, number]> = x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]]);
      return { x: () => tf.pad(one(dy), pads) };
    },
  },
  {
    kernelName: 'SplitV',
    gradFunc: (dy, _saved: Saved, attrs: Attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], attrs.axis as number) }),
  },
  { kernelName: 'Pack', saveAllInputs: true, gradFunc: (dy, saved: Saved, attrs: Attrs) => {
    const parts = tf.unstack(one(dy), attrs.axis as number);
    return Object.fromEntries(saved.map((_, i) => [i, () => parts[i]]));
  } },
  { kernelName: 'Unpack', gradFunc: (dy, _saved: Saved, attrs: Attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], attrs.axis as number) }) },
  { kernelName: 'Reshape', inputsToSave: ['x'], gradFunc: (dy, [x]: Saved) => ({ x: () => tf.reshape(one(dy), x.shape) }) },
  {
    kernelName: 'Transpose',
    gradFunc: (dy, _saved: Saved, attrs: Attrs) => {
      const perm = attrs.perm as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return { x: () => tf.transpose(one(dy), inverse) };
    },
  },
  {
    kernelName: 'Sum', inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => ({ x: () => expandReduced(one(dy), x.shape, axesOf(attrs.axis, x.shape)) }),
  },
  {
    kernelName: 'Mean', inputsToSave: ['x'],
    gradFunc: (dy, [x]: Saved, attrs: Attrs) => {
      const axes = axesOf(attrs.axis, x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => tf.div(expandReduced(one(dy), x.shape, axes), count) };
    },
  },
  { kernelName: 'ZerosLike', gradFunc: (dy) => ({ x: () => tf.zerosLike(one(dy)) }) },
  { kernelName: 'OnesLike', gradFunc: (dy) => ({ x: () => tf.zerosLike(one(dy)) }) },
];

/** Registers each gradient of {@link GRADIENTS} whose kernel has none yet. Idempotent. */
export function registerMissingGradients(): void {
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
  }
}

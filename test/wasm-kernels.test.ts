/**
 * tensor/wasm-kernels.ts: the sharing Identity and the row-copying Slice give the stock wasm
 * kernels' values (slices of rank 1 and 2, row blocks, column blocks, int32, and the rank-3
 * fallback), clones share their buffer and outlive the original (and the other way round),
 * gradients through clone and slice are unchanged, and no tensor leaks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels, unregisterWasmKernels, wasmKernelsActive } from '../tensor/wasm-kernels';
import { registerFastGradients } from '../tensor/ops';
import { Rng } from '../envs/rng';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerFastGradients(); // tfjs-core's Node build ships no gradients
});
test.after(() => {
  registerWasmKernels();
});

const rng = new Rng(3);
const rand = (shape: number[], dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (dtype === 'int32' ? rng.int(100) : rng.uniformRange(-1, 1))), shape, dtype);

const CASES: Array<[number[], number[], number[]]> = [
  [[10], [3], [4]], [[10], [0], [-1]], [[7, 5], [2, 0], [3, 5]], [[7, 5], [0, 1], [7, 3]], [[7, 5], [6, 4], [1, 1]],
  [[7, 5], [1, 0], [-1, -1]], [[4, 3, 2], [1, 0, 1], [2, 3, 1]], [[6, 4], [3, 0], [0, 4]],
];

test('register / unregister are idempotent and report their state', () => {
  assert.ok(registerWasmKernels());
  assert.ok(registerWasmKernels());
  assert.ok(wasmKernelsActive());
  unregisterWasmKernels();
  unregisterWasmKernels();
  assert.not.ok(wasmKernelsActive());
  assert.ok(registerWasmKernels());
});

test('Slice: same values as the stock kernel, float32 and int32; no leak', () => {
  const n0 = tf.memory().numTensors;
  for (const dtype of ['float32', 'int32'] as const) {
    for (const [shape, begin, size] of CASES) {
      const x = rand(shape, dtype);
      unregisterWasmKernels();
      const want = tf.slice(x, begin, size);
      registerWasmKernels();
      const got = tf.slice(x, begin, size);
      assert.equal(got.shape, want.shape, `${dtype} ${shape} ${begin} ${size}: shape`);
      assert.is(got.dtype, dtype);
      assert.equal(Array.from(got.dataSync()), Array.from(want.dataSync()), `${dtype} ${shape} ${begin} ${size}`);
      tf.dispose([x, want, got]);
    }
  }
  assert.is(tf.memory().numTensors, n0);
});

test('Identity shares the buffer; either tensor outlives the other; no leak', () => {
  registerWasmKernels();
  const n0 = tf.memory().numTensors;
  const x = rand([3, 4]);
  const values = Array.from(x.dataSync());
  const y = tf.clone(x);
  const offset = (t: tf.Tensor) => (tf.backend() as unknown as { dataIdMap: { get(d: object): { memoryOffset: number } } }).dataIdMap.get(t.dataId).memoryOffset;
  assert.is(offset(y), offset(x), 'no copy');
  x.dispose();
  assert.equal(Array.from(y.dataSync()), values, 'the clone outlives the original');
  const z = tf.clone(y);
  y.dispose();
  assert.equal(Array.from(z.dataSync()), values);
  z.dispose();
  assert.is(tf.memory().numTensors, n0);
  const s = tf.clone(tf.scalar(2.5));
  assert.is(s.dataSync()[0], 2.5);
  s.dispose();
});

test('gradients through clone, slice and a customGrad save are the stock kernels\' values', () => {
  const grads = () => {
    const x = tf.tensor2d([[1, -2, 3], [4, 5, -6], [7, 8, 9], [-1, 0, 2]]);
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const a = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [s]: tf.Tensor[]) => tf.mul(dy, tf.mul(s, 2)) };
    }) as (a: tf.Tensor) => tf.Tensor;
    const g = tf.grad((v: tf.Tensor) => {
      const weight = tf.sum(tf.slice(tf.reshape(tf.slice(v, [0, 1], [2, 2]), [4]), 0, 3));
      return tf.sum(tf.mul(f(tf.slice(tf.clone(v), [1, 0], [2, 3])), weight));
    })(x);
    const out = Array.from(g.dataSync());
    tf.dispose([x, g]);
    return out;
  };
  unregisterWasmKernels();
  const n0 = tf.memory().numTensors;
  const want = grads();
  registerWasmKernels();
  assert.equal(grads(), want);
  assert.is(tf.memory().numTensors, n0);
});

test.run();

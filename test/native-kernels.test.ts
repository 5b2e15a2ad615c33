import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import {
  nativeKernelsActive, nativeKernelsUnavailableReason, registerNativeKernels, unregisterNativeKernels,
} from '../tensor/native-kernels';
import { FLAGS } from '../tensor/flags';
import { loadNativeAddon } from '../native/addon';
import { Rng } from '../envs/rng';

const test = suite('native-kernels');
let available = false;

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  available = registerNativeKernels();
  unregisterNativeKernels();
  if (!available) console.log(`native-kernels tests skipped: ${nativeKernelsUnavailableReason() ?? 'backend is not wasm'}`);
});

test.after.each(() => {
  unregisterNativeKernels();
});

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((x, y) => x * y, 1))), shape);
}

/** Runs `f` with the stock wasm kernel and with the native one; returns both results' data. */
function stockAndNative(f: () => tf.Tensor | tf.Tensor[]): [Float32Array[], Float32Array[]] {
  const read = (): Float32Array[] => {
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    const data = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return data;
  };
  unregisterNativeKernels();
  const stock = read();
  assert.ok(registerNativeKernels());
  const native = read();
  unregisterNativeKernels();
  return [stock, native];
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  assert.is(x.length, y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** float32 rounding bound for dot products of length k of standard-normal values. */
const tolerance = (k: number) => 2e-6 * (k + 1) + 1e-6;

test('registration is idempotent, reversible, and leaves the stock kernel when disabled', () => {
  if (!available) return;
  assert.ok(registerNativeKernels());
  assert.ok(registerNativeKernels());
  assert.ok(nativeKernelsActive());
  unregisterNativeKernels();
  unregisterNativeKernels();
  assert.not.ok(nativeKernelsActive());
  // The tfjs flag (tensor/flags.ts) turns the addon off, and back on.
  tf.env().set(FLAGS.native, false);
  try {
    assert.not.ok(registerNativeKernels());
    assert.not.ok(nativeKernelsActive());
    assert.is(nativeKernelsUnavailableReason(), 'disabled by the tfjs flag GLIMPSE_NATIVE');
  } finally {
    tf.env().set(FLAGS.native, true);
  }
  assert.is(nativeKernelsUnavailableReason(), null);
});

test('equals the stock wasm kernel for all transposes and odd sizes 1, 3, 17, 129', () => {
  if (!available) return;
  const rng = new Rng(11);
  const sizes = [1, 3, 17, 129];
  const before = tf.memory().numTensors;
  let worst = 0;
  for (const m of sizes) for (const n of sizes) for (const k of sizes) {
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const a = randomTensor(rng, ta ? [k, m] : [m, k]);
      const b = randomTensor(rng, tb ? [n, k] : [k, n]);
      const [[s], [nat]] = stockAndNative(() => tf.matMul(a, b, ta, tb));
      const d = maxAbsDiff(s, nat);
      worst = Math.max(worst, d / tolerance(k));
      assert.ok(d <= tolerance(k), `M=${m} N=${n} K=${k} transposeA=${ta} transposeB=${tb}: max |diff| ${d}`);
      tf.dispose([a, b]);
    }
  }
  assert.is(tf.memory().numTensors, before);
  assert.ok(worst <= 1);
});

test('batch dims: equal, broadcast on one side, rank-2 against rank-4, and on both sides', () => {
  if (!available) return;
  const rng = new Rng(12);
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
    [[2, 3, 7, 5], [2, 3, 4, 7], true, true],
    [[1, 17, 9], [4, 9, 3], false, false],
    [[4, 17, 9], [1, 3, 9], false, true],
    [[6, 17, 9], [9, 3], false, false],
    [[9, 17], [2, 2, 9, 3], true, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = randomTensor(rng, sa);
    const b = randomTensor(rng, sb);
    const [[s], [nat]] = stockAndNative(() => tf.matMul(a, b, ta, tb));
    assert.ok(maxAbsDiff(s, nat) <= tolerance(9), `${sa} x ${sb}`);
    tf.dispose([a, b]);
  }
  // [2,1] with [1,3] broadcasts on both sides; checked against a direct sum.
  const a = randomTensor(rng, [2, 1, 4, 5]);
  const b = randomTensor(rng, [1, 3, 5, 6]);
  assert.ok(registerNativeKernels());
  const c = tf.matMul(a, b);
  assert.equal(c.shape, [2, 3, 4, 6]);
  const av = a.dataSync(), bv = b.dataSync(), cv = c.dataSync();
  let worst = 0;
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let r = 0; r < 4; r++) for (let q = 0; q < 6; q++) {
    let sum = 0;
    for (let k = 0; k < 5; k++) sum += av[i * 20 + r * 5 + k] * bv[j * 30 + k * 6 + q];
    worst = Math.max(worst, Math.abs(sum - cv[((i * 3 + j) * 4 + r) * 6 + q]));
  }
  assert.ok(worst < 1e-5, `both-sided broadcast max |diff| ${worst}`);
  tf.dispose([a, b, c]);
});

test('gradients through matMul (tf.grads) equal the stock ones, without leaking tensors', () => {
  if (!available) return;
  const rng = new Rng(13);
  const x = randomTensor(rng, [129, 64]);
  const w1 = randomTensor(rng, [64, 128]);
  const w2 = randomTensor(rng, [128, 10]);
  const before = tf.memory().numTensors;
  const loss = (xx: tf.Tensor, a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(xx, a)), b, false, false))) as tf.Scalar;
  const [stock, native] = stockAndNative(() => tf.grads(loss)([x, w1, w2]));
  assert.is(tf.memory().numTensors, before);
  for (let i = 0; i < 3; i++) {
    let scale = 0;
    for (const v of stock[i]) scale = Math.max(scale, Math.abs(v));
    assert.ok(maxAbsDiff(stock[i], native[i]) <= 1e-5 * scale, `gradient ${i}: max |diff| ${maxAbsDiff(stock[i], native[i])}`);
  }
  tf.dispose([x, w1, w2]);
});

test('still right after the wasm heap grows (the heap buffer is re-read on every call)', () => {
  if (!available) return;
  assert.ok(registerNativeKernels());
  const rng = new Rng(14);
  const a = randomTensor(rng, [33, 20]);
  const b = randomTensor(rng, [20, 7]);
  const first = tf.matMul(a, b);
  const big = tf.zeros([64 * 1024 * 1024 / 4]); // 64 MiB: forces memory.grow()
  const second = tf.matMul(a, b);
  assert.is(maxAbsDiff(first.dataSync() as Float32Array, second.dataSync() as Float32Array), 0);
  tf.dispose([a, b, first, big, second]);
});

test('the addon rejects bad arguments with one clear line', () => {
  if (!available) return;
  const addon = loadNativeAddon()!;
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => addon.sgemm(false, false, 4, 4, 4, 1, f(15), 0, 4, f(16), 0, 4, 0, f(16), 0, 4),
    /^sgemm: A needs 16 floats from its offset but has 15$/);
  assert.throws(() => addon.sgemm(false, false, 4, 4, 4, 1, f(16), 0, 3, f(16), 0, 4, 0, f(16), 0, 4),
    /lda=3 is below the row length 4 of A/);
  assert.throws(() => addon.sgemm(false, false, 1, 1, 1, 1, f(4), 2, 1, f(1), 0, 1, 0, f(1), 0, 1),
    /aOffset=2 is not allowed; it must be a multiple of 4 bytes/);
  assert.throws(() => addon.sgemm(false, false, -1, 1, 1, 1, f(1), 0, 1, f(1), 0, 1, 0, f(1), 0, 1),
    /M=-1.* must be an integer >= 0/);
  assert.throws(() => (addon.sgemm as unknown as (...a: unknown[]) => void)(false, false, 1),
    /sgemm: got 3 arguments; expected 16/);
  // Operands at byte offsets inside one buffer, with a row stride above the row length.
  const heap = new Float32Array(64);
  heap.set([1, 2, 9, 3, 4, 9], 4); // A = [[1,2],[3,4]] at float 4, lda 3
  heap.set([5, 6, 7, 8], 16); // B = [[5,6],[7,8]] at float 16
  addon.sgemm(false, false, 2, 2, 2, 1, heap.buffer, 16, 3, heap, 64, 2, 0, heap.buffer, 128, 2);
  assert.equal(Array.from(heap.subarray(32, 36)), [19, 22, 43, 50]);
});

test('does nothing on a backend other than wasm', async () => {
  if (!available) return;
  await tf.setBackend('cpu');
  try {
    assert.not.ok(registerNativeKernels());
    assert.not.ok(nativeKernelsActive());
  } finally {
    await tf.setBackend('wasm');
  }
});

test.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { Adam, type AdamImplementation } from '../algorithms/adam';
import { nativeAdamAvailable, nativeAdamUnavailableReason } from '../tensor/native-adam';
import { Rng } from '../envs/rng';

const test = suite('adam');
const SHAPES = [[7, 5], [5], [33, 17], [1]];
let native = false;

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  native = nativeAdamAvailable();
  if (!native) console.log(`adam native tests skipped: ${nativeAdamUnavailableReason()}`);
});

function randomData(rng: Rng, shapes: number[][], scale = 1): Float32Array[] {
  return shapes.map((s) => {
    const a = rng.fillNormal(new Float32Array(s.reduce((x, y) => x * y, 1)));
    for (let i = 0; i < a.length; i++) a[i] *= scale;
    return a;
  });
}

/** Runs `steps` Adam steps from fixed weights and gradients; returns the weights and slots after. */
function run(implementation: AdamImplementation, steps: number, scales: number[]) {
  const rng = new Rng(5);
  const init = randomData(rng, SHAPES);
  const vars = init.map((d, i) => tf.variable(tf.tensor(d, SHAPES[i])));
  const adam = new Adam({ lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, implementation });
  for (let s = 0; s < steps; s++) {
    const grads = randomData(rng, SHAPES, 0.1 * (s + 1)).map((d, i) => tf.tensor(d, SHAPES[i]));
    adam.apply(vars, grads, scales[s % scales.length]);
    tf.dispose(grads);
  }
  const weights = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  const slots = adam.getSlots();
  tf.dispose(vars);
  adam.dispose();
  return { weights, slots };
}

test('native and tfjs steps are bit-identical, with and without a clipping scale', () => {
  if (!native) return;
  const a = run('native', 4, [1, 0.37]);
  const b = run('tfjs', 4, [1, 0.37]);
  a.weights.forEach((w, i) => assert.equal(Array.from(w), Array.from(b.weights[i]), `weights ${i}`));
  a.slots.m.forEach((m, i) => assert.equal(Array.from(m), Array.from(b.slots.m[i]), `m ${i}`));
  a.slots.v.forEach((v, i) => assert.equal(Array.from(v), Array.from(b.slots.v[i]), `v ${i}`));
  assert.is(a.slots.accBeta1, b.slots.accBeta1);
  assert.is(a.slots.iterations, 4);
});

test('the tfjs path equals tfjs AdamOptimizer.applyGradients step for step', () => {
  const ours = run('tfjs', 3, [1]);
  const rng = new Rng(5);
  const vars = randomData(rng, SHAPES).map((d, i) => tf.variable(tf.tensor(d, SHAPES[i])));
  const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  for (let s = 0; s < 3; s++) {
    const grads = randomData(rng, SHAPES, 0.1 * (s + 1)).map((d, i) => tf.tensor(d, SHAPES[i]));
    opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    tf.dispose(grads);
  }
  vars.forEach((v, i) => assert.equal(Array.from(v.dataSync()), Array.from(ours.weights[i]), `weights ${i}`));
  tf.dispose(vars);
  opt.dispose();
});

test('slots round trip: a resumed optimizer takes the same next step; no tensor leak', () => {
  for (const implementation of (native ? ['native', 'tfjs'] : ['tfjs']) as AdamImplementation[]) {
    const rng = new Rng(9);
    const init = randomData(rng, SHAPES);
    const grads = [0, 1, 2].map(() => randomData(rng, SHAPES).map((d, i) => tf.tensor(d, SHAPES[i])));
    const va = init.map((d, i) => tf.variable(tf.tensor(d, SHAPES[i])));
    const a = new Adam({ lr: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, implementation });
    a.apply(va, grads[0]);
    const n0 = tf.memory().numTensors;
    a.apply(va, grads[1], 0.5);
    assert.is(tf.memory().numTensors, n0, `${implementation}: tensor count stable across steps`);
    const vb = va.map((v) => tf.variable(tf.tensor(Float32Array.from(v.dataSync() as Float32Array), v.shape)));
    const b = new Adam({ lr: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, implementation });
    b.setSlots(a.getSlots());
    assert.equal(b.slotShapes(), SHAPES);
    a.apply(va, grads[2]);
    b.apply(vb, grads[2]);
    va.forEach((v, i) => assert.equal(Array.from(vb[i].dataSync()), Array.from(v.dataSync()), `${implementation} weights ${i}`));
    assert.is(b.iterations, 3);
    tf.dispose([...va, ...vb, ...grads.flat()]);
    a.dispose();
    b.dispose();
  }
});

test('stock wasm matMul sees the stepped weights (its XNNPACK cache is keyed by tensor id)', () => {
  const rng = new Rng(2);
  const w = tf.variable(tf.tensor(rng.fillNormal(new Float32Array(16 * 8)), [16, 8]));
  const x = tf.tensor(rng.fillNormal(new Float32Array(4 * 16)), [4, 16]);
  const before = tf.matMul(x, w); // primes the cache with w's packed values
  const snapshot = tf.clone(w);
  const adam = new Adam({ lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const g = tf.onesLike(w);
  adam.apply([w], [g]);
  const after = tf.matMul(x, w);
  const fresh = tf.matMul(x, tf.tensor(Float32Array.from(w.dataSync() as Float32Array), [16, 8]));
  assert.equal(Array.from(after.dataSync()), Array.from(fresh.dataSync()));
  assert.not.equal(Array.from(after.dataSync()), Array.from(before.dataSync()));
  const moved = (w.dataSync() as Float32Array).every((v, i) => Math.abs(v - (snapshot.dataSync()[i] - 0.1)) < 1e-5);
  assert.ok(moved, 'a first Adam step moves every weight by lr against the gradient sign; the clone keeps the old values');
  tf.dispose([w, x, before, snapshot, g, after, fresh]);
  adam.dispose();
});

test('squaredNorm agrees between paths', () => {
  const rng = new Rng(4);
  const grads = randomData(rng, SHAPES).map((d, i) => tf.tensor(d, SHAPES[i]));
  let expected = 0;
  for (const g of grads) for (const v of g.dataSync()) expected += v * v;
  for (const implementation of (native ? ['native', 'tfjs'] : ['tfjs']) as AdamImplementation[]) {
    const adam = new Adam({ lr: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, implementation });
    const got = adam.squaredNorm(grads);
    assert.ok(Math.abs(got - expected) <= 1e-5 * expected, `${implementation}: ${got} vs ${expected}`);
  }
  tf.dispose(grads);
});

test('bad input fails with one line naming it', () => {
  assert.throws(() => new Adam({ lr: 0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }), /^adam: lr must be a number > 0, got 0$/);
  assert.throws(() => new Adam({ lr: 1, beta1: 1, beta2: 0.999, epsilon: 1e-8 }), /^adam: beta1 must be a number in \[0, 1\), got 1$/);
  assert.throws(() => new Adam({ lr: 1, beta1: 0.9, beta2: 0.9, epsilon: 1e-8, implementation: 'gpu' as AdamImplementation }), /^adam: implementation must be 'auto', 'native' or 'tfjs', got "gpu"$/);
  const adam = new Adam({ lr: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const w = tf.variable(tf.zeros([2]));
  const g = tf.ones([2]);
  assert.throws(() => adam.apply([w], []), /^adam: 1 variables but 0 gradients$/);
  assert.throws(() => adam.apply([w], [g], 2), /^adam: gradScale must be in \[0, 1\], got 2$/);
  adam.apply([w], [g]);
  const other = tf.variable(tf.zeros([3]));
  assert.throws(() => adam.apply([other], [tf.ones([3])]), /^adam: 1 moment slots do not match the 1 variables given$/);
  tf.dispose([w, g, other]);
  adam.dispose();
});

test('on the cpu backend: auto falls back to tfjs kernels, native is refused', async () => {
  await tf.setBackend('cpu');
  try {
    const adam = new Adam({ lr: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    assert.is(adam.usesNative(), false);
    const w = tf.variable(tf.zeros([2]));
    const g = tf.ones([2]);
    adam.apply([w], [g]);
    assert.equal(Array.from(w.dataSync()).map((x) => Math.round(x * 1e4) / 1e4), [-1, -1]);
    const forced = new Adam({ lr: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, implementation: 'native' });
    assert.throws(() => forced.apply([w], [g]), /^adam: implementation 'native' requested but unavailable: backend is 'cpu', not wasm$/);
    tf.dispose([w, g]);
    adam.dispose();
    forced.dispose();
  } finally {
    await tf.setBackend('wasm');
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerFastGradients, stopGradient } from '../tensor/ops';
import { Rng } from '../envs/rng';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1))), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  assert.is(x.length, y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

test('fast BatchMatMul gradient equals the stock formulas for all four transpose combinations', () => {
  registerFastGradients();
  registerFastGradients(); // idempotent
  const rng = new Rng(5);
  const before = tf.memory().numTensors;
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    // op(A) is 3x4, op(B) is 4x5.
    const a = randomTensor(rng, ta ? [4, 3] : [3, 4]);
    const b = randomTensor(rng, tb ? [5, 4] : [4, 5]);
    const dy = randomTensor(rng, [3, 5]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb))([a, b], dy);
    // tfjs's stock gradient (gradients/BatchMatMul_grad.ts), written out with transposed matMuls.
    const stock = !ta && !tb ? [tf.matMul(dy, b, false, true), tf.matMul(a, dy, true, false)]
      : !ta && tb ? [tf.matMul(dy, b, false, false), tf.matMul(dy, a, true, false)]
      : ta && !tb ? [tf.matMul(b, dy, false, true), tf.matMul(a, dy, false, false)]
      : [tf.matMul(b, dy, true, true), tf.matMul(dy, a, true, true)];
    assert.equal(ga.shape, a.shape);
    assert.equal(gb.shape, b.shape);
    assert.ok(maxAbsDiff(ga, stock[0]) < 1e-5, `dA ta=${ta} tb=${tb}`);
    assert.ok(maxAbsDiff(gb, stock[1]) < 1e-5, `dB ta=${ta} tb=${tb}`);
    tf.dispose([a, b, dy, ga, gb, ...stock]);
  }
  assert.is(tf.memory().numTensors, before);
});

test('fast gradient handles batched (rank-3) matMul', () => {
  const rng = new Rng(6);
  const a = randomTensor(rng, [2, 3, 4]);
  const b = randomTensor(rng, [2, 5, 4]);
  const dy = randomTensor(rng, [2, 3, 5]);
  const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, false, true))([a, b], dy);
  const wantA = tf.matMul(dy, b);
  const wantB = tf.matMul(dy, a, true, false);
  assert.ok(maxAbsDiff(ga, wantA) < 1e-5);
  assert.ok(maxAbsDiff(gb, wantB) < 1e-5);
  tf.dispose([a, b, dy, ga, gb, wantA, wantB]);
});

test('stopGradient is the identity forward and blocks the gradient', () => {
  const before = tf.memory().numTensors;
  const x = tf.tensor1d([1, -2, 3]);
  const y = stopGradient(x);
  assert.equal(Array.from(y.dataSync()), [1, -2, 3]);
  // d/dx [x * stop(x)] = stop(x), not 2x.
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, stopGradient(v))))(x);
  assert.equal(Array.from(g.dataSync()), [1, -2, 3]);
  tf.dispose([x, y, g]);
  assert.is(tf.memory().numTensors, before);
});

/** Checks tf.grads of `sum(f(x, y) * w)` against central differences (x and y positive, away from kinks). */
function checkGrad(name: string, f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor, xShape: number[], yShape: number[]): void {
  const rng = new Rng(name.length);
  const draw = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniformRange(0.3, 1.5) * (rng.uniform() < 0.3 ? -1 : 1));
  const xs = [draw(xShape), draw(yShape)];
  const shapes = [xShape, yShape];
  const outShape = tf.tidy(() => f(tf.tensor(xs[0], xShape), tf.tensor(xs[1], yShape)).shape);
  const w = tf.tensor(Float32Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => rng.normal()), outShape);
  const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), w));
  const inputs = xs.map((d, i) => tf.tensor(d, shapes[i]));
  const grads = tf.grads(loss)(inputs);
  const value = (arrs: Float32Array[]) => tf.tidy(() => loss(tf.tensor(arrs[0], xShape), tf.tensor(arrs[1], yShape)).dataSync()[0]);
  for (let k = 0; k < 2; k++) {
    const g = grads[k].dataSync();
    for (let i = 0; i < xs[k].length; i++) {
      const orig = xs[k][i];
      const eps = 1e-2;
      xs[k][i] = orig + eps; const up = value(xs.map((a) => Float32Array.from(a)));
      xs[k][i] = orig - eps; const down = value(xs.map((a) => Float32Array.from(a)));
      xs[k][i] = orig;
      const fd = (up - down) / (2 * eps);
      assert.ok(Math.abs(g[i] - fd) <= 1e-2 + 1e-2 * Math.abs(fd), `${name}: d/d${k ? 'y' : 'x'}[${i}] = ${g[i]}, finite difference ${fd}`);
    }
  }
  tf.dispose([w, ...inputs, ...grads]);
}

test('registered gradients match finite differences (tfjs-core CommonJS ships none)', () => {
  const before = tf.memory().numTensors;
  checkGrad('add broadcast', (x, y) => tf.add(x, y), [3, 2], [2]);
  checkGrad('sub broadcast', (x, y) => tf.sub(x, y), [2], [3, 2]);
  checkGrad('mul broadcast', (x, y) => tf.mul(x, y), [3, 2], [3, 1]);
  checkGrad('div', (x, y) => tf.div(x, y), [2, 2], [2, 2]);
  checkGrad('neg exp log square', (x, y) => tf.add(tf.neg(tf.exp(x)), tf.mul(tf.log(tf.square(y)), tf.square(x))), [4], [4]);
  checkGrad('relu tanh sigmoid', (x, y) => tf.add(tf.relu(x), tf.mul(tf.tanh(x), tf.sigmoid(y))), [5], [5]);
  checkGrad('concat split', (x, y) => {
    const [a, b] = tf.split(tf.concat([x, y], 1), [1, 3], 1);
    return tf.mul(a, tf.sum(b, 1, true));
  }, [2, 2], [2, 2]);
  checkGrad('slice reshape transpose', (x, y) => tf.mul(tf.transpose(tf.reshape(tf.slice(x, [0, 1], [2, 2]), [1, 4])), y), [2, 3], [4, 1]);
  checkGrad('sum mean axes', (x, y) => tf.add(tf.sum(x, 0), tf.mean(tf.mul(y, y), 1)), [2, 3], [3, 2]);
  checkGrad('stack unstack addN', (x, y) => {
    const [a, b] = tf.unstack(x);
    return tf.stack([tf.addN([a, b, y]), tf.mul(a, y)], 1);
  }, [2, 3], [3]);
  checkGrad('logSoftmax', (x, y) => tf.logSoftmax(tf.mul(x, y)), [2, 3], [2, 3]);
  assert.is(tf.memory().numTensors, before);
});

test.run();

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { makeAgent } from '../agents';
import type { Agent, AgentState } from '../agents/agent';
import { fastPathAvailable } from '../agents/ram/fast';
import { nativeEmpty, nativeLinear, nativeLinearInto, nativeReluMaskRows } from '../tensor/native-dense';
import { Rng } from '../envs/rng';
import { glimpseEnvInfo } from './helpers/ram-rollout';

const test = suite('fused-act');
const ENV = glimpseEnvInfo(2, 4, 5);
const CFG = { glimpseHidden: 12, locationHidden: 5, glimpseFeatures: 16, hidden: 20, seed: 11 };
let native = false;

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  native = fastPathAvailable('rnn');
  if (!native) console.log('fused-act tests skipped: native dense kernels unavailable');
});

function randomTensor(rng: Rng, shape: [number, number]): tf.Tensor2D {
  return tf.tensor2d(rng.fillNormal(new Float32Array(shape[0] * shape[1])), shape);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.is(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('nativeLinear equals matMul + bias + activation, with row blocks replacing a concat', () => {
  if (!native) return;
  const rng = new Rng(1);
  const a = randomTensor(rng, [9, 6]), b = randomTensor(rng, [9, 4]), w = randomTensor(rng, [10, 7]);
  const bias = tf.tensor1d(rng.fillNormal(new Float32Array(7)));
  for (const act of ['linear', 'relu', 'tanh'] as const) {
    const got = nativeLinear([{ x: a, w }, { x: b, w, rowStart: 6 }], bias, act);
    const want = tf.tidy(() => {
      const z = tf.add(tf.matMul(tf.concat([a, b], 1), w), bias);
      return act === 'relu' ? tf.relu(z) : act === 'tanh' ? tf.tanh(z) : z;
    });
    assert.ok(maxAbsDiff(got.dataSync(), want.dataSync()) < 1e-5, act);
    tf.dispose([got, want]);
  }
  const noBias = nativeLinear([{ x: a, w }], null, 'linear');
  const ref = tf.matMul(a, tf.slice(w, [0, 0], [6, 7]));
  assert.ok(maxAbsDiff(noBias.dataSync(), ref.dataSync()) < 1e-5);
  assert.throws(() => nativeLinear([{ x: a, w, rowStart: 5 }], null, 'relu'), /^nativeLinear: term 0 has x \[9, 6\] from row 0 and w \[10, 7\] from row 5; needs float32 x \[>= 0\+9, K\] and w \[>= 5\+K, 7\]$/);
  // Row blocks of x and a block of a bigger output: rows 3..7 of [a, b] W, written at (1, 2) of [8, 10].
  const into = nativeEmpty(8, 10);
  const before = into.dataSync().slice();
  nativeLinearInto(into, 1, 2, [{ x: a, w, xRowStart: 3 }, { x: b, w, rowStart: 6, xRowStart: 3 }], bias, 'relu', 5);
  const full = tf.tidy(() => tf.relu(tf.add(tf.matMul(tf.concat([a, b], 1), w), bias)));
  const got = into.dataSync(), want = full.dataSync();
  for (let r = 0; r < 8; r++) for (let c = 0; c < 10; c++) {
    const i = r * 10 + c;
    if (r >= 1 && r < 6 && c >= 2 && c < 9) assert.ok(Math.abs(got[i] - want[(r + 2) * 7 + (c - 2)]) < 1e-5, `block ${r},${c}`);
    else assert.is(got[i], before[i], `outside the block ${r},${c} is untouched`);
  }
  assert.throws(() => nativeLinearInto(into, 4, 2, [{ x: a, w }], null, 'relu'), /^nativeLinear: output block \[9, 7\] at \(4, 2\) does not fit into \[8, 10\]$/);
  tf.dispose([into, full]);
  assert.throws(() => nativeLinear([{ x: a, w }], tf.zeros([3]) as tf.Tensor1D, 'relu'), /^nativeLinear: bias has shape \[3\], needs \[7\]$/);
  assert.throws(() => nativeLinear([{ x: a, w }], null, 'gelu' as 'relu'), /^nativeLinear: activation must be linear, relu or tanh, got "gelu"$/);
  tf.dispose([a, b, w, bias, noBias, ref]);
});

test('transposed W, accumulation into a block and the row-block ReLU mask (the backward-through-time pieces)', () => {
  if (!native) return;
  const rng = new Rng(6);
  const d = randomTensor(rng, [6, 4]), w = randomTensor(rng, [5, 4]), y = randomTensor(rng, [6, 5]);
  const out = nativeLinear([{ x: d, w, transposeW: true }], null, 'linear'); // d W^T: [6, 5]
  const ref = tf.matMul(d, w, false, true);
  assert.ok(maxAbsDiff(out.dataSync(), ref.dataSync()) < 1e-5);
  // Accumulate: rows 2..3 of out += rows 0..1 of d times W^T.
  nativeLinearInto(out, 2, 0, [{ x: d, w, transposeW: true }], null, 'linear', 2, true);
  const refAcc = ref.dataSync().slice();
  const dw = ref.dataSync();
  for (let i = 0; i < 2 * 5; i++) refAcc[2 * 5 + i] += dw[i];
  assert.ok(maxAbsDiff(out.dataSync(), refAcc) < 1e-5);
  nativeReluMaskRows(out, 1, y, 3, 2); // rows 1..2 of out masked by rows 3..4 of y
  const masked = out.dataSync(), ys = y.dataSync();
  for (let i = 0; i < 6 * 5; i++) {
    const r = Math.floor(i / 5), c = i % 5;
    const expect = r >= 1 && r <= 2 && !(ys[(r + 2) * 5 + c] > 0) ? 0 : refAcc[i];
    assert.ok(Math.abs(masked[i] - expect) < 1e-5, `mask ${r},${c}`);
  }
  assert.throws(() => nativeReluMaskRows(out, 5, y, 0, 2), /^nativeReluMaskRows: rows 5\+2 of d \[6, 5\] and 0\+2 of y \[6, 5\] do not fit$/);
  tf.dispose([d, w, y, out, ref]);
});

/** Greedy act for T steps on fixed random observations; returns means, labels and the final state. */
function actSteps(agent: Agent, B: number, T: number): { means: number[]; labels: number[]; h: number[] } {
  const obsRng = new Rng(3);
  const rng = new Rng(4);
  let state: AgentState = agent.initialState(B);
  const means: number[] = [], labels: number[] = [];
  for (let t = 0; t < T; t++) {
    const obs = { glimpse: Float32Array.from({ length: B * 32 }, () => obsRng.uniform()), location: Float32Array.from({ length: B * 2 }, () => obsRng.uniformRange(-1, 1)) };
    const res = agent.act(obs, state, { greedy: true, rng });
    state = res.state;
    means.push(...(res.record!.sample as Float32Array));
    labels.push(...(res.action.label as Int32Array));
  }
  const h = Array.from(state.tensors[0].dataSync());
  agent.disposeState(state);
  return { means, labels, h };
}

test('the fused act matches the modular act (cpu backend) step for step; no tensor leak', async () => {
  if (!native) return;
  const B = 7, T = 4;
  const agent = makeAgent('ram', ENV, CFG);
  actSteps(agent, B, 1);
  const n0 = tf.memory().numTensors;
  const fused = actSteps(agent, B, T);
  assert.is(tf.memory().numTensors, n0, 'tensor count unchanged by act');
  agent.dispose();
  await tf.setBackend('cpu');
  try {
    const modular = actSteps(makeAgent('ram', ENV, CFG), B, T);
    assert.ok(maxAbsDiff(fused.means, modular.means) < 1e-5, `means differ by ${maxAbsDiff(fused.means, modular.means)}`);
    assert.ok(maxAbsDiff(fused.h, modular.h) < 1e-5, `states differ by ${maxAbsDiff(fused.h, modular.h)}`);
    assert.equal(fused.labels, modular.labels);
  } finally {
    await tf.setBackend('wasm');
  }
});

test.run();

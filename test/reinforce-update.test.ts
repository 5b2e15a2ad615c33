import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { makeAgent } from '../agents';
import { listAlgorithms, makeAlgorithm } from '../algorithms';
import { RAM_WEIGHT_COUNT } from '../agents/ram/weights';
import { glimpseEnvInfo, randomRollout } from './helpers/ram-rollout';

const ENV = glimpseEnvInfo(1, 4, 4);
const SMALL = { glimpseHidden: 8, locationHidden: 4, glimpseFeatures: 8, hidden: 8, seed: 3 };

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

test('registry: reinforce is listed; unknown ids and options fail with one line', () => {
  assert.ok(listAlgorithms().some((a) => a.id === 'reinforce'));
  assert.throws(() => makeAlgorithm('sarsa'), /^unknown algorithm 'sarsa'; registered: .*reinforce/);
  assert.throws(() => makeAlgorithm('reinforce', { lr: 0 }), /lr must be a number > 0, got 0/);
});

test('update decreases the hybrid loss on a fixed rollout and reports every metric', () => {
  const agent = makeAgent('ram', ENV, SMALL);
  const algo = makeAlgorithm('reinforce', { lr: 3e-3 });
  const r = randomRollout(2, 8, 3, 16, 4);
  const losses: number[] = [];
  let m = algo.update(agent, r);
  assert.equal(Object.keys(m).sort(), ['accuracy', 'baseline', 'baselineMse', 'gradNorm', 'loss', 'lr', 'nll', 'reinforce', 'reward'].sort());
  for (const v of Object.values(m)) assert.ok(Number.isFinite(v));
  losses.push(m.loss);
  for (let i = 0; i < 30; i++) losses.push((m = algo.update(agent, r)).loss);
  assert.ok(losses[30] < losses[0] - 0.1, `loss ${losses[0]} -> ${losses[30]}`);
  assert.ok(m.nll < losses[0], 'the classifier fits the fixed targets');
  const meanReturn = r.returns.reduce((a, b) => a + b, 0) / r.returns.length;
  assert.is(m.reward, meanReturn);
  assert.is(m.lr, 3e-3);
  agent.dispose();
  algo.dispose();
});

test('no tensor leak across updates; the optimizer state round trip gives an identical next update', () => {
  const a = makeAgent('ram', ENV, SMALL);
  const b = makeAgent('ram', ENV, { ...SMALL, seed: 99 });
  const algoA = makeAlgorithm('reinforce', { lr: 1e-2, clipNorm: 0.5 });
  const r = randomRollout(4, 6, 3, 16, 4);
  algoA.update(a, r);
  const n0 = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) algoA.update(a, r);
  assert.is(tf.memory().numTensors, n0, 'tensor count is stable across updates');
  const state = algoA.getState();
  assert.is(state.scalars.iterations, 6);
  assert.is(Object.keys(state.weights).length, 2 * a.trainableVariables().length);
  // Resume: fresh agent and algorithm loaded from the saved weights and optimizer state.
  b.setWeights(a.getWeights());
  const algoB = makeAlgorithm('reinforce', { lr: 1e-2, clipNorm: 0.5 });
  algoB.setState(JSON.parse(JSON.stringify(state, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)), (_k, v) =>
    v && Array.isArray(v.data) ? { shape: v.shape, data: Float32Array.from(v.data) } : v));
  const r2 = randomRollout(5, 6, 3, 16, 4);
  const ma = algoA.update(a, r2);
  const mb = algoB.update(b, r2);
  assert.equal(mb, ma);
  const wa = a.getWeights(), wb = b.getWeights();
  for (const k of Object.keys(wa)) assert.equal(Array.from(wb[k].data), Array.from(wa[k].data), k);
  // A fresh optimizer (no state) would have taken a different step.
  const c = makeAgent('ram', ENV, { ...SMALL, seed: 7 });
  c.setWeights(b.getWeights());
  const algoC = makeAlgorithm('reinforce', { lr: 1e-2, clipNorm: 0.5 });
  algoC.update(c, randomRollout(6, 6, 3, 16, 4));
  assert.not.equal(Array.from(c.getWeights()['action/bias'].data), Array.from(b.getWeights()['action/bias'].data));
  // State that does not fit the network is rejected at the next update.
  const other = makeAgent('ram', ENV, { ...SMALL, hidden: 5 });
  assert.throws(() => algoB.update(other, r2), new RegExp(`optimizer state has ${RAM_WEIGHT_COUNT} slots that do not match`));
  assert.throws(() => algoB.setState({ weights: {}, scalars: { lr: 1 } }), /needs scalars.iterations/);
  [a, b, c, other, algoA, algoB, algoC].forEach((x) => x.dispose());
});

test('gradient clipping caps the reported step and onEpochStart applies the schedule', () => {
  const agent = makeAgent('ram', ENV, SMALL);
  const algo = makeAlgorithm('reinforce', { lr: 0.01, schedule: 'step', stepEpochs: 1, gamma: 0.5, clipNorm: 1e-3 });
  const r = randomRollout(3, 4, 2, 16, 4);
  const before = agent.getWeights();
  algo.onEpochStart!(2);
  const m = algo.update(agent, r);
  assert.is(m.lr, 0.005);
  assert.ok(m.gradNorm > 1e-3, 'the raw norm is reported before clipping');
  // Adam normalises the step size, so check clipping through the first moment instead: |m| <= (1-beta1) * clipNorm.
  const st = algo.getState();
  let sq = 0;
  for (const [k, w] of Object.entries(st.weights)) if (k.startsWith('adam/m/')) for (const x of w.data) sq += x * x;
  assert.ok(Math.sqrt(sq) <= 0.1 * 1e-3 * 1.0001, `first moment norm ${Math.sqrt(sq)}`);
  assert.not.equal(Array.from(agent.getWeights()['action/bias'].data), Array.from(before['action/bias'].data));
  assert.throws(() => algo.onEpochStart!(0), /epoch must be an integer >= 1, got 0/);
  agent.dispose();
  algo.dispose();
});

test.run();

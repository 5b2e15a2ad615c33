import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { makeAgent, listAgents } from '../agents';
import { RAM_LAYERS, RamAgent, resolveRamConfig } from '../agents/ram';
import { RAM_WEIGHT_COUNT } from '../agents/ram/weights';
import type { Agent, AgentState } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import { Rng } from '../envs/rng';
import { actRollout, glimpseEnvInfo, randomRollout } from './helpers/ram-rollout';

const ENV = glimpseEnvInfo(2, 4, 5); // 2 scales of 4x4, 5 classes
const SMALL = { glimpseHidden: 6, locationHidden: 5, glimpseFeatures: 7, hidden: 8 };

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

/** T act steps on random observations (seed obsSeed) as a rollout with zero returns and targets. */
function collect(agent: Agent, B: number, T: number, greedy: boolean, rng: Rng, obsSeed = 3): Rollout {
  return actRollout(agent, B, T, rng, { greedy, obsSeed });
}

test('registry: ram is listed; unknown id and bad options fail with one line', () => {
  assert.ok(listAgents().some((a) => a.id === 'ram'));
  assert.throws(() => makeAgent('nope', ENV), /^unknown agent 'nope'; registered: .*ram/);
  assert.throws(() => makeAgent('ram', ENV, { hiden: 3 }), /unknown option 'hiden'/);
  assert.throws(() => makeAgent('ram', ENV, { core: 'gru' }), /^ram: core must be one of rnn, lstm, got 'gru'$/);
  assert.throws(() => makeAgent('ram', ENV, { std: 0 }), /std must be a finite number > 0, got 0/);
  assert.throws(() => makeAgent('ram', ENV, { hidden: 2.5 }), /hidden must be an integer/);
  assert.throws(() => makeAgent('ram', ENV, { numClasses: 7 }), /numClasses=7 does not match the env's numClasses=5/);
});

test('config: defaults from the paper, sizes from the env spaces', () => {
  const c = resolveRamConfig(glimpseEnvInfo(3, 12, 10));
  assert.equal(c, { glimpseHidden: 128, locationHidden: 128, glimpseFeatures: 256, hidden: 256, core: 'rnn', std: 0.17, seed: 0, detachLocationInput: false, context: false, scales: 3, glimpseSize: 12, numClasses: 10 });
});

test('act: shapes, clipped locations, unclipped samples, labels in range; greedy is deterministic', () => {
  const agent = makeAgent('ram', ENV, { ...SMALL, std: 0.5, seed: 1 });
  const r = collect(agent, 4, 3, false, new Rng(9));
  for (let t = 0; t < 3; t++) {
    const { location, label } = r.actions[t];
    const sample = r.records[t].sample as Float32Array;
    assert.ok(location instanceof Float32Array && location.length === 8);
    assert.ok(label instanceof Int32Array && label.length === 4);
    assert.ok(sample instanceof Float32Array && sample.length === 8);
    for (let i = 0; i < 8; i++) {
      assert.ok(location[i] >= -1 && location[i] <= 1);
      assert.is(location[i], Math.max(-1, Math.min(1, sample[i])));
    }
    for (const y of label) assert.ok(y >= 0 && y < 5);
  }
  // Sampled: different noise streams give different samples; greedy: the rng is irrelevant.
  const s2 = collect(agent, 4, 3, false, new Rng(10));
  assert.not.equal(Array.from(r.records[1].sample), Array.from(s2.records[1].sample));
  const g1 = collect(agent, 4, 3, true, new Rng(1));
  const g2 = collect(agent, 4, 3, true, new Rng(2));
  assert.equal(Array.from(g1.records[2].sample), Array.from(g2.records[2].sample));
  assert.equal(Array.from(g1.actions[2].location), Array.from(g1.records[2].sample)); // mean in (-1, 1): no clipping
  agent.dispose();
});

test('same seed gives the same weights and actions; another seed differs', () => {
  const a = makeAgent('ram', ENV, { ...SMALL, seed: 4 });
  const b = makeAgent('ram', ENV, { ...SMALL, seed: 4 });
  const c = makeAgent('ram', ENV, { ...SMALL, seed: 5 });
  const wa = a.getWeights(), wb = b.getWeights(), wc = c.getWeights();
  // The checkpoint keys of RAM_LAYERS, in its order (a dense layer: kernel, then bias).
  assert.equal(Object.keys(wa), Object.values(RAM_LAYERS).flatMap(({ kind, key }) => (kind === 'dense' ? [`${key}/kernel`, `${key}/bias`] : [key])));
  for (const k of Object.keys(wa)) assert.equal(Array.from(wa[k].data), Array.from(wb[k].data), k);
  assert.not.equal(Array.from(wa['core/input/kernel'].data), Array.from(wc['core/input/kernel'].data));
  const ra = collect(a, 3, 3, false, new Rng(7));
  const rb = collect(b, 3, 3, false, new Rng(7));
  assert.equal(Array.from(ra.records[2].sample), Array.from(rb.records[2].sample));
  assert.equal(Array.from(ra.actions[2].label), Array.from(rb.actions[2].label));
  // tfjs variable names are unique per instance (the engine forbids duplicates).
  const names = new Set([...a.trainableVariables(), ...b.trainableVariables()].map((v) => v.name));
  assert.is(names.size, 2 * RAM_WEIGHT_COUNT);
  [a, b, c].forEach((x) => x.dispose());
});

test('evaluate: shapes, mask, and log-probs of the stored samples under the act-time policy', () => {
  const agent = makeAgent('ram', ENV, { ...SMALL, std: 0.3, seed: 2 });
  const B = 3, T = 4;
  const r = collect(agent, B, T, false, new Rng(11));
  // Recompute the policy means with greedy acts on the same observations: same network, same h.
  const g = collect(agent, B, T, true, new Rng(0));
  const ev = agent.evaluate(r);
  assert.equal(ev.logProbs.shape, [T, B]);
  assert.equal(ev.baselines!.shape, [T, B]);
  assert.equal(ev.classLogProbs.shape, [B, 5]);
  assert.equal(Array.from(ev.decisionMask.dataSync()), [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  const lp = ev.logProbs.dataSync();
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      let want = 0;
      for (let k = 0; k < 2; k++) {
        const z = (r.records[t].sample[2 * b + k] - g.records[t].sample[2 * b + k]) / 0.3;
        want += -0.5 * z * z - Math.log(0.3) - 0.5 * Math.log(2 * Math.PI);
      }
      assert.ok(Math.abs(lp[t * B + b] - want) < 1e-3, `logProb[${t},${b}] ${lp[t * B + b]} vs ${want}`);
    }
  }
  // Class log-probs normalise, and their argmax is the label act chose at the last step.
  const clp = ev.classLogProbs.arraySync();
  clp.forEach((row, b) => {
    assert.ok(Math.abs(row.reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-4);
    assert.is(row.indexOf(Math.max(...row)), r.actions[T - 1].label[b]);
  });
  tf.dispose([ev.logProbs, ev.baselines!, ev.classLogProbs, ev.decisionMask]);
  assert.throws(() => agent.evaluate({ ...r, records: r.records.map(() => ({})) }), /records\[0\]\.sample must be a Float32Array of 6/);
  agent.dispose();
});

test('act disposes the previous state; disposeState frees the last one', () => {
  const agent = makeAgent('ram', ENV, { ...SMALL, core: 'lstm' });
  const s0 = agent.initialState(2);
  assert.is(s0.tensors.length, 2);
  const obs = { glimpse: new Float32Array(2 * 32).fill(0.5), location: new Float32Array(4) };
  const res = agent.act(obs, s0, { greedy: true, rng: new Rng(0) });
  assert.ok(s0.tensors.every((t) => t.isDisposed));
  assert.ok(res.state.tensors.every((t) => !t.isDisposed));
  agent.disposeState(res.state);
  assert.ok(res.state.tensors.every((t) => t.isDisposed));
  assert.throws(() => agent.act({ glimpse: new Float32Array(10), location: new Float32Array(4) }, agent.initialState(2), { greedy: true, rng: new Rng(0) }), /glimpse has 10 values, need 2 x 32/);
  agent.dispose();
});

test('weights round trip; missing, unknown and mis-shaped weights are rejected', () => {
  const a = makeAgent('ram', ENV, { ...SMALL, seed: 1 });
  const b = makeAgent('ram', ENV, { ...SMALL, seed: 2 });
  b.setWeights(a.getWeights());
  const ra = collect(a, 2, 3, false, new Rng(5));
  const rb = collect(b, 2, 3, false, new Rng(5));
  assert.equal(Array.from(ra.records[2].sample), Array.from(rb.records[2].sample));
  const w = a.getWeights();
  const { ['action/bias']: _gone, ...missing } = w;
  assert.throws(() => b.setWeights(missing), /weight 'action\/bias' is missing/);
  assert.throws(() => b.setWeights({ ...w, extra: { shape: [1], data: new Float32Array(1) } }), /unknown weight 'extra'/);
  const big = makeAgent('ram', ENV, { ...SMALL, hidden: 9 });
  assert.throws(() => b.setWeights(big.getWeights()), /weight 'core\/input\/kernel' has shape \[7, 9\] \(63 values\), the agent needs \[7, 8\]/);
  [a, b, big].forEach((x) => x.dispose());
});

test('LSTM core: state of two tensors, evaluate matches act, gradients reach every variable', () => {
  const agent = makeAgent('ram', ENV, { ...SMALL, core: 'lstm', seed: 3 });
  assert.is(agent.config.core, 'lstm');
  const r = collect(agent, 2, 3, true, new Rng(0));
  const ev = agent.evaluate(r);
  // Greedy samples are the means, so each log-prob is the Gaussian's peak: -2 log(std) - log(2 pi).
  const peak = -2 * Math.log(0.17) - Math.log(2 * Math.PI);
  for (const v of ev.logProbs.dataSync()) assert.ok(Math.abs(v - peak) < 1e-3);
  tf.dispose([ev.logProbs, ev.baselines!, ev.classLogProbs, ev.decisionMask]);
  r.returns.fill(1);
  const { value, grads } = tf.variableGrads(() => {
    const e = agent.evaluate(randomRollout(1, 2, 3, 32, 5));
    return tf.add(tf.sum(e.logProbs), tf.add(tf.sum(e.classLogProbs), tf.sum(e.baselines!))) as tf.Scalar;
  }, agent.trainableVariables());
  assert.is(Object.keys(grads).length, agent.trainableVariables().length);
  tf.dispose([value, ...Object.values(grads)]);
  agent.dispose();
});

test('tensor count does not grow over many act/evaluate calls; dispose frees the variables', () => {
  const before = tf.memory().numTensors;
  const agent = makeAgent('ram', ENV, SMALL);
  const rng = new Rng(1);
  // The agent holds nothing per rollout (activation caches belong to rollouts, and these keep
  // none): the count is taken after the first rollout, and must then stay put.
  let steady = -1;
  for (let i = 0; i < 20; i++) {
    const r = collect(agent, 3, 3, i % 2 === 1, rng);
    // evaluate runs inside the caller's scope (an algorithm's variableGrads); tidy stands in for it.
    tf.tidy(() => {
      agent.evaluate(r);
    });
    if (i === 0) steady = tf.memory().numTensors;
    else assert.is(tf.memory().numTensors, steady, `after rollout ${i}`);
  }
  agent.dispose();
  assert.is(tf.memory().numTensors, before);
  assert.throws(() => agent.initialState(0), /batchSize must be a positive integer, got 0/);
  assert.throws(() => agent.evaluate(randomRollout(1, 2, 3, 32, 5)), /agent used after dispose/);
  assert.ok(agent instanceof RamAgent);
});

test.run();

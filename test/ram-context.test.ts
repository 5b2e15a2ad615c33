/**
 * RAM's `context` option (the context network of Ba et al. 2015): the initial state comes from
 * the env's coarse view, so the first act step's location mean (glimpse 1's) depends on the view
 * and not on the step's glimpse; the replay covers the context step; REINFORCE reaches the
 * context layer through glimpse 1's location; without the option nothing changes. Run on the
 * reference path (the cpu backend); test/fast-path.test.ts compares the fast path with it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runners/backend';
import { makeAgent } from '../agents';
import { RAM_LAYERS, RamAgent, ramWeightShapes, resolveRamConfig } from '../agents/ram';
import { Rng } from '../envs/rng';
import { reinforceLoss } from '../algorithms/reinforce/losses';
import { actRollout, glimpseEnvInfo, hybridLossRun } from './helpers/ram-rollout';

const C = 5;
const K = 9; // a 3x3 coarse view
const ENV = glimpseEnvInfo(2, 4, C, 3);
const SMALL = { glimpseHidden: 6, locationHidden: 5, glimpseFeatures: 7, hidden: 8, seed: 4 };

test.before(async () => {
  await initBackend('cpu');
});

test('config: context defaults to false; true needs the env view and records its size; saved configs round-trip', () => {
  assert.is(resolveRamConfig(ENV).context, false);
  assert.not.ok('contextSize' in resolveRamConfig(ENV));
  const c = resolveRamConfig(ENV, { context: true });
  assert.equal([c.context, c.contextSize], [true, K]);
  assert.equal(resolveRamConfig(ENV, { ...c }), c, 'a saved config passed back resolves to itself');
  assert.throws(() => resolveRamConfig(glimpseEnvInfo(2, 4, C), { context: true }), /^ram: context is true but the env's observations carry no 'context' view; set envKwargs\.context to its side \(e\.g\. \{"context": 12\}\) or agent\.context=false$/);
  assert.throws(() => resolveRamConfig(ENV, { context: true, contextSize: 16 }), /^ram: contextSize=16 does not match the env's context view of 9 values$/);
  assert.throws(() => resolveRamConfig(ENV, { contextSize: 9 }), /^ram: contextSize=9 is given but context is false/);
  assert.throws(() => resolveRamConfig(ENV, { context: 'yes' }), /^ram: context must be true or false, got 'yes'$/);
  assert.equal(ramWeightShapes(c)['context/kernel'], [K, 256]);
  assert.equal(ramWeightShapes(c)['context/bias'], [256]);
});

test('weights: the context layer comes last; every other weight of a seed is what it is without the option', () => {
  const off = makeAgent('ram', ENV, SMALL);
  const on = makeAgent('ram', ENV, { ...SMALL, context: true });
  // An old saved config (no `context` key) builds the same agent as context: false.
  const { context: _c, ...old } = resolveRamConfig(ENV, SMALL);
  const legacy = makeAgent('ram', ENV, old);
  const wOff = off.getWeights(), wOn = on.getWeights(), wLegacy = legacy.getWeights();
  const keys = Object.values(RAM_LAYERS).flatMap(({ kind, key }) => (kind === 'dense' ? [`${key}/kernel`, `${key}/bias`] : [key]));
  assert.equal(Object.keys(wOff), keys);
  assert.equal(Object.keys(wOn), [...keys, 'context/kernel', 'context/bias']);
  for (const k of keys) {
    assert.equal(Array.from(wOn[k].data), Array.from(wOff[k].data), k);
    assert.equal(Array.from(wLegacy[k].data), Array.from(wOff[k].data), k);
  }
  assert.throws(() => off.setWeights(wOn), /unknown weight 'context\/kernel'/);
  assert.throws(() => on.setWeights(wOff), /weight 'context\/kernel' is missing from the checkpoint/);
  [off, on, legacy].forEach((a) => a.dispose());
});

/** The first act step (the context step) of `agent` on one observation: its greedy location means. */
function firstMean(agent: RamAgent, context: Float32Array, glimpse: Float32Array): number[] {
  const B = context.length / K;
  const res = agent.act({ glimpse, location: new Float32Array(2 * B), context }, agent.initialState(B), { greedy: true, rng: new Rng(0) });
  agent.disposeState(res.state);
  return Array.from(res.record!.sample);
}

for (const core of ['rnn', 'lstm'] as const) {
  test(`${core}: glimpse 1's location comes from the coarse view, not from the context step's glimpse`, () => {
    const agent = makeAgent('ram', ENV, { ...SMALL, core, context: true }) as RamAgent;
    const rng = new Rng(3);
    const view = Float32Array.from({ length: 2 * K }, () => rng.uniform());
    const other = Float32Array.from({ length: 2 * K }, () => rng.uniform());
    const zero = new Float32Array(2 * 32);
    const noise = Float32Array.from({ length: 2 * 32 }, () => rng.uniform());
    const m = firstMean(agent, view, zero);
    assert.equal(firstMean(agent, view, noise), m, 'the glimpse is ignored on the context step');
    assert.not.equal(firstMean(agent, other, zero), m, 'another view, another first location');
    assert.throws(() => agent.act({ glimpse: zero, location: new Float32Array(4) }, agent.initialState(2), { greedy: true, rng }), /^ram: observation has no 'context' \(the agent has context: true\); give the env envKwargs\.context, e\.g\. \{"context": 12\}$/);
    assert.throws(() => agent.act({ glimpse: zero, location: new Float32Array(4), context: new Float32Array(5) }, agent.initialState(2), { greedy: true, rng }), /context has 5 values, need 2 x 9/);
    agent.dispose();
  });

  test(`${core}: the replay covers the context step and matches act; REINFORCE trains the context layer`, () => {
    const agent = makeAgent('ram', ENV, { ...SMALL, core, context: true, std: 0.3 }) as RamAgent;
    const B = 3, T = 4; // a context step and 3 glimpses
    const before = tf.memory().numTensors;
    const r = actRollout(agent, B, T, new Rng(5), { contextLength: K, randomOutcomes: { classes: C } });
    // evaluate runs inside the caller's scope (an algorithm's variableGrads); tidy stands in for it.
    tf.tidy(() => {
      const ev = agent.evaluate(r);
      assert.equal(ev.logProbs.shape, [T, B]);
      assert.equal(Array.from(ev.decisionMask.dataSync()), [...new Array((T - 1) * B).fill(1), ...new Array(B).fill(0)], 'the context step decides glimpse 1: a REINFORCE decision');
      const lp = ev.logProbs.dataSync(), base = ev.baselines!.dataSync();
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          assert.ok(Math.abs(lp[t * B + b] - r.outputs![t].logProb[b]) < 1e-4, `logProb[${t},${b}] replay vs act`);
          assert.ok(Math.abs(base[t * B + b] - r.outputs![t].baseline![b]) < 1e-5, `baseline[${t},${b}] replay vs act`);
        }
      }
    });
    // REINFORCE alone: the context layer's gradient is not zero (glimpse 1's location and the later steps depend on h0).
    const vars = agent.trainableVariables();
    const { value, grads } = tf.variableGrads(() => {
      const e = agent.evaluate(r);
      return reinforceLoss(e.logProbs, tf.tensor1d(r.returns), e.baselines, e.decisionMask);
    }, vars);
    const ctx = vars[vars.length - 1];
    assert.ok(ctx.name.endsWith('context/bias'));
    assert.ok(Array.from(grads[ctx.name].dataSync()).some((g) => g !== 0), 'd reinforce / d context/bias is all zeros');
    tf.dispose([value, ...Object.values(grads)]);
    // The full loss reaches every weight; nothing leaks.
    const { grads: all } = hybridLossRun(agent, r);
    Object.keys(agent.getWeights()).forEach((k, i) => assert.ok(all[i].some((g) => g !== 0), `d ${k} is all zeros`));
    assert.is(tf.memory().numTensors, before, 'no tensor leak');
    agent.dispose();
  });
}

test.run();

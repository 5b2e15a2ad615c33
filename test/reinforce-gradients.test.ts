/**
 * Gradients of the REINFORCE and baseline terms on a tiny RAM (1 scale of 2x2, sizes 2-3,
 * 2 episodes of 3 glimpses), against a plain-JS float64 re-implementation of the network:
 * finite differences for every weight, and the closed-form gradients for the output biases.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { makeAgent } from '../agents';
import type { Agent, NamedWeights } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import { baselineMse, reinforceLoss } from '../algorithms/reinforce/losses';
import { glimpseEnvInfo, randomRollout } from './helpers/ram-rollout';

const STD = 0.5;
const B = 2, T = 3, D = 4, C = 3;

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

type W = Record<string, { shape: number[]; data: Float64Array }>;

function dense(x: number[], w: W, key: string): number[] {
  const k = w[`${key}/kernel`], b = w[`${key}/bias`];
  const [n, m] = k.shape;
  return Array.from({ length: m }, (_, j) => {
    let s = b.data[j];
    for (let i = 0; i < n; i++) s += x[i] * k.data[i * m + j];
    return s;
  });
}
const relu = (v: number[]) => v.map((x) => Math.max(0, x));

/** Plain-JS RAM (rnn core) forward: per step t and episode b, the core state, location mean and baseline. */
function forward(w: W, r: Rollout): { h: number[][][]; mu: number[][][]; base: number[][] } {
  const H = w['core/recurrent/kernel'].shape[0];
  const h: number[][][] = [], mu: number[][][] = [], base: number[][] = [];
  let prev: number[][] = Array.from({ length: B }, () => new Array(H).fill(0));
  for (let t = 0; t < T; t++) {
    const ht: number[][] = [], mt: number[][] = [], bt: number[] = [];
    for (let b = 0; b < B; b++) {
      const x = Array.from(r.observations[t].glimpse.subarray(b * D, (b + 1) * D));
      const l = Array.from(r.observations[t].location.subarray(b * 2, b * 2 + 2));
      const g = relu(dense([...relu(dense(x, w, 'glimpse/what')), ...relu(dense(l, w, 'glimpse/where'))], w, 'glimpse/combine'));
      const pre = dense(g, w, 'core/input');
      const rec = w['core/recurrent/kernel'];
      const hb = relu(pre.map((p, j) => p + prev[b].reduce((s, hi, i) => s + hi * rec.data[i * H + j], 0)));
      ht.push(hb);
      mt.push(dense(hb, w, 'location').map(Math.tanh));
      bt.push(dense(hb, w, 'baseline')[0]);
    }
    h.push(ht); mu.push(mt); base.push(bt);
    prev = ht;
  }
  return { h, mu, base };
}

/** REINFORCE term in JS with the baseline held fixed at `fixedBase` (the stop-gradient). */
function jsReinforce(w: W, r: Rollout, fixedBase: number[][]): number {
  const { mu } = forward(w, r);
  let s = 0;
  for (let t = 0; t < T - 1; t++) {
    for (let b = 0; b < B; b++) {
      let logp = 0;
      for (let k = 0; k < 2; k++) {
        const z = (r.records[t].sample[b * 2 + k] - mu[t][b][k]) / STD;
        logp += -0.5 * z * z - Math.log(STD) - 0.5 * Math.log(2 * Math.PI);
      }
      s += logp * (r.returns[b] - fixedBase[t][b]);
    }
  }
  return -s / B;
}

/** Baseline MSE in JS on core states held fixed at `fixedH` (the stop-gradient on h). */
function jsBaselineMse(w: W, r: Rollout, fixedH: number[][][]): number {
  let s = 0;
  for (let t = 0; t < T - 1; t++) for (let b = 0; b < B; b++) s += (dense(fixedH[t][b], w, 'baseline')[0] - r.returns[b]) ** 2;
  return s / ((T - 1) * B);
}

function toF64(w: NamedWeights): W {
  return Object.fromEntries(Object.entries(w).map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
}

/** Central finite differences of `f` with respect to every weight. */
function finiteDiff(w: W, f: (w: W) => number, eps = 1e-6): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(w)) {
    out[k] = Array.from(v.data, (x, i) => {
      v.data[i] = x + eps; const up = f(w);
      v.data[i] = x - eps; const down = f(w);
      v.data[i] = x;
      return (up - down) / (2 * eps);
    });
  }
  return out;
}

/** tfjs gradients of `term(evaluation)` for every variable, keyed by checkpoint name (zeros when not connected). */
function tfGrads(agent: Agent, r: Rollout, term: (ev: ReturnType<Agent['evaluate']>, R: tf.Tensor1D) => tf.Scalar): Record<string, number[]> {
  const vars = agent.trainableVariables();
  const { value, grads } = tf.variableGrads(() => term(agent.evaluate(r), tf.tensor1d(r.returns)), vars);
  const keys = Object.keys(agent.getWeights());
  const out = Object.fromEntries(vars.map((v, i) => [keys[i], grads[v.name] ? Array.from(grads[v.name].dataSync()) : new Array(v.size).fill(0)]));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

function assertClose(got: number[], want: number[], what: string): void {
  assert.is(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 2e-4 + 2e-3 * Math.abs(want[i]), `${what}[${i}]: tfjs ${g} vs reference ${want[i]}`));
}

function setup(detachLocationInput = false) {
  const agent = makeAgent('ram', glimpseEnvInfo(1, 2, C), { glimpseHidden: 3, locationHidden: 2, glimpseFeatures: 3, hidden: 3, std: STD, seed: 21, detachLocationInput });
  const r = randomRollout(8, B, T, D, C);
  r.returns.set([1, 0]);
  const w = toF64(agent.getWeights());
  return { agent, r, w, ref: forward(w, r) };
}

test('REINFORCE gradient matches finite differences, the closed form, and never reaches the baseline', () => {
  const { agent, r, w, ref } = setup();
  const before = tf.memory().numTensors;
  const got = tfGrads(agent, r, (ev, R) => reinforceLoss(ev.logProbs, R, ev.baselines, ev.decisionMask));
  const want = finiteDiff(w, (x) => jsReinforce(x, r, ref.base));
  for (const k of Object.keys(want)) assertClose(got[k], want[k], k);
  // Closed form for the location bias: d/db_k = -(1/B) sum_t<T-1,b (R_b - base) (s - mu)/std^2 (1 - mu^2).
  const hand = [0, 1].map((k) => {
    let s = 0;
    for (let t = 0; t < T - 1; t++) for (let b = 0; b < B; b++) {
      const m = ref.mu[t][b][k];
      s += (r.returns[b] - ref.base[t][b]) * ((r.records[t].sample[b * 2 + k] - m) / STD ** 2) * (1 - m * m);
    }
    return -s / B;
  });
  assertClose(got['location/bias'], hand, 'location/bias (closed form)');
  assert.ok(got['location/bias'].some((g) => Math.abs(g) > 1e-3), 'the policy gradient is not trivially zero');
  for (const k of ['baseline/kernel', 'baseline/bias']) assert.ok(got[k].every((g) => g === 0), `${k} must get no REINFORCE gradient`);
  assert.is(tf.memory().numTensors, before);
  agent.dispose();
});

test('detachLocationInput: REINFORCE gradient reaches only the location head, which matches finite differences', () => {
  const { agent, r, w, ref } = setup(true);
  const before = tf.memory().numTensors;
  const got = tfGrads(agent, r, (ev, R) => reinforceLoss(ev.logProbs, R, ev.baselines, ev.decisionMask));
  // With h held fixed only the location head moves the term: its finite differences are the reference.
  const want = finiteDiff(w, (x) => jsReinforce(x, r, ref.base));
  for (const k of ['location/kernel', 'location/bias']) {
    assertClose(got[k], want[k], k);
    assert.ok(got[k].some((g) => Math.abs(g) > 1e-4), `${k} gets a REINFORCE gradient`);
  }
  for (const k of Object.keys(got)) {
    if (!k.startsWith('location/')) assert.ok(got[k].every((g) => g === 0), `${k} must get no REINFORCE gradient`);
  }
  assert.is(tf.memory().numTensors, before);
  agent.dispose();
});

test('baseline gradient matches finite differences and the closed form, and never reaches h', () => {
  const { agent, r, w, ref } = setup();
  const got = tfGrads(agent, r, (ev, R) => baselineMse(ev.baselines!, R, ev.decisionMask));
  const want = finiteDiff(w, (x) => jsBaselineMse(x, r, ref.h));
  for (const k of Object.keys(want)) assertClose(got[k], want[k], k);
  // d/d bias = (2 / count) sum (base - R) over the decision steps.
  let s = 0;
  for (let t = 0; t < T - 1; t++) for (let b = 0; b < B; b++) s += ref.base[t][b] - r.returns[b];
  assertClose(got['baseline/bias'], [(2 * s) / ((T - 1) * B)], 'baseline/bias (closed form)');
  for (const k of Object.keys(got)) {
    if (!k.startsWith('baseline/')) assert.ok(got[k].every((g) => g === 0), `${k} must get no baseline gradient`);
  }
  agent.dispose();
});

test.run();

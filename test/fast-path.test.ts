/**
 * RAM's fast path (agents/ram/fast/: native forward, hand-written backward) against the reference
 * replay (the networks under autograd) of the same agent: equal outputs and equal gradients of
 * the full hybrid loss for every weight, for T = 1 (no recurrence), 4 and 7 and several batch
 * sizes; no tensor leak. The same with the context network (`context`: step 0 sets the state from
 * a coarse view), for both cores. And with `detachLocationInput` on, with and without the context
 * network, where REINFORCE must train only the location head.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runners/backend';
import { fastPathAvailable } from '../agents/ram/fast';
import { loadNativeAddon } from '../native/addon';
import { RamAgent, resolveRamConfig } from '../agents/ram';
import type { Evaluation } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import { reinforceLoss } from '../algorithms/reinforce/losses';
import { glimpseEnvInfo, hybridLossRun, randomRollout } from './helpers/ram-rollout';

const C = 5;

test.before(async () => {
  await initBackend('wasm');
});

/** Side of the coarse view of the context-network agents (a 3x3 view: 9 values). */
const CONTEXT_SIDE = 3;

function agentFor(scales: number, g: number, detachLocationInput = false, core: 'rnn' | 'lstm' = 'rnn', context = false): RamAgent {
  const env = glimpseEnvInfo(scales, g, C, context ? CONTEXT_SIDE : 0);
  return new RamAgent(resolveRamConfig(env, { glimpseHidden: 6, locationHidden: 5, glimpseFeatures: 7, hidden: 8, seed: 4, std: 0.3, detachLocationInput, core, context }));
}

/** Values of the outputs and the gradient of the hybrid loss for every variable. */
function run(agent: RamAgent, r: Rollout, replay: (r: Rollout) => Evaluation): { outputs: number[][]; grads: number[][] } {
  return hybridLossRun(agent, r, replay);
}

function assertClose(got: number[], want: number[], what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]), `${what}[${i}]: fast ${g} vs reference ${want[i]}`));
}

test('with the addon built, the equivalence tests below run the fast path of both cores (the lstm on the native cell kernels)', () => {
  // A skip below would otherwise hide an addon that lacks the lstm cell kernels.
  if (loadNativeAddon() === null) return;
  assert.ok(fastPathAvailable('rnn'), 'rnn fast path');
  assert.ok(fastPathAvailable('lstm'), 'lstm fast path: the addon lacks lstmCellForward / lstmCellBackward');
});

const CASES = [
  ['rnn', 1, 3, false], ['rnn', 4, 3, false], ['rnn', 7, 1, false], ['rnn', 4, 9, false], ['lstm', 1, 3, false], ['lstm', 4, 3, false], ['lstm', 7, 2, false],
  // The context step plus T - 1 glimpses.
  ['rnn', 2, 3, true], ['rnn', 5, 4, true], ['lstm', 2, 3, true], ['lstm', 5, 2, true],
] as const;

for (const [core, T, B, context] of CASES) {
  test(`${core}${context ? ' context' : ''} T=${T} B=${B}: fast outputs and gradients equal the reference replay's`, () => {
    if (!fastPathAvailable(core)) {
      console.log('fast-path equivalence skipped: native dense kernels unavailable');
      return;
    }
    const agent = agentFor(2, 3, false, core, context);
    const r = randomRollout(T + 10, B, T, 2 * 3 * 3, C, context ? CONTEXT_SIDE ** 2 : 0);
    const before = tf.memory().numTensors;
    const fast = run(agent, r, (x) => agent.evaluate(x));
    const reference = run(agent, r, (x) => agent.evaluateReference(x));
    assert.is(tf.memory().numTensors, before, 'no tensor leak');
    ['logProbs', 'baselines', 'classLogProbs', 'decisionMask'].forEach((k, i) => assertClose(fast.outputs[i], reference.outputs[i], k));
    const keys = Object.keys(agent.getWeights());
    keys.forEach((k, i) => assertClose(fast.grads[i], reference.grads[i], `d ${k}`));
    // The gradients are not trivially zero: every layer is reached (with one step, only the
    // classifier path is: no recurrence, and the mask zeroes the location and baseline terms).
    for (const [i, k] of keys.entries()) {
      if (T === 1 && (k === 'core/recurrent/kernel' || k.startsWith('location/') || k.startsWith('baseline/'))) continue;
      assert.ok(fast.grads[i].some((g) => g !== 0), `d ${k} is all zeros`);
    }
    agent.dispose();
  });
}

/** Gradients of the REINFORCE term alone (the only one the location head's input detach changes). */
function reinforceGrads(agent: RamAgent, r: Rollout, replay: (r: Rollout) => Evaluation): number[][] {
  const vars = agent.trainableVariables();
  const { value, grads } = tf.variableGrads(() => {
    const ev = replay(r);
    return reinforceLoss(ev.logProbs, tf.tensor1d(r.returns), ev.baselines, ev.decisionMask);
  }, vars);
  const out = vars.map((v) => (grads[v.name] ? Array.from(grads[v.name].dataSync()) : new Array<number>(v.size).fill(0)));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

for (const [core, context] of [['rnn', false], ['lstm', false], ['rnn', true], ['lstm', true]] as const) {
  test(`${core}${context ? ' context' : ''} detachLocationInput: fast equals reference; REINFORCE trains only the location head`, () => {
    if (!fastPathAvailable(core)) console.log('fast path unavailable: the detach test checks the reference alone');
    {
      const T = 4;
      const on = agentFor(2, 3, true, core, context);
      const off = agentFor(2, 3, false, core, context);
      const r = randomRollout(T + 20, 3, T, 2 * 3 * 3, C, context ? CONTEXT_SIDE ** 2 : 0);
      const before = tf.memory().numTensors;
      const fast = run(on, r, (x) => on.evaluate(x));
      const reference = run(on, r, (x) => on.evaluateReference(x));
      const plain = run(off, r, (x) => off.evaluate(x));
      const rFast = reinforceGrads(on, r, (x) => on.evaluate(x));
      const rReference = reinforceGrads(on, r, (x) => on.evaluateReference(x));
      const rPlain = reinforceGrads(off, r, (x) => off.evaluate(x));
      assert.is(tf.memory().numTensors, before, 'no tensor leak');
      // Forward values do not change; fast and reference agree on every gradient of the full loss.
      ['logProbs', 'baselines', 'classLogProbs', 'decisionMask'].forEach((k, i) => {
        assertClose(fast.outputs[i], reference.outputs[i], k);
        assertClose(fast.outputs[i], plain.outputs[i], `${k} (detached vs not)`);
      });
      const keys = Object.keys(on.getWeights());
      if (context) assert.ok(keys.some((k) => k.startsWith('context/')), `the context layer is among the weights: ${keys.join(', ')}`);
      keys.forEach((k, i) => assertClose(fast.grads[i], reference.grads[i], `d ${k}`));
      for (const [i, k] of keys.entries()) {
        assertClose(rFast[i], rReference[i], `d reinforce / d ${k}`);
        // The context layer sets h0, upstream of the detach like the glimpse and core layers.
        if (k.startsWith('glimpse/') || k.startsWith('core/') || k.startsWith('context/')) {
          assert.ok(rFast[i].every((g) => g === 0), `d reinforce / d ${k} must be exactly 0 (fast)`);
          assert.ok(rReference[i].every((g) => g === 0), `d reinforce / d ${k} must be exactly 0 (reference)`);
          assert.ok(rPlain[i].some((g) => g !== 0), `without the detach, d reinforce / d ${k} is not 0`);
        } else if (k.startsWith('location/')) {
          // The location head's own gradient is the undetached one.
          assert.ok(rFast[i].some((g) => g !== 0), `d reinforce / d ${k} is all zeros`);
          assertClose(rFast[i], rPlain[i], `d reinforce / d ${k} (detached vs not)`);
        }
      }
      // The classifier and baseline terms are untouched: their heads get the same gradients.
      for (const [i, k] of keys.entries()) {
        if (k.startsWith('action/') || k.startsWith('baseline/') || k.startsWith('location/')) assertClose(fast.grads[i], plain.grads[i], `d ${k} (detached vs not)`);
      }
      on.dispose();
      off.dispose();
    }
  });
}

test('detachLocationInput: defaults to false, rejects a non-boolean', () => {
  assert.is(resolveRamConfig(glimpseEnvInfo(1, 2, C)).detachLocationInput, false);
  assert.throws(() => resolveRamConfig(glimpseEnvInfo(1, 2, C), { detachLocationInput: 'yes' }), /^ram: detachLocationInput must be true or false, got 'yes'$/);
});

test('outside a gradient scope the fast replay is a plain forward pass that leaks nothing', () => {
  const agent = agentFor(1, 2);
  const r = randomRollout(3, 4, 3, 4, C);
  const before = tf.memory().numTensors;
  const got = tf.tidy(() => Array.from(tf.exp(agent.evaluate(r).classLogProbs).dataSync()));
  assert.is(tf.memory().numTensors, before);
  for (let b = 0; b < 4; b++) assertClose([got.slice(b * C, (b + 1) * C).reduce((a, x) => a + x, 0)], [1], `sum of class probabilities of episode ${b}`);
  agent.dispose();
});

test.run();

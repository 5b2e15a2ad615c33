/**
 * reinforce-no-baseline: its loss by hand on a tiny case, the baseline untouched (vs reinforce,
 * which trains it), and every algorithm on an agent with no baseline and constant log-probs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { listAlgorithms, makeAlgorithm } from '../algorithms';
import { TinyAgent, tinyRollout } from './helpers/tiny-agent';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
// B=2, T=2, C=2. logSoftmax rows: [ln .5, ln .5], [ln .75, ln .25]; targets [0, 1]; returns [1, 0].
const INIT = { logits: [[0, 0], [Math.log(3), 0]], logProbs: [[-1, -2], [-0.5, -0.5]], baselines: [[0.25, 0.5], [0, 0]], mask: [[1, 1], [0, 0]] };
const NLL = -(Math.log(0.5) + Math.log(0.25)) / 2;

test('loss by hand: nll + 0.01 * -(1/B) sum mask * logp * R (advantage = reward)', () => {
  const agent = new TinyAgent(INIT);
  const algo = makeAlgorithm('reinforce-no-baseline');
  const m = algo.update(agent, tinyRollout([1, 0], [0, 1], 2));
  // t=0 only: (-1)(1) + (-2)(0) = -1 -> reinforce term 0.5.
  close(m.nll, NLL);
  close(m.reinforce, 0.5);
  close(m.loss, NLL + 0.01 * 0.5);
  assert.equal([m.reward, m.accuracy, m.lr], [0.5, 0.5, 1e-3]);
  assert.equal(Object.keys(m).sort(), ['accuracy', 'gradNorm', 'loss', 'lr', 'nll', 'reinforce', 'reward']);
  agent.dispose();
  algo.dispose();
});

test('the baseline is neither subtracted nor trained (reinforce trains it on the same case)', () => {
  const before = INIT.baselines.flat();
  const a = new TinyAgent(INIT);
  const b = new TinyAgent(INIT);
  const ablation = makeAlgorithm('reinforce-no-baseline', { lr: 0.1 });
  const full = makeAlgorithm('reinforce', { lr: 0.1 });
  for (let i = 0; i < 3; i++) {
    ablation.update(a, tinyRollout([1, 0], [0, 1], 2));
    full.update(b, tinyRollout([1, 0], [0, 1], 2));
  }
  assert.equal(Array.from(a.baselines!.dataSync()), before);
  assert.ok(Array.from(b.baselines!.dataSync()).some((v, i) => Math.abs(v - before[i]) > 0.05), 'reinforce moves its baseline');
  // Reinforce's advantage R - b = [0.75, -0.5] pushes logp[0, 1] down; R alone leaves it (its R is 0).
  assert.ok(b.logProbs.dataSync()[1] < -2 - 0.05);
  close(a.logProbs.dataSync()[1], -2);
  for (const x of [a, b, ablation, full]) x.dispose();
});

test('every algorithm takes an agent without baseline or policy gradient (random-glimpse style)', () => {
  const ids = listAlgorithms().map((a) => a.id);
  assert.ok(['ppo', 'reinforce', 'reinforce-no-baseline'].every((id) => ids.includes(id)), ids.join());
  for (const id of ['ppo', 'reinforce', 'reinforce-no-baseline']) {
    // Constant zero log-probs and no baseline: only the classifier can learn.
    const agent = new TinyAgent({ logits: INIT.logits, logProbs: [[0, 0], [0, 0]], mask: INIT.mask, constantLogProbs: true });
    const algo = makeAlgorithm(id, { lr: 0.1 });
    const first = algo.update(agent, tinyRollout([1, 0], [0, 1], 2));
    const n0 = tf.memory().numTensors; // after the first update made Adam's slots
    const m = algo.update(agent, tinyRollout([1, 0], [0, 1], 2));
    assert.ok(m.nll < first.nll, `${id}: nll ${first.nll} -> ${m.nll}`);
    assert.ok(Object.values(m).every(Number.isFinite), `${id}: ${JSON.stringify(m)}`);
    assert.is(tf.memory().numTensors, n0, `${id}: no tensor leak`);
    agent.dispose();
    algo.dispose();
  }
  assert.throws(() => makeAlgorithm('reinforce-no-baseline', { baselineWeight: 1 }), /^reinforce-no-baseline: unknown option 'baselineWeight'; allowed: /);
});

test.run();

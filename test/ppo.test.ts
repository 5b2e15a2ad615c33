/**
 * PPO: the clipped surrogate by hand (value, gradient, which elements clip), its diagnostics,
 * minibatch slicing, one update of the whole loss by hand, and the algorithm on the RAM agent.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { makeAgent } from '../agents';
import { listAlgorithms, makeAlgorithm } from '../algorithms';
import { approxKl, clipFraction, clippedSurrogateLoss } from '../algorithms/ppo/losses';
import { minibatchIndices, selectEpisodes } from '../algorithms/ppo/minibatch';
import { resolvePpoOptions } from '../algorithms/ppo/ppo';
import { Rng } from '../envs/rng';
import { glimpseEnvInfo, randomRollout } from './helpers/ram-rollout';
import { TinyAgent, tinyRollout } from './helpers/tiny-agent';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const closeAll = (a: ArrayLike<number>, b: number[], tol = 1e-5) => b.forEach((v, i) => close(a[i], v, tol));

// Ratios r = exp(logp - 0) and advantages chosen to hit every case of min(rA, clip(r)A), eps 0.2:
//   (1.5, A=+1) clipped 1.2   (0.5, A=+1) unclipped 0.5   (0.5, A=-1) clipped -0.8
//   (1.1, A=-1) inside -1.1   (1.0, A=+2) inside 2        (1.5, A=-1) unclipped -1.5
const R = [[1.5, 0.5, 0.5], [1.1, 1, 1.5]];
const A = [[1, 1, -1], [-1, 2, -1]];

test('clippedSurrogateLoss: -(1/B) sum min(rA, clip(r)A), gradient r*A only where unclipped', () => {
  const logp = tf.tensor2d(R.map((row) => row.map(Math.log)));
  const old = tf.zeros([2, 3]) as tf.Tensor2D;
  const adv = tf.tensor2d(A);
  const mask = tf.ones([2, 3]) as tf.Tensor2D;
  const loss = clippedSurrogateLoss(logp, old, adv, mask, 0.2);
  // mins: 1.2 + 0.5 - 0.8 - 1.1 + 2 - 1.5 = 0.3; B = 3.
  close(loss.dataSync()[0], -0.1);
  const g = tf.grad((x: tf.Tensor) => clippedSurrogateLoss(x as tf.Tensor2D, old, adv, mask, 0.2))(logp);
  // -(1/3) * [0, 0.5, 0; -1.1, 2, -1.5]: clipped elements pass no gradient.
  closeAll(g.dataSync(), [0, -0.5 / 3, 0, 1.1 / 3, -2 / 3, 0.5]);
  // A mask removes a decision from both value and gradient.
  const half = tf.tensor2d([[1, 1, 1], [0, 0, 0]]);
  close(clippedSurrogateLoss(logp, old, adv, half, 0.2).dataSync()[0], -(1.2 + 0.5 - 0.8) / 3);
  close(clipFraction(logp, old, mask, 0.2).dataSync()[0], 4 / 6);
  close(approxKl(logp, old, mask).dataSync()[0], -R.flat().reduce((s, r) => s + Math.log(r), 0) / 6);
  assert.throws(() => clippedSurrogateLoss(logp, old, adv, mask, 0), /clip must be a number > 0, got 0/);
  assert.throws(() => clippedSurrogateLoss(logp, tf.zeros([3, 2]) as tf.Tensor2D, adv, mask, 0.2), /oldLogProbs has shape \[3, 2\], logProbs has \[2, 3\]/);
  tf.dispose([logp, old, adv, mask, loss, g, half]);
});

test('clippedSurrogateLoss at ratio 1 equals the REINFORCE surrogate (value and gradient)', () => {
  const logp = tf.tensor2d([[-1, -2], [-0.5, -3]]);
  const adv = tf.tensor2d([[0.75, -0.5], [0.2, 1]]);
  const mask = tf.tensor2d([[1, 1], [0, 0]]);
  const surrogate = (x: tf.Tensor) => clippedSurrogateLoss(x as tf.Tensor2D, logp, adv, mask, 0.2);
  close(surrogate(logp).dataSync()[0], -(0.75 - 0.5) / 2);
  // d/dlogp of -(1/B) sum mask * logp * A is -(1/B) mask * A.
  closeAll(tf.grad(surrogate)(logp).dataSync(), [-0.375, 0.25, 0, 0]);
  tf.dispose([logp, adv, mask]);
});

test('selectEpisodes and minibatchIndices: rows picked per key, near-equal shuffled groups', () => {
  const r = randomRollout(1, 5, 2, 3, 4);
  const part = selectEpisodes(r, [4, 1]);
  assert.is(part.batchSize, 2);
  assert.equal(Array.from(part.observations[1].glimpse.subarray(0, 3)), Array.from(r.observations[1].glimpse.subarray(12, 15)));
  assert.equal(Array.from(part.records[0].sample), [...r.records[0].sample.subarray(8, 10), ...r.records[0].sample.subarray(2, 4)]);
  assert.equal(Array.from(part.targets), [r.targets[4], r.targets[1]]);
  assert.ok(part.actions[0].label instanceof Int32Array);
  assert.throws(() => selectEpisodes(r, [5]), /index 5 is not an episode in \[0, 5\)/);
  const groups = minibatchIndices(10, 3, new Rng(1));
  assert.equal(groups.map((g) => g.length), [3, 3, 4]);
  assert.equal(groups.flatMap((g) => Array.from(g)).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.throws(() => minibatchIndices(4, 5, new Rng(1)), /minibatches=5 must be an integer in \[1, 4\]/);
});

test('options: defaults, one-line errors naming the key', () => {
  const o = resolvePpoOptions();
  assert.equal([o.epochs, o.clip, o.minibatches, o.policyWeight, o.valueWeight, o.lr], [4, 0.2, 1, 0.01, 1, 1e-3]);
  assert.ok(listAlgorithms().some((a) => a.id === 'ppo'));
  assert.throws(() => makeAlgorithm('ppo', { clip: 1.5 }), /^ppo: clip must be a number in \(0, 1\), got 1.5$/);
  assert.throws(() => makeAlgorithm('ppo', { epochs: 0 }), /^ppo: epochs must be an integer in \[1, 100\], got 0$/);
  assert.throws(() => makeAlgorithm('ppo', { baselineWeight: 1 }), /^ppo: unknown option 'baselineWeight'; allowed: .*valueWeight/);
});

test('one update by hand: nll + 0.01 * surrogate + baseline MSE at ratio 1; epochs step Adam repeatedly', () => {
  // B=2, T=2, C=2. logSoftmax rows: [ln .5, ln .5], [ln .75, ln .25]; targets [0, 1].
  const init = { logits: [[0, 0], [Math.log(3), 0]], logProbs: [[-1, -2], [-0.5, -0.5]], baselines: [[0.25, 0.5], [0, 0]], mask: [[1, 1], [0, 0]] };
  const rollout = tinyRollout([1, 0], [0, 1], 2);
  const nll = -(Math.log(0.5) + Math.log(0.25)) / 2;
  const surrogate = -((1 - 0.25) * 1 + (0 - 0.5) * 1) / 2; // A = R - b at t=0, ratio 1
  const mse = ((0.25 - 1) ** 2 + (0.5 - 0) ** 2) / 2;
  const agent = new TinyAgent(init);
  const ppo = makeAlgorithm('ppo', { epochs: 1 });
  const m = ppo.update(agent, rollout);
  close(m.nll, nll);
  close(m.policy, surrogate);
  close(m.baselineMse, mse);
  close(m.loss, nll + 0.01 * surrogate + mse);
  assert.equal([m.clipFraction, m.approxKl, m.reward, m.accuracy], [0, 0, 0.5, 0.5]);
  close(m.baseline, (0.25 + 0.5 + 0 + 0) / 4);
  assert.is(ppo.getState().scalars.iterations, 1);
  agent.dispose();
  ppo.dispose();
  // 3 epochs = 3 Adam steps per update; later passes see ratio != 1. (Minibatches: see the RAM test.)
  const agent2 = new TinyAgent(init);
  const ppo2 = makeAlgorithm('ppo', { epochs: 3, lr: 0.1 });
  const m2 = ppo2.update(agent2, rollout);
  assert.is(ppo2.getState().scalars.iterations, 3);
  assert.ok(m2.approxKl !== 0, 'the policy moved between passes');
  const ppo3 = makeAlgorithm('ppo', { minibatches: 2 });
  assert.throws(() => ppo3.update(agent2, tinyRollout([1], [0], 2)), /minibatches=2 is more than the 1 episodes/);
  ppo3.dispose();
  agent2.dispose();
  ppo2.dispose();
});

test('clipping stops the policy: once the ratio leaves [1-eps, 1+eps] later epochs do not move it', () => {
  // beta1 = 0: Adam without momentum, so a zero gradient means no step. A = R - b = 1 > 0.
  const run = (epochs: number) => {
    const agent = new TinyAgent({ logits: [[0, 0]], logProbs: [[0], [0]], baselines: [[0], [0]], mask: [[1], [0]] });
    const ppo = makeAlgorithm('ppo', { epochs, lr: 0.5, clip: 0.1, policyWeight: 1, beta1: 0 });
    const m = ppo.update(agent, tinyRollout([1], [0], 2));
    const logp = agent.logProbs.dataSync()[0];
    agent.dispose();
    ppo.dispose();
    return { m, logp };
  };
  const one = run(1);
  const eight = run(8);
  // The first step (ratio 1) moves logp by about lr = 0.5, past log(1 + 0.1): clipped from then on.
  assert.ok(one.logp > Math.log(1.1), `logp ${one.logp}`);
  assert.is(one.m.clipFraction, 0);
  assert.is(eight.logp, one.logp, 'seven clipped epochs leave the policy where the first left it');
  close(eight.m.clipFraction, 7 / 8);
});

test('on the RAM agent: the loss falls on a fixed rollout, no tensor leaks, state round trip', () => {
  const env = glimpseEnvInfo(1, 4, 4);
  const agent = makeAgent('ram', env, { glimpseHidden: 8, locationHidden: 4, glimpseFeatures: 8, hidden: 8, seed: 3 });
  const ppo = makeAlgorithm('ppo', { lr: 3e-3, epochs: 2, minibatches: 2 });
  const r = randomRollout(2, 8, 3, 16, 4);
  const first = ppo.update(agent, r);
  const n0 = tf.memory().numTensors;
  let m = first;
  for (let i = 0; i < 15; i++) m = ppo.update(agent, r);
  assert.is(tf.memory().numTensors, n0, 'tensor count is stable across updates');
  assert.ok(m.loss < first.loss - 0.1, `loss ${first.loss} -> ${m.loss}`);
  for (const v of Object.values(m)) assert.ok(Number.isFinite(v));
  const state = ppo.getState();
  assert.is(state.scalars.iterations, 16 * 4);
  const again = makeAlgorithm('ppo', { lr: 3e-3, epochs: 2, minibatches: 2 });
  again.setState(state);
  assert.equal(again.getState().scalars, state.scalars);
  assert.throws(() => again.setState({ weights: {}, scalars: { lr: 1 } }), /^ppo: optimizer state needs scalars.iterations/);
  agent.dispose();
  ppo.dispose();
  again.dispose();
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { baselineMse, classificationNll, hybridLoss, reinforceLoss } from '../algorithms/reinforce/losses';
import { REINFORCE_DEFAULTS, resolveReinforceOptions, scheduledLr } from '../algorithms/reinforce/reinforce';

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('classificationNll: minus the mean log-prob of the true classes', () => {
  const lp = tf.tensor2d([[Math.log(0.7), Math.log(0.2), Math.log(0.1)], [Math.log(0.25), Math.log(0.25), Math.log(0.5)]]);
  const nll = classificationNll(lp, Int32Array.from([0, 2]));
  close(nll.dataSync()[0], -(Math.log(0.7) + Math.log(0.5)) / 2);
  assert.throws(() => classificationNll(lp, Int32Array.from([0, 3])), /targets\[1\]=3 is not a class in \[0, 3\)/);
  assert.throws(() => classificationNll(lp, Int32Array.from([-1, 0])), /targets\[0\]=-1/);
  assert.throws(() => classificationNll(lp, Int32Array.from([0])), /1 targets for a batch of 2/);
  tf.dispose([lp, nll]);
});

test('reinforceLoss: -(1/B) sum mask * logp * (R - b); without baseline the advantage is R', () => {
  const logp = tf.tensor2d([[-1, -3], [-3, -4]]);
  const R = tf.tensor1d([1, 0]);
  const b = tf.tensor2d([[0.5, 0.25], [0.1, 0.2]]);
  const mask = tf.tensor2d([[1, 1], [0, 0]]);
  // t=0: (-1)(1-0.5) + (-3)(0-0.25) = -0.5 + 0.75 = 0.25; t=1 masked out; loss = -0.25/2.
  close(reinforceLoss(logp, R, b, mask).dataSync()[0], -0.125);
  // No baseline: (-1)(1) + (-3)(0) = -1 -> 0.5.
  close(reinforceLoss(logp, R, null, mask).dataSync()[0], 0.5);
  // Full mask adds t=1: (-3)(0.9) + (-4)(-0.2) = -1.9 -> -(0.25 - 1.9)/2 = 0.825.
  const full = tf.onesLike(mask) as tf.Tensor2D;
  close(reinforceLoss(logp, R, b, full).dataSync()[0], 0.825, 1e-5);
  tf.dispose([logp, R, b, mask, full]);
});

test('baselineMse: mean squared error over masked steps; an empty mask gives 0', () => {
  const R = tf.tensor1d([1, 0]);
  const b = tf.tensor2d([[0.5, 0.25], [0.1, 0.2]]);
  const mask = tf.tensor2d([[1, 1], [0, 0]]);
  close(baselineMse(b, R, mask).dataSync()[0], (0.25 + 0.0625) / 2);
  const none = tf.zeros([2, 2]) as tf.Tensor2D;
  close(baselineMse(b, R, none).dataSync()[0], 0);
  tf.dispose([R, b, mask, none]);
});

test('hybridLoss: nll + w_r * reinforce + w_b * baseline', () => {
  const t = { nll: tf.scalar(2), reinforce: tf.scalar(-0.5), baseline: tf.scalar(0.25) };
  close(hybridLoss(t, { reinforce: 0.5, baseline: 2 }).dataSync()[0], 2 - 0.25 + 0.5);
  close(hybridLoss(t, { reinforce: 0, baseline: 0 }).dataSync()[0], 2);
  tf.dispose(Object.values(t));
});

test('learning-rate schedules and option validation', () => {
  const base = resolveReinforceOptions({ lr: 0.01 });
  assert.is(scheduledLr(base, 1), 0.01);
  assert.is(scheduledLr(base, 50), 0.01);
  const cos = resolveReinforceOptions({ lr: 0.01, schedule: 'cosine', decayEpochs: 4, minLr: 0.001 });
  close(scheduledLr(cos, 1), 0.01);
  close(scheduledLr(cos, 3), 0.001 + 0.5 * 0.009 * (1 + Math.cos(Math.PI / 2)));
  close(scheduledLr(cos, 5), 0.001);
  close(scheduledLr(cos, 9), 0.001);
  const step = resolveReinforceOptions({ lr: 0.01, schedule: 'step', stepEpochs: 2, gamma: 0.5 });
  assert.equal([1, 2, 3, 4, 5].map((e) => scheduledLr(step, e)), [0.01, 0.01, 0.005, 0.005, 0.0025]);
  assert.is(REINFORCE_DEFAULTS.lr, 1e-3);
  assert.is(REINFORCE_DEFAULTS.reinforceWeight, 0.01);
  assert.throws(() => resolveReinforceOptions({ learningRate: 1 }), /unknown option 'learningRate'/);
  assert.throws(() => resolveReinforceOptions({ lr: -1 }), /lr must be a number > 0, got -1/);
  assert.throws(() => resolveReinforceOptions({ lr: '0.1' }), /lr must be a number > 0, got "0.1"/);
  assert.throws(() => resolveReinforceOptions({ schedule: 'linear' }), /schedule must be 'constant', 'cosine' or 'step', got "linear"/);
  assert.throws(() => resolveReinforceOptions({ schedule: 'cosine' }), /schedule cosine needs decayEpochs >= 1/);
  assert.throws(() => resolveReinforceOptions({ schedule: 'step' }), /schedule step needs stepEpochs >= 1/);
  assert.throws(() => resolveReinforceOptions({ clipNorm: -1 }), /clipNorm must be a number >= 0/);
});

test.run();

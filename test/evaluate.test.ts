import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, hashSeed } from '../envs/rng';
import type { Batch, VectorResetOptions } from '../envs/vector-env';
import { collectRollout } from '../runners/collect';
import { evaluateSplit } from '../runners/evaluate';
import { FakeAgent, FakeVectorEnv } from './helpers/fakes';
import { setUpBackend } from './helpers/run-helpers';

const test = suite('evaluate');
test.before(async () => {
  await setUpBackend();
});

/** A fake env that records which item indices its episodes used. */
class RecordingEnv extends FakeVectorEnv {
  seen: number[] = [];
  override reset(options: VectorResetOptions = {}) {
    const r = super.reset(options);
    for (const o of options.options as Array<{ index: number }>) this.seen.push(o.index);
    return r;
  }
}

function trainedAgent(env: FakeVectorEnv): FakeAgent {
  const agent = new FakeAgent({ observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace });
  // The identity weights classify the noise-free task perfectly.
  tf.tidy(() => agent.w.assign(tf.mul(tf.eye(env.classes), 10)));
  return agent;
}

test('scores every item exactly once; the padded tail of the last batch is masked out', () => {
  const env = new RecordingEnv(4, { items: 10, noise: 0 });
  const agent = trainedAgent(env);
  const r = evaluateSplit(env, agent, { samples: 0, seed: 3 });
  assert.equal({ correct: r.correct, total: r.total, accuracy: r.accuracy, error: r.error }, { correct: 10, total: 10, accuracy: 1, error: 0 });
  // Chunks [0..3], [4..7], [8, 9, 9, 9]: the padding repeats the last item.
  assert.equal(env.seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9]);
  const capped = evaluateSplit(env, agent, { samples: 0, seed: 3, maxItems: 6 });
  assert.is(capped.total, 6);
  agent.dispose();
});

test('sampled evaluation averages class probabilities; same seed, same number; no tensors left', () => {
  const env = new FakeVectorEnv(4, { items: 30, noise: 1.5 });
  const agent = trainedAgent(env);
  tf.tidy(() => agent.w.assign(tf.mul(tf.eye(env.classes), 0.5)));
  const before = tf.memory().numTensors;
  const a = evaluateSplit(env, agent, { samples: 3, seed: 9 });
  const b = evaluateSplit(env, agent, { samples: 3, seed: 9 });
  assert.is(a.samples, 3);
  assert.is(a.total, 30);
  assert.is(a.accuracy, b.accuracy);
  assert.ok(a.accuracy > 0.34 && a.accuracy <= 1, `${a.accuracy}`);
  assert.is(tf.memory().numTensors, before);
  assert.throws(() => evaluateSplit(env, agent, { samples: -1, seed: 9 }), /samples must be an integer >= 0, got -1/);
  agent.dispose();
});

test('a chunk seed near 2^32 wraps instead of failing the evaluation (seed 8500999, chunk 0 hashes to 2^32 - 50)', () => {
  assert.is(hashSeed(8500999, 0), 4294967246);
  const env = new RecordingEnv(256, { items: 256, noise: 0 });
  const agent = trainedAgent(env);
  // Before the fix: 'fake env reset: seed + 255 must be <= 4294967295, got seed 4294967246'.
  assert.is(evaluateSplit(env, agent, { samples: 0, seed: 8500999 }).accuracy, 1);
  agent.dispose();
});

test('collect: a batch whose episodes end at different steps is an error naming the step', () => {
  class Ragged extends FakeVectorEnv {
    override step(actions: Batch) {
      const r = super.step(actions);
      r.terminated[0] = 1;
      return r;
    }
  }
  const env = new Ragged(3, { steps: 3 });
  const agent = trainedAgent(env);
  assert.throws(() => collectRollout(env, agent, { greedy: true, rng: new Rng(0) }), /only 1 of 3 episodes ended at step 1; a batch must end together/);
  const ok = collectRollout(new FakeVectorEnv(3, { steps: 3 }), agent, { greedy: false, rng: new Rng(0) });
  assert.is(ok.rollout.steps, 3);
  assert.is(ok.rollout.observations.length, 3);
  assert.is(ok.rollout.targets.length, 3);
  assert.ok(Array.from(ok.rollout.targets).every((t) => t >= 0));
  agent.dispose();
});

test.run();

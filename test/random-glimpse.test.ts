/**
 * The `random-glimpse` control agent: registry and options, uniform seeded locations (greedy too),
 * an Evaluation without policy or baseline, and its classifier learning on real shapes episodes
 * under every algorithm with no tensor leak.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { listAgents, makeAgent } from '../agents';
import { makeAlgorithm } from '../algorithms';
import { makeVector } from '../envs';
import { Rng } from '../envs/rng';
import { collectRollout } from '../runners/collect';
import { glimpseEnvInfo, randomRollout } from './helpers/ram-rollout';

const SMALL = { glimpseHidden: 16, locationHidden: 8, glimpseFeatures: 16, hidden: 16, seed: 2 };

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

test('registered; RAM options except std; config round-trips through the factory', () => {
  assert.ok(listAgents().some((a) => a.id === 'random-glimpse'));
  const env = glimpseEnvInfo(2, 4, 3);
  const agent = makeAgent('random-glimpse', env, SMALL);
  assert.is(agent.config.std, undefined);
  assert.equal(agent.config, { ...SMALL, core: 'rnn', scales: 2, glimpseSize: 4, numClasses: 3 });
  const again = makeAgent('random-glimpse', env, agent.config);
  assert.equal(again.getWeights(), agent.getWeights(), 'same config and seed, same weights');
  // Only the classifier: glimpse, core and action networks; no location or baseline weights.
  assert.equal(Object.keys(agent.getWeights()).filter((k) => k.startsWith('location') || k.startsWith('baseline')), []);
  assert.throws(() => makeAgent('random-glimpse', env, { std: 0.1 }), /^random-glimpse: unknown option 'std'; allowed: glimpseHidden, locationHidden, glimpseFeatures, hidden, core, seed, scales, glimpseSize, numClasses$/);
  assert.throws(() => makeAgent('random-glimpse', env, { hidden: 0 }), /^random-glimpse: hidden must be an integer in \[1, 65536\], got 0$/);
  assert.throws(() => makeAgent('random-glimpse', env, { width: 3 }), /^random-glimpse: unknown option 'width'; allowed: (?!.*std)/);
  agent.dispose();
  again.dispose();
});

test('locations are uniform in [-1, 1]^2 from the given rng, greedy or not; labels are the argmax', () => {
  const agent = makeAgent('random-glimpse', glimpseEnvInfo(1, 4, 3), SMALL);
  const obs = randomRollout(1, 64, 1, 16, 3).observations[0];
  const draw = (greedy: boolean, seed: number) => {
    const res = agent.act(obs, agent.initialState(64), { greedy, rng: new Rng(seed) });
    agent.disposeState(res.state);
    return res.action;
  };
  const a = draw(true, 5);
  assert.equal(draw(false, 5).location, a.location, 'greedy makes no difference: same rng, same locations');
  assert.not.equal(draw(true, 6).location, a.location);
  const loc = a.location as Float32Array;
  assert.ok(loc.every((v) => v >= -1 && v <= 1));
  assert.ok(loc.some((v) => v < -0.5) && loc.some((v) => v > 0.5), 'spread over the range');
  const labels = a.label as Int32Array;
  assert.ok(labels.every((l) => Number.isInteger(l) && l >= 0 && l < 3));
  agent.dispose();
});

test('evaluate: zero log-probs, no baseline, class log-probs of the last step', () => {
  const agent = makeAgent('random-glimpse', glimpseEnvInfo(1, 4, 3), SMALL);
  const ev = agent.evaluate(randomRollout(3, 5, 4, 16, 3));
  assert.equal(ev.logProbs.shape, [4, 5]);
  assert.equal(Array.from(ev.logProbs.dataSync()), new Array(20).fill(0));
  assert.is(ev.baselines, null);
  assert.equal(ev.classLogProbs.shape, [5, 3]);
  const rowSums = tf.tidy(() => tf.sum(tf.exp(ev.classLogProbs), 1).dataSync());
  rowSums.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
  assert.equal(Array.from(ev.decisionMask.dataSync()), [...new Array(15).fill(1), ...new Array(5).fill(0)]);
  tf.dispose([ev.logProbs, ev.classLogProbs, ev.decisionMask]);
  agent.dispose();
});

test('its classifier trains on shapes episodes under every algorithm, without leaking tensors', () => {
  const env = makeVector('shapes', 32, { split: 'test' });
  const rollout = collectRollout(env, makeAgentFor(env), { greedy: false, rng: new Rng(1), reset: { seed: 1, options: Array.from({ length: 32 }, (_, i) => ({ index: i })) } }).rollout;
  for (const id of ['reinforce', 'reinforce-no-baseline', 'ppo']) {
    const agent = makeAgentFor(env);
    const algo = makeAlgorithm(id, { lr: 1e-2 });
    const first = algo.update(agent, rollout);
    const n0 = tf.memory().numTensors;
    let m = first;
    for (let i = 0; i < 15; i++) m = algo.update(agent, rollout);
    assert.is(tf.memory().numTensors, n0, `${id}: tensor count stable`);
    assert.ok(m.nll < first.nll - 0.1, `${id}: nll ${first.nll} -> ${m.nll}`);
    agent.dispose();
    algo.dispose();
  }
  env.close();
});

let made: ReturnType<typeof makeAgent>[] = [];
function makeAgentFor(env: ReturnType<typeof makeVector>) {
  const agent = makeAgent('random-glimpse', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace }, SMALL);
  made.push(agent);
  return agent;
}
test.after(() => {
  for (const a of made) a.dispose();
  made = [];
});

test.run();

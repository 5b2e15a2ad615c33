/**
 * What acting keeps for learning: the activation cache of a rollout (agents/ram/fast/
 * activation-cache.ts) and the act outputs (`ActOutputs`: location log-probs, baselines, class
 * logits). With the cache, the replay's outputs and gradients are bit-identical to the replay from
 * scratch; the act outputs equal the replay's outputs bit for bit. Any weight change (an optimizer
 * step, setWeights, an explicit weightsChanged(), an assign nobody announced, even between two act
 * steps), an edited rollout, a subset of its episodes, another agent's cache or a broken state
 * chain falls back to the replay; reinforce and PPO updates, and Monte-Carlo evaluation, end in
 * the same numbers with or without what acting kept; no tensor leak. The same with the context
 * network (`context`), whose context step's coarse views the cache keeps and checks too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../runners/backend';
import { fastPathAvailable } from '../agents/ram/fast';
import { makeAgent } from '../agents';
import { RamAgent } from '../agents/ram';
import type { Agent } from '../agents/agent';
import { disposeRollout, type Rollout } from '../agents/rollout';
import { makeAlgorithm } from '../algorithms';
import { selectEpisodes } from '../algorithms/ppo/minibatch';
import { Rng } from '../envs/rng';
import { makeVector } from '../envs';
import { evaluateSplit } from '../runners/evaluate';
import { actRollout, glimpseEnvInfo, hybridLossRun } from './helpers/ram-rollout';

const ENV = glimpseEnvInfo(2, 4, 5); // 2 scales of 4x4, 5 classes
const CTX_ENV = glimpseEnvInfo(2, 4, 5, 3); // the same with a 3x3 coarse view (`context`)
const CFG = { glimpseHidden: 6, locationHidden: 5, glimpseFeatures: 7, hidden: 8, std: 0.3, seed: 2 };
let native = false;

test.before(async () => {
  await initBackend('wasm');
  native = fastPathAvailable('rnn');
  if (!native) console.log('activation-cache tests skipped: native dense kernels unavailable (no cache without them)');
});

/** T sampled (or greedy) act steps on random observations, kept with the agent's activation cache. */
function collect(agent: Agent, B: number, T: number, rng: Rng, opts: { greedy?: boolean; between?: (t: number) => void } = {}): Rollout {
  const contextLength = agent.config.context === true ? 9 : 0;
  return actRollout(agent, B, T, rng, { ...opts, obsSeed: 9, randomOutcomes: { classes: 5 }, keepActivations: true, contextLength });
}

/** The same rollout without its cache: evaluate replays it from scratch. */
function uncached(r: Rollout): Rollout {
  return { ...r, cache: undefined };
}

/** Outputs and hybrid-loss gradients of every variable, as exact float32 values. */
function replay(agent: Agent, r: Rollout): { outputs: number[][]; grads: number[][] } {
  return hybridLossRun(agent, r);
}

function assertSame(a: { outputs: number[][]; grads: number[][] }, b: { outputs: number[][]; grads: number[][] }, what: string): void {
  a.outputs.forEach((o, i) => assert.equal(Array.from(o), Array.from(b.outputs[i]), `${what}: output ${i}`));
  a.grads.forEach((g, i) => assert.equal(Array.from(g), Array.from(b.grads[i]), `${what}: gradient ${i}`));
}

for (const [core, T, context] of [['rnn', 1, false], ['rnn', 6, false], ['rnn', 11, false], ['lstm', 1, false], ['lstm', 9, false], ['rnn', 6, true], ['lstm', 9, true]] as const) {
  test(`${core}${context ? ' context' : ''} T=${T}: the cached replay equals the replay from scratch bit for bit; no tensor leak`, () => {
    if (!native) return;
    const n0 = tf.memory().numTensors;
    const agent = makeAgent('ram', context ? CTX_ENV : ENV, { ...CFG, core, context }) as RamAgent;
    // T=11 outgrows the 8 steps a first cache reserves; the second rollout reserves T exactly.
    for (let round = 0; round < 2; round++) {
      const r = collect(agent, 3, T, new Rng(round));
      assert.ok(agent.usesCacheFor(r), 'cache used');
      assert.not.ok(agent.usesCacheFor(uncached(r)), 'no cache, no reuse');
      // The first evaluate (here inside a gradient scope) trims the cache to T steps; it must survive the scope.
      const cachedRun = replay(agent, r);
      assert.ok(agent.usesCacheFor(r), 'cache still there after a replay');
      assertSame(replay(agent, r), cachedRun, 'second cached replay');
      const scratch = replay(agent, uncached(r));
      assertSame(cachedRun, scratch, `T=${T} round ${round}`);
      assert.ok(cachedRun.grads.some((g) => g.some((x) => x !== 0)));
      if (context) {
        // Another coarse view at the context step is another rollout: the replay recomputes.
        const edited = { ...r, observations: r.observations.map((o, t) => (t === 0 ? { ...o, context: o.context.map((v) => 1 - v) } : o)) };
        assert.not.ok(agent.usesCacheFor(edited), 'an edited coarse view is not replayed from the cache');
        assert.ok(cachedRun.grads.at(-1)!.some((x) => x !== 0), 'the context layer has a gradient');
      }
      disposeRollout(r);
      disposeRollout(r); // twice is fine
      assert.not.ok(agent.usesCacheFor(r), 'a disposed cache is not used');
    }
    agent.dispose();
    assert.is(tf.memory().numTensors, n0, 'the rollouts and the agent freed everything');
  });
}

test('act outputs equal the replay outputs bit for bit (fast path); close to the reference path (cpu)', async () => {
  const check = (agent: RamAgent, exact: boolean, what: string) => {
    const contextLength = agent.config.context === true ? 9 : 0;
    const r = actRollout(agent, 4, 5, new Rng(3), { obsSeed: 9, randomOutcomes: { classes: 5 }, contextLength });
    assert.ok(r.outputs !== undefined && r.outputs.length === 5, `${what}: every step has outputs`);
    const ev = tf.tidy(() => ({ ...agent.evaluate(r) }) as unknown as tf.TensorContainerObject) as unknown as ReturnType<Agent['evaluate']>;
    const fromAct = tf.tidy(() => ({
      logProbs: Array.from(r.outputs!.flatMap((o) => Array.from(o.logProb))),
      baselines: Array.from(r.outputs!.flatMap((o) => Array.from(o.baseline!))),
      classLogProbs: Array.from(tf.logSoftmax(tf.tensor2d(r.outputs![4].classLogits, [4, 5])).dataSync()),
    }));
    const fromReplay = { logProbs: Array.from(ev.logProbs.dataSync()), baselines: Array.from(ev.baselines!.dataSync()), classLogProbs: Array.from(ev.classLogProbs.dataSync()) };
    tf.dispose([ev.logProbs, ev.baselines!, ev.classLogProbs, ev.decisionMask]);
    for (const k of ['logProbs', 'baselines', 'classLogProbs'] as const) {
      if (exact) assert.equal(fromAct[k], fromReplay[k], `${what}: ${k}`);
      else fromAct[k].forEach((x, i) => assert.ok(Math.abs(x - fromReplay[k][i]) <= 1e-5 * (1 + Math.abs(x)), `${what}: ${k}[${i}] ${x} vs ${fromReplay[k][i]}`));
    }
    // The labels act chose are the argmax of its logits.
    const labels = r.actions[4].label as Int32Array;
    for (let b = 0; b < 4; b++) {
      const row = Array.from(r.outputs![4].classLogits.subarray(b * 5, b * 5 + 5));
      assert.is(labels[b], row.indexOf(Math.max(...row)));
    }
  };
  const variants = [['rnn', false], ['lstm', false], ['rnn', true], ['lstm', true]] as const;
  if (native) {
    for (const [core, context] of variants) {
      const a = makeAgent('ram', context ? CTX_ENV : ENV, { ...CFG, core, context }) as RamAgent;
      check(a, true, `fast ${core}${context ? ' context' : ''}`);
      a.dispose();
    }
  }
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no "install tfjs-node" banner
  try {
    for (const [core, context] of variants) {
      const a = makeAgent('ram', context ? CTX_ENV : ENV, { ...CFG, core, context }) as RamAgent;
      check(a, false, `reference ${core}${context ? ' context' : ''}`);
      a.dispose();
    }
  } finally {
    await tf.setBackend('wasm');
  }
});

test('a weight change invalidates the cache: optimizer step, setWeights, weightsChanged, an unannounced assign, mid-rollout', () => {
  if (!native) return;
  const agent = makeAgent('ram', ENV, CFG) as RamAgent;
  const algo = makeAlgorithm('reinforce', { lr: 0.01 });
  const r = collect(agent, 4, 3, new Rng(1));
  assert.ok(agent.usesCacheFor(r));
  algo.update(agent, r);
  assert.not.ok(agent.usesCacheFor(r), 'an Adam step moves the weights');
  assertSame(replay(agent, r), replay(agent, uncached(r)), 'after the step');
  disposeRollout(r);

  const r2 = collect(agent, 4, 3, new Rng(2));
  assert.ok(agent.usesCacheFor(r2));
  agent.setWeights(agent.getWeights());
  assert.not.ok(agent.usesCacheFor(r2), 'setWeights');
  disposeRollout(r2);

  // The explicit version: an in-place writer keeps every buffer and says so.
  const r3 = collect(agent, 4, 3, new Rng(3));
  assert.ok(agent.usesCacheFor(r3));
  agent.weightsChanged();
  assert.not.ok(agent.usesCacheFor(r3), 'weightsChanged() with the same buffers');
  disposeRollout(r3);

  // The second guard: a writer that assigns (a new buffer) without saying so.
  const r4 = collect(agent, 4, 3, new Rng(4));
  const v = agent.trainableVariables()[0];
  tf.tidy(() => v.assign(tf.add(v, 0))); // same values, a new buffer
  assert.not.ok(agent.usesCacheFor(r4), 'an unannounced assign');
  disposeRollout(r4);

  const other = makeAgent('ram', ENV, { ...CFG, seed: 7 });
  const r5 = collect(agent, 4, 3, new Rng(5), { between: (t) => t === 2 && agent.setWeights(other.getWeights()) });
  assert.not.ok(agent.usesCacheFor(r5), 'weights changed mid-rollout');
  // Its replay is the uncached one (under the new weights, as always).
  assertSame(replay(agent, r5), replay(agent, uncached(r5)), 'mid-rollout change');
  disposeRollout(r5);
  [agent, other].forEach((a) => a.dispose());
  algo.dispose();
});

test('edited, partial and foreign rollouts and a broken state chain are replayed from scratch', () => {
  if (!native) return;
  const agent = makeAgent('ram', ENV, CFG) as RamAgent;
  const r = collect(agent, 4, 3, new Rng(1));
  const edited = { ...r, observations: r.observations.map((o, t) => (t === 1 ? { ...o, glimpse: o.glimpse.map((x, i) => (i === 5 ? x + 0.5 : x)) } : o)) };
  assert.not.ok(agent.usesCacheFor(edited), 'edited glimpse');
  assertSame(replay(agent, edited), replay(agent, uncached(edited)), 'edited');
  const moved = { ...r, observations: r.observations.map((o) => ({ ...o, location: o.location.map((x) => -x) })) };
  assert.not.ok(agent.usesCacheFor(moved), 'edited locations');
  assert.not.ok(agent.usesCacheFor(selectEpisodes(r, [0, 2])), 'a subset of the episodes');
  assert.not.ok(agent.usesCacheFor(selectEpisodes(r, [1, 0, 2, 3])), 'permuted episodes');
  assert.not.ok(agent.usesCacheFor({ ...r, steps: 2, observations: r.observations.slice(0, 2), records: r.records.slice(0, 2) }), 'fewer steps');
  assert.not.ok(agent.usesCacheFor({ ...r, observations: r.observations.map((o, t) => (t === 2 ? (null as unknown as typeof o) : o)) }), 'a missing observation');
  assert.throws(() => agent.evaluate({ ...r, records: r.records.map(() => ({})) }), /records\[0\]\.sample must be a Float32Array/, 'malformed rollouts still get the replay\'s errors');
  assert.ok(agent.usesCacheFor(r), 'the rollout itself still has it');
  const twin = makeAgent('ram', ENV, CFG) as RamAgent;
  assert.not.ok(twin.usesCacheFor(r), "another agent's cache");
  twin.dispose();
  disposeRollout(r);

  // A step that does not continue from the state the cache's last step returned stops the recording.
  const cache = agent.createRolloutCache(2);
  const obs = { glimpse: new Float32Array(2 * 32).fill(0.5), location: new Float32Array(4) };
  const rng = new Rng(0);
  const s1 = agent.act(obs, agent.initialState(2), { greedy: false, rng, cache });
  const stray = agent.act(obs, agent.initialState(2), { greedy: false, rng }); // not recorded
  const s2 = agent.act(obs, stray.state, { greedy: false, rng, cache }); // continues the stray state
  const broken: Rollout = {
    batchSize: 2, steps: 2, observations: [obs, obs], actions: [s1.action, s2.action], records: [s1.record!, s2.record!],
    rewards: [new Float32Array(2), new Float32Array(2)], returns: new Float32Array(2), targets: new Int32Array(2), cache,
  };
  assert.not.ok(agent.usesCacheFor(broken), 'a broken state chain');
  [s1.state, s2.state].forEach((s) => agent.disposeState(s));
  disposeRollout(broken);
  agent.dispose();
});

for (const [id, options, core] of [['reinforce', {}, 'rnn'], ['ppo', { epochs: 3 }, 'rnn'], ['ppo', { epochs: 2, minibatches: 2 }, 'rnn'], ['ppo', { epochs: 2 }, 'lstm']] as const) {
  test(`${id} ${JSON.stringify(options)} ${core}: updates from what acting kept end in the same weights as from replays`, () => {
    if (!native) return;
    const a = makeAgent('ram', ENV, { ...CFG, core }) as RamAgent;
    const b = makeAgent('ram', ENV, { ...CFG, core }) as RamAgent;
    const algoA = makeAlgorithm(id, { ...options, lr: 0.01 });
    const algoB = makeAlgorithm(id, { ...options, lr: 0.01 });
    for (let round = 0; round < 3; round++) {
      const r = collect(a, 4, 3, new Rng(round));
      assert.ok(a.usesCacheFor(r));
      const ma = algoA.update(a, r);
      // No cache and no act outputs: every quantity comes from replays (PPO's old log-probs too).
      const mb = algoB.update(b, { ...uncached(r), outputs: undefined });
      assert.equal(ma, mb, `metrics of round ${round}`);
      const wa = a.getWeights(), wb = b.getWeights();
      for (const k of Object.keys(wa)) assert.equal(Array.from(wa[k].data), Array.from(wb[k].data), `${k} after round ${round}`);
      disposeRollout(r);
    }
    [a, b].forEach((x) => x.dispose());
    [algoA, algoB].forEach((x) => x.dispose());
  });
}

test('Monte-Carlo evaluation uses the class log-probs acting computed: no replay, the same score as with replays', () => {
  const env = makeVector('shapes', 8, { split: 'test' });
  const agent = makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, { seed: 3, hidden: 16, glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16 }) as RamAgent;
  let replays = 0;
  const evaluate = agent.evaluate.bind(agent);
  agent.evaluate = (r) => {
    replays++;
    return evaluate(r);
  };
  // The same agent without act outputs: evaluation must replay each rollout.
  const bare: Agent = new Proxy(agent, {
    get(target, key) {
      if (key === 'act') return (...args: Parameters<Agent['act']>) => ({ ...target.act(...args), outputs: undefined });
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const before = tf.memory().numTensors;
  const kept = evaluateSplit(env, agent, { samples: 3, seed: 5, maxItems: 20 });
  assert.is(replays, 0, 'no replay with act outputs');
  const replayed = evaluateSplit(env, bare, { samples: 3, seed: 5, maxItems: 20 });
  assert.is(replays, 3 * 3, 'one replay per sampled rollout without them');
  assert.equal({ ...kept, seconds: 0 }, { ...replayed, seconds: 0 });
  assert.is(tf.memory().numTensors, before, 'no tensor leak');
  agent.dispose();
  env.close();
});

test.run();

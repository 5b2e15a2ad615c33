/**
 * The act tape (agents/ram/act-tape.ts): a sampled rollout's act-time activations replace the
 * replay's forward pass in `evaluate`. With the tape, outputs and gradients are bit-identical to
 * the replay from scratch (the same rollout without its tape token); any weight change (an
 * optimizer step, setWeights, even between two act steps), an edited rollout, a subset of its
 * episodes or a greedy rollout falls back to the replay; reinforce and PPO updates end in
 * bit-identical weights either way; no tensor leak.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runners/backend';
import { nativeDenseAvailable } from '../tensor/native-dense';
import { makeAgent } from '../agents';
import { RamAgent } from '../agents/ram';
import { ACTIVATION_CACHE_RECORD as ACT_TAPE_RECORD } from '../agents/ram/fast';
import type { Agent, AgentState } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import { makeAlgorithm } from '../algorithms';
import { selectEpisodes } from '../algorithms/ppo/minibatch';
import { Rng } from '../envs/rng';
import { actRollout, glimpseEnvInfo, hybridLossRun } from './helpers/ram-rollout';

const ENV = glimpseEnvInfo(2, 4, 5); // 2 scales of 4x4, 5 classes
const CFG = { glimpseHidden: 6, locationHidden: 5, glimpseFeatures: 7, hidden: 8, std: 0.3, seed: 2 };
let native = false;

test.before(async () => {
  await initBackend('wasm');
  native = nativeDenseAvailable();
  if (!native) console.log('act-tape tests skipped: native dense kernels unavailable (no tape without them)');
});

/** T sampled (or greedy) act steps on random observations, as a rollout with random targets and returns. */
function collect(agent: Agent, B: number, T: number, rng: Rng, opts: { greedy?: boolean; between?: (t: number) => void } = {}): Rollout {
  return actRollout(agent, B, T, rng, { ...opts, obsSeed: 9, randomOutcomes: { classes: 5 } });
}

/** The same rollout without the tape token: evaluate replays it from scratch. */
function untaped(r: Rollout): Rollout {
  return { ...r, records: r.records.map((rec) => ({ sample: rec.sample })) };
}

/** Outputs and hybrid-loss gradients of every variable, as exact float32 values. */
function replay(agent: Agent, r: Rollout): { outputs: number[][]; grads: number[][] } {
  return hybridLossRun(agent, r);
}

function assertSame(a: { outputs: number[][]; grads: number[][] }, b: { outputs: number[][]; grads: number[][] }, what: string): void {
  a.outputs.forEach((o, i) => assert.equal(Array.from(o), Array.from(b.outputs[i]), `${what}: output ${i}`));
  a.grads.forEach((g, i) => assert.equal(Array.from(g), Array.from(b.grads[i]), `${what}: gradient ${i}`));
}

for (const T of [1, 6, 11]) {
  test(`T=${T}: the taped replay equals the replay from scratch bit for bit; no tensor leak`, () => {
    if (!native) return;
    const n0 = tf.memory().numTensors;
    const agent = makeAgent('ram', ENV, CFG) as RamAgent;
    // T=11 outgrows the 8 steps a first tape reserves; the second rollout reserves T exactly.
    for (let round = 0; round < 2; round++) {
      const r = collect(agent, 3, T, new Rng(round));
      assert.ok(r.records.every((rec) => rec[ACT_TAPE_RECORD] instanceof Int32Array), 'sampled steps carry the token');
      assert.ok(agent.hasTapeFor(r), 'tape used');
      assert.not.ok(agent.hasTapeFor(untaped(r)), 'no token, no tape');
      // The first evaluate (here inside a gradient scope) trims the tape to T steps; it must survive the scope.
      const taped = replay(agent, r);
      assert.ok(agent.hasTapeFor(r), 'tape still there after a replay');
      assertSame(replay(agent, r), taped, 'second taped replay');
      const scratch = replay(agent, untaped(r));
      assertSame(taped, scratch, `T=${T} round ${round}`);
      assert.ok(taped.grads.some((g) => g.some((x) => x !== 0)));
    }
    const held = tf.memory().numTensors;
    collect(agent, 3, T, new Rng(5));
    assert.is(tf.memory().numTensors, held, 'a new rollout replaces the tape');
    agent.dispose();
    assert.is(tf.memory().numTensors, n0, 'dispose frees the tape');
  });
}

test('a weight change invalidates the tape: optimizer step, setWeights, or between two act steps', () => {
  if (!native) return;
  const agent = makeAgent('ram', ENV, CFG) as RamAgent;
  const algo = makeAlgorithm('reinforce', { lr: 0.01 });
  const r = collect(agent, 4, 3, new Rng(1));
  assert.ok(agent.hasTapeFor(r));
  algo.update(agent, r);
  assert.not.ok(agent.hasTapeFor(r), 'an Adam step moves the weights');
  assertSame(replay(agent, r), replay(agent, untaped(r)), 'after the step');

  const r2 = collect(agent, 4, 3, new Rng(2));
  assert.ok(agent.hasTapeFor(r2));
  agent.setWeights(agent.getWeights()); // same values, new buffers: counted as a change
  assert.not.ok(agent.hasTapeFor(r2), 'setWeights');

  const other = makeAgent('ram', ENV, { ...CFG, seed: 7 });
  const r3 = collect(agent, 4, 3, new Rng(3), { between: (t) => t === 2 && agent.setWeights(other.getWeights()) });
  assert.not.ok(agent.hasTapeFor(r3), 'weights changed mid-rollout');
  // Its replay is the untaped one (under the new weights, as always).
  assertSame(replay(agent, r3), replay(agent, untaped(r3)), 'mid-rollout change');
  [agent, other].forEach((a) => a.dispose());
  algo.dispose();
});

test('edited, partial, foreign and greedy rollouts are replayed from scratch', () => {
  if (!native) return;
  const agent = makeAgent('ram', ENV, CFG) as RamAgent;
  const r = collect(agent, 4, 3, new Rng(1));
  const edited = { ...r, observations: r.observations.map((o, t) => (t === 1 ? { ...o, glimpse: o.glimpse.map((x, i) => (i === 5 ? x + 0.5 : x)) } : o)) };
  assert.not.ok(agent.hasTapeFor(edited), 'edited glimpse');
  assertSame(replay(agent, edited), replay(agent, untaped(edited)), 'edited');
  const moved = { ...r, observations: r.observations.map((o) => ({ ...o, location: o.location.map((x) => -x) })) };
  assert.not.ok(agent.hasTapeFor(moved), 'edited locations');
  assert.not.ok(agent.hasTapeFor(selectEpisodes(r, [0, 2])), 'a subset of the episodes');
  assert.not.ok(agent.hasTapeFor(selectEpisodes(r, [1, 0, 2, 3])), 'permuted episodes');
  assert.not.ok(agent.hasTapeFor({ ...r, steps: 2, observations: r.observations.slice(0, 2), records: r.records.slice(0, 2) }), 'fewer steps');
  assert.not.ok(agent.hasTapeFor({ ...r, observations: r.observations.map((o, t) => (t === 2 ? (null as unknown as typeof o) : o)) }), 'a missing observation');
  assert.throws(() => agent.evaluate({ ...r, records: r.records.map(() => ({})) }), /records\[0\]\.sample must be a Float32Array/, 'malformed rollouts still get the replay\'s errors');
  assert.ok(agent.hasTapeFor(r), 'the rollout itself still has it');
  const twin = makeAgent('ram', ENV, CFG) as RamAgent;
  assert.not.ok(twin.hasTapeFor(r), 'another agent');
  twin.dispose();
  const g = collect(agent, 4, 3, new Rng(1), { greedy: true });
  assert.ok(g.records.every((rec) => rec[ACT_TAPE_RECORD] === undefined), 'greedy steps record no tape');
  assert.ok(agent.hasTapeFor(r), 'a greedy rollout leaves the tape alone');
  agent.dispose();
});

for (const [id, options] of [['reinforce', {}], ['ppo', { epochs: 3 }], ['ppo', { epochs: 2, minibatches: 2 }]] as const) {
  test(`${id} ${JSON.stringify(options)}: updates from a taped rollout end in the same weights as from scratch`, () => {
    if (!native) return;
    const a = makeAgent('ram', ENV, CFG) as RamAgent;
    const b = makeAgent('ram', ENV, CFG) as RamAgent;
    const algoA = makeAlgorithm(id, { ...options, lr: 0.01 });
    const algoB = makeAlgorithm(id, { ...options, lr: 0.01 });
    for (let round = 0; round < 3; round++) {
      const r = collect(a, 4, 3, new Rng(round));
      assert.ok(a.hasTapeFor(r));
      const ma = algoA.update(a, r);
      const mb = algoB.update(b, untaped(r));
      assert.equal(ma, mb, `metrics of round ${round}`);
      const wa = a.getWeights(), wb = b.getWeights();
      for (const k of Object.keys(wa)) assert.equal(Array.from(wa[k].data), Array.from(wb[k].data), `${k} after round ${round}`);
    }
    [a, b].forEach((x) => x.dispose());
    [algoA, algoB].forEach((x) => x.dispose());
  });
}

test.run();

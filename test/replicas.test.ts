/**
 * Training on M replicas of each image (`replicas`): which items and seeds each batch gets
 * (runners/train-batches.ts), that the M episodes of a group start from the same observation on
 * the real MNIST tasks, and what a run with replicas does (batches per epoch, counters, seeded
 * reproducibility, resume, tensors), plus the one-line errors of the config key.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../envs/rng';
import { makeVector } from '../envs/registry';
import { SyncVectorEnv } from '../envs/sync-vector-env';
import type { Batch, VectorResetOptions } from '../envs/vector-env';
import type { GlimpseEnv } from '../envs/vision/glimpse-env';
import { readCheckpoint } from '../runners/checkpoint';
import type { BatchEvent, DoneEvent, RunEvent, StartEvent } from '../runners/events';
import { train } from '../runners/run';
import { itemsPerBatch, trainBatchReset } from '../runners/train-batches';
import { hashSeed } from '../envs/rng';
import '../envs/tasks';
import { runCli } from './helpers/cli-helpers';
import { FakeVectorEnv, fakeComponents } from './helpers/fakes';
import { allEvents, fakeConfig, useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('replicas');
const setup = useBackendAndTempDir(test);
let runs = 0;
const runDir = () => path.join(setup.dir, `run-${runs++}`);
const strip = (evs: RunEvent[]) => evs.filter((e) => e.type === 'batch' || e.type === 'eval' || e.type === 'epoch').map((e) => ({ ...e, seconds: 0 }));

test('trainBatchReset: replicas share item and seed; replicas 1 is the plain batch', () => {
  const order = new Rng(3).permutation(20);
  // M = 1: Gymnasium's seed + i and order[b*B + i], as the loop always did.
  const plain = trainBatchReset(order, 2, 1, { batchSize: 4, replicas: 1, seed: 9 });
  const s1 = hashSeed(9, 2, 1);
  assert.equal(plain, { seed: [s1, s1 + 1, s1 + 2, s1 + 3], options: [4, 5, 6, 7].map((k) => ({ index: order[k] })) });
  // M = 3, B = 6: two items per batch; batch 1 shows order[2], order[3], each to 3 sub-envs.
  const r = trainBatchReset(order, 2, 1, { batchSize: 6, replicas: 3, seed: 9 });
  const s = hashSeed(9, 2, 1);
  assert.equal(r.seed, [s, s, s, s + 1, s + 1, s + 1].map((x) => x >>> 0));
  assert.equal(r.options, [2, 2, 2, 3, 3, 3].map((k) => ({ index: order[k] })));
  assert.is(itemsPerBatch({ batchSize: 6, replicas: 3 }), 2);
  // No finite item set: seeds only (the env draws the item from its seed, so replicas still match).
  assert.equal(trainBatchReset(null, 1, 0, { batchSize: 4, replicas: 2, seed: 0 }).options, undefined);
});

test('trainBatchReset: a batch seed near 2^32 wraps instead of failing the run (seed 1261805, epoch 1, batch 0 hashes to 2^32 - 112)', () => {
  assert.is(hashSeed(1261805, 1, 0), 4294967184);
  for (const replicas of [1, 2]) {
    const reset = trainBatchReset(null, 1, 0, { batchSize: 128, replicas, seed: 1261805 });
    const env = new FakeVectorEnv(128, { items: 128 });
    env.reset(reset); // before the fix, M = 1: 'fake env reset: seed + 127 must be <= 4294967295'
    assert.equal(reset.seed, Array.from({ length: 128 }, (_, i) => (4294967184 + Math.floor(i / replicas)) % 2 ** 32));
  }
});

/** Row i of every key of a batch, as plain arrays. */
function row(b: Batch, i: number, n: number): number[][] {
  return Object.values(b).map((a) => Array.from(a.subarray((i * a.length) / n, ((i + 1) * a.length) / n)));
}

// mnist with its random training shift (the mnist recipe's augmentation), so every task has a draw.
const TASKS: Array<[string, Record<string, unknown>]> = [['mnist', { trainShift: 2 }], ['translated-mnist', {}], ['cluttered-mnist', {}]];
for (const [id, kwargs] of TASKS) {
  test(`${id}: the replicas of an item start from the same image and first glimpse; groups differ`, () => {
    const B = 6, M = 3;
    const v = makeVector(id, B, kwargs) as SyncVectorEnv;
    const order = new Rng(1).permutation(v.numItems!);
    for (const b of [0, 5]) {
      const reset: VectorResetOptions = trainBatchReset(order, 1, b, { batchSize: B, replicas: M, seed: 4 });
      const obs = v.reset(reset).observations;
      const images = v.envs.map((e) => Array.from((e as GlimpseEnv).render().pixels));
      for (let g = 0; g < B / M; g++) {
        for (let k = 1; k < M; k++) {
          assert.equal(row(obs, g * M + k, B), row(obs, g * M, B), `batch ${b} group ${g} replica ${k}: first observation`);
          assert.equal(images[g * M + k], images[g * M], `batch ${b} group ${g} replica ${k}: image`);
        }
      }
      assert.not.equal(images[0], images[M], 'another item, another image');
      assert.not.equal(row(obs, 0, B), row(obs, M, B), 'another item, another first glimpse');
    }
    // The transform draw follows the seed: the same item under the next group's seed is placed elsewhere.
    const s = hashSeed(4, 1, 0);
    v.reset({ seed: [s, s, s, s + 1, s + 1, s + 1], options: { index: 7 } });
    assert.not.equal(Array.from((v.envs[0] as GlimpseEnv).render().pixels), Array.from((v.envs[3] as GlimpseEnv).render().pixels));
    v.close();
  });
}

/** Fake components whose train env records what each reset was given and returned. */
function spiedComponents() {
  const comps = fakeComponents();
  const resets: Array<{ options: VectorResetOptions; x: Float32Array }> = [];
  const make = comps.makeVector.bind(comps);
  comps.makeVector = (id, n, kwargs) => {
    const env = make(id, n, kwargs);
    if ((kwargs as { split?: string }).split === 'train') {
      const reset = env.reset.bind(env);
      env.reset = (options = {}) => {
        const r = reset(options);
        resets.push({ options, x: r.observations.x as Float32Array });
        return r;
      };
    }
    return env;
  };
  return { comps, resets };
}

test('a run with replicas 2: twice the batches of B/2 items, each item once per epoch to 2 identical starts', async () => {
  const before = tf.memory().numTensors;
  const { comps, resets } = spiedComponents();
  // 60 items, batch 8, replicas 2: 4 items per batch, 15 batches per epoch (replicas 1: 7).
  const evs = await allEvents(train(fakeConfig(runDir(), { epochs: 2, replicas: 2 }), { components: comps, backend: setup.backend }));
  const start = evs[0] as StartEvent;
  assert.is(start.batchesPerEpoch, 15);
  assert.is(start.config.replicas, 2);
  const batches = evs.filter((e) => e.type === 'batch') as BatchEvent[];
  assert.is(batches.length, 30);
  assert.is(batches[29].step, 30);
  assert.is(resets.length, 30);
  for (let epoch = 0; epoch < 2; epoch++) {
    const shown: number[] = [];
    for (const { options, x } of resets.slice(epoch * 15, (epoch + 1) * 15)) {
      const idx = (options.options as Array<{ index: number }>).map((o) => o.index);
      const seeds = options.seed as number[];
      const C = x.length / 8;
      for (let g = 0; g < 4; g++) {
        assert.is(idx[2 * g + 1], idx[2 * g]);
        assert.is(seeds[2 * g + 1], seeds[2 * g]);
        assert.equal(Array.from(x.subarray((2 * g + 1) * C, (2 * g + 2) * C)), Array.from(x.subarray(2 * g * C, (2 * g + 1) * C)), 'same first observation');
        shown.push(idx[2 * g]);
      }
    }
    assert.equal([...shown].sort((a, b) => a - b), Array.from({ length: 60 }, (_, i) => i), `epoch ${epoch + 1} shows every item once`);
  }
  const done = evs[evs.length - 1] as DoneEvent;
  assert.is(done.reason, 'completed');
  assert.is(readCheckpoint(path.join(start.runDir, 'checkpoints', 'last')).meta.counters.episodes, 2 * 15 * 8);
  assert.is(tf.memory().numTensors, before, 'no tensors left by the run');
});

test('items that do not fill a batch are left out as without replicas; --max-batches caps batches, not items', async () => {
  // Batch 16, replicas 2: 8 items per batch, floor(60 / 8) = 7 batches, 56 items shown, 4 left out.
  const { comps, resets } = spiedComponents();
  const evs = await allEvents(train(fakeConfig(runDir(), { epochs: 1, batchSize: 16, replicas: 2 }), { components: comps, backend: setup.backend }));
  assert.is((evs[0] as StartEvent).batchesPerEpoch, 7);
  const shown = resets.flatMap((r) => (r.options.options as Array<{ index: number }>).filter((_, i) => i % 2 === 0).map((o) => o.index));
  assert.is(new Set(shown).size, 56);
  const capped = await allEvents(train(fakeConfig(runDir(), { epochs: 1, replicas: 2, maxBatches: 3 }), { components: fakeComponents(), backend: setup.backend }));
  assert.is((capped[0] as StartEvent).batchesPerEpoch, 3);
  assert.is(capped.filter((e) => e.type === 'batch').length, 3);
});

test('same seed, same metrics with replicas 2; replicas change the run', async () => {
  const a = await allEvents(train(fakeConfig(runDir(), { replicas: 2 }), { components: fakeComponents(), backend: setup.backend }));
  const b = await allEvents(train(fakeConfig(runDir(), { replicas: 2 }), { components: fakeComponents(), backend: setup.backend }));
  assert.equal(strip(a), strip(b));
  const one = await allEvents(train(fakeConfig(runDir(), { replicas: 1 }), { components: fakeComponents(), backend: setup.backend }));
  assert.not.equal(strip(one), strip(a));
});

test('replicas 2: an interrupted run + resume gives the same metrics and weights as an uninterrupted one', async () => {
  const full = runDir();
  const evFull = await allEvents(train(fakeConfig(full, { epochs: 3, replicas: 2 }), { components: fakeComponents(), backend: setup.backend }));
  const part = runDir();
  let finalized!: () => void;
  const released = new Promise<void>((r) => (finalized = r));
  const first: RunEvent[] = [];
  const sub = train(fakeConfig(part, { epochs: 3, replicas: 2 }), { components: fakeComponents(), backend: setup.backend, onFinalize: () => finalized() }).subscribe({
    next: (e) => {
      first.push(e);
      if (e.type === 'batch' && e.epoch === 2 && e.batch === 9) sub.unsubscribe();
    },
  });
  await released;
  const second = await allEvents(train(fakeConfig(part, { epochs: 3, replicas: 2, resume: true }), { components: fakeComponents(), backend: setup.backend }));
  assert.is(second[0].type === 'start' && second[0].startEpoch, 2);
  const upTo1 = first.filter((e) => !('epoch' in e) || (e as { epoch: number }).epoch <= 1);
  assert.equal(strip([...upTo1, ...second]), strip(evFull));
  const ck = (d: string) => readCheckpoint(path.join(d, 'checkpoints', 'last'));
  assert.equal(ck(part).weights, ck(full).weights);
  assert.equal(ck(part).meta.counters, ck(full).meta.counters);
  // A resume cannot change replicas: the episodes it would replay would not be the saved run's.
  let err: Error | undefined;
  try {
    await allEvents(train(fakeConfig(part, { epochs: 4, replicas: 4, resume: true }), { components: fakeComponents(), backend: setup.backend }));
  } catch (e) {
    err = e as Error;
  }
  assert.match(err?.message ?? '', /--resume: --replicas is 4 but .* was started with 2; drop the flag to continue the saved run/);
});

/** Asserts a bad-input CLI run: exit 2 and exactly the one stderr line `line`. */
async function expectBad(argv: string[], line: string) {
  const r = await runCli(argv);
  assert.is(r.code, 2, r.stderr);
  assert.is(r.stderr.trimEnd(), line);
}

const base = ['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--backend', 'wasm', '--quiet'];
test('bad --replicas and batch sizes that are not a multiple are one line, exit 2', async () => {
  await expectBad([...base, '--replicas', '0'], "rl-run: error: --replicas must be an integer in [1, 65536], got '0'");
  await expectBad([...base, '--replicas', '1.5'], "rl-run: error: --replicas must be an integer in [1, 65536], got '1.5'");
  await expectBad([...base, '--replicas', 'two'], "rl-run: error: --replicas must be an integer in [1, 65536], got 'two'");
  await expectBad([...base, '--batch-size', '10', '--replicas', '4'], 'rl-run: error: --batch-size 10 must be a multiple of --replicas 4 (each batch shows batchSize / replicas items, each to replicas episodes); allowed batch sizes near it: 8 or 12');
  await expectBad([...base, '--replicas', '3'], 'rl-run: error: --batch-size 64 (the default) must be a multiple of --replicas 3 (each batch shows batchSize / replicas items, each to replicas episodes); allowed batch sizes near it: 63 or 66');
  await expectBad([...base, '--batch-size', '2', '--replicas', '4'], 'rl-run: error: --batch-size 2 must be a multiple of --replicas 4 (each batch shows batchSize / replicas items, each to replicas episodes); allowed batch sizes near it: 4');
  const file = path.join(setup.dir, 'replicas.json');
  fs.writeFileSync(file, JSON.stringify({ batchSize: 12, replicas: 5 }));
  await expectBad([...base, '--config', file], `rl-run: error: config file '${file}' key 'batchSize' 12 must be a multiple of config file '${file}' key 'replicas' 5 (each batch shows batchSize / replicas items, each to replicas episodes); allowed batch sizes near it: 10 or 15`);
  await expectBad([...base, '--batch-size', '32', '--replicas', '2', '--train-items', '15'], 'rl-run: error: --batch-size 32 / --replicas 2 = 16 items per batch is larger than the 15 train items; lower it or raise --train-items');
});

test.run();

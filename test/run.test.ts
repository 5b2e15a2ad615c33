import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCheckpoint } from '../runners/checkpoint';
import type { BatchEvent, DoneEvent, EvalEvent, RunEvent } from '../runners/events';
import { train } from '../runners/run';
import { fakeComponents } from './helpers/fakes';
import { allEvents, fakeConfig, setUpBackend, tempDir } from './helpers/run-helpers';

const test = suite('run');
let backend = '';
const dirs: string[] = [];
test.before(async () => {
  backend = await setUpBackend();
});
test.after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const runDir = () => {
  const d = tempDir();
  dirs.push(d);
  return path.join(d, 'run');
};
const strip = (evs: RunEvent[]) =>
  evs.filter((e) => e.type === 'batch' || e.type === 'eval' || e.type === 'epoch').map((e) => ({ ...e, seconds: 0 }));

test('event stream: start, batches, epochs, evals, checkpoints, done; files written; tensors released', async () => {
  const before = tf.memory().numTensors;
  const out = runDir();
  const comps = fakeComponents();
  let finalized = 0;
  const evs = await allEvents(train(fakeConfig(out), { components: comps, backend, onFinalize: () => finalized++ }));
  const types = evs.map((e) => e.type);
  assert.is(types[0], 'start');
  assert.is(types[types.length - 1], 'done');
  // 60 items / 8 per batch = 7 batches per epoch, 3 epochs.
  assert.is(evs.filter((e) => e.type === 'batch').length, 21);
  assert.equal((evs.filter((e) => e.type === 'eval') as EvalEvent[]).map((e) => e.split), ['val', 'val', 'val', 'test']);
  const done = evs[evs.length - 1] as DoneEvent;
  assert.is(done.reason, 'completed');
  assert.ok(done.testAccuracy! > 0.9, `the fake task is learnable, got ${done.testAccuracy}`);
  assert.is(done.testError, 1 - done.testAccuracy!);
  assert.ok(fs.existsSync(path.join(out, 'config.json')));
  assert.is(readCheckpoint(path.join(out, 'checkpoints', 'last')).meta.counters.epoch, 3);
  assert.ok(fs.existsSync(path.join(out, 'checkpoints', 'best', 'weights.bin')));
  assert.equal(comps.algos[0].epochsStarted, [1, 2, 3]);
  assert.ok(comps.envs.every((e) => e.closed >= 1), 'every env closed');
  assert.is(finalized, 1);
  assert.is(tf.memory().numTensors, before, 'no tensors left by the run');
  // Every event is plain JSON data.
  for (const e of evs) assert.equal(JSON.parse(JSON.stringify(e)), e);
});

test('unsubscribing stops at the next batch boundary and releases everything', async () => {
  const before = tf.memory().numTensors;
  const out = runDir();
  let finalized!: () => void;
  const released = new Promise<void>((r) => (finalized = r));
  const seen: RunEvent[] = [];
  const sub = train(fakeConfig(out, { epochs: 50 }), { components: fakeComponents(), backend, onFinalize: () => finalized() }).subscribe({
    next: (e) => {
      seen.push(e);
      if (e.type === 'batch' && e.step === 10) sub.unsubscribe();
    },
  });
  await released;
  const batches = seen.filter((e) => e.type === 'batch') as BatchEvent[];
  assert.is(batches[batches.length - 1].step, 10, 'no event after unsubscribe');
  assert.is(tf.memory().numTensors, before);
  // Epoch 1 finished (7 batches) before the stop, so its checkpoint exists.
  assert.is(readCheckpoint(path.join(out, 'checkpoints', 'last')).meta.counters.epoch, 1);
});

test('interrupted run + resume gives the same metrics as an uninterrupted run', async () => {
  const full = runDir();
  const evFull = await allEvents(train(fakeConfig(full, { epochs: 4 }), { components: fakeComponents(), backend }));

  const part = runDir();
  let finalized!: () => void;
  const released = new Promise<void>((r) => (finalized = r));
  // train() itself writes metrics.jsonl (as rl-run does), so the file below is its own.
  const first: RunEvent[] = [];
  const sub = train(fakeConfig(part, { epochs: 4 }), { components: fakeComponents(), backend, onFinalize: () => finalized() }).subscribe({
    next: (e) => {
      first.push(e);
      // Stop in the middle of epoch 3: epochs 1-2 are checkpointed, epoch 3 is redone.
      if (e.type === 'batch' && e.epoch === 3 && e.batch === 4) sub.unsubscribe();
    },
  });
  await released;
  const second = await allEvents(train(fakeConfig(part, { epochs: 4, resume: true }), { components: fakeComponents(), backend }));
  assert.is(second[0].type === 'start' && second[0].startEpoch, 3);
  const upTo2 = first.filter((e) => !('epoch' in e) || (e as { epoch: number }).epoch <= 2);
  assert.equal(strip([...upTo2, ...second]), strip(evFull));
  const dFull = evFull[evFull.length - 1] as DoneEvent;
  const dRes = second[second.length - 1] as DoneEvent;
  assert.is(dRes.testAccuracy, dFull.testAccuracy);
  assert.equal(readCheckpoint(path.join(part, 'checkpoints', 'last')).weights, readCheckpoint(path.join(full, 'checkpoints', 'last')).weights);
  // metrics.jsonl reads like one run: 4 epochs of batches, no duplicate lines of the redone epoch 3.
  const lines = fs.readFileSync(path.join(part, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.filter((l) => l.type === 'batch').length, 28);
  assert.is(lines.filter((l) => l.type === 'batch' && l.epoch === 3).length, 7);
});

test('a NaN loss stops the run with a clear error and keeps the last good checkpoint', async () => {
  const out = runDir();
  const before = tf.memory().numTensors;
  // 7 batches per epoch: step 10 is in epoch 2.
  const comps = fakeComponents({ nanAtStep: 10 });
  const last = path.join(out, 'checkpoints', 'last');
  let err: Error | null = null;
  try {
    await allEvents(train(fakeConfig(out), { components: comps, backend }));
  } catch (e) {
    err = e as Error;
  }
  assert.ok(err, 'the run failed');
  assert.match(err!.message, /loss became NaN at epoch 2 batch 3/);
  assert.match(err!.message, /last good checkpoint \(epoch 1\)/);
  assert.not.match(err!.message, /\n/);
  const ck = readCheckpoint(last);
  assert.is(ck.meta.counters.epoch, 1);
  assert.ok(Array.from(ck.weights.w.data).every(Number.isFinite));
  assert.is(tf.memory().numTensors, before);
});

test('--out refuses an existing run unless --resume or --force', async () => {
  const out = runDir();
  await allEvents(train(fakeConfig(out, { epochs: 1 }), { components: fakeComponents(), backend }));
  let err: Error | null = null;
  try {
    await allEvents(train(fakeConfig(out, { epochs: 1 }), { components: fakeComponents(), backend }));
  } catch (e) {
    err = e as Error;
  }
  assert.match(err!.message, /already exists; pass --resume to continue it or --force to overwrite it/);
  const again = await allEvents(train(fakeConfig(out, { epochs: 1, force: true }), { components: fakeComponents(), backend }));
  assert.is(again[again.length - 1].type, 'done');
  // Resuming a finished run with more epochs continues it.
  const more = await allEvents(train(fakeConfig(out, { epochs: 2, resume: true }), { components: fakeComponents(), backend }));
  assert.is((more[0] as { startEpoch: number }).startEpoch, 2);
  // Resuming with a changed setting is refused.
  err = null;
  try {
    await allEvents(train(fakeConfig(out, { epochs: 3, resume: true, batchSize: 4 }), { components: fakeComponents(), backend }));
  } catch (e) {
    err = e as Error;
  }
  assert.match(err!.message, /--batch-size is 4 but .* was started with 8/);
});

test('unknown ids name the registered ones', async () => {
  let err: Error | null = null;
  try {
    await allEvents(train(fakeConfig(runDir(), { env: 'nope' }), { components: fakeComponents(), backend }));
  } catch (e) {
    err = e as Error;
  }
  assert.is(err!.message, "unknown env 'nope' (--env); registered: fake");
});

test.run();

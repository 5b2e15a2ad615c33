import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { NamedWeights } from '../agents/agent';
import { backupDirName, recoverDir, replaceDirAtomic, writeFileAtomic } from '../runners/atomic-write';
import { CheckpointError, NonFiniteWeightsError, assertCompatible, readCheckpoint, resolveCheckpointDir, saveCheckpoint, type CheckpointInfo } from '../runners/checkpoint';
import { runCli } from './helpers/cli-helpers';
import { useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('checkpoint');
const setup = useBackendAndTempDir(test);

let n = 0;
const fresh = () => path.join(setup.dir, `ck${n++}`);

const info = (epoch = 1): CheckpointInfo => ({
  env: { id: 'fake', kwargs: { classes: 3 } },
  agent: { id: 'fake', config: { classes: 3, rows: 3 } },
  algo: { id: 'fake-sgd', config: { lr: 0.5 } },
  run: { env: 'fake', agent: 'fake', seed: 1 },
  counters: { epoch, step: 7 * epoch, episodes: 56 * epoch },
  rng: { s: [1, 2, 3, 4], spare: 0.25 },
  bestValAccuracy: 0.5,
  bestEpoch: epoch,
  metrics: { loss: 0.7 },
  optimizerScalars: { steps: 7 },
});
const weights = (v = 1): NamedWeights => ({ w: { shape: [3, 3], data: new Float32Array(9).fill(v) }, b: { shape: [3], data: Float32Array.from([v, -v, 0.5]) } });
const slots: NamedWeights = { velocity: { shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) } };

test('round trip keeps every field, weight and optimizer slot exactly', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(2), weights(1.5), slots);
  const c = readCheckpoint(dir);
  assert.equal(c.weights, weights(1.5));
  assert.equal(c.optimizer, { weights: slots, scalars: { steps: 7 } });
  assert.equal(c.meta.counters, { epoch: 2, step: 14, episodes: 112 });
  assert.equal(c.meta.rng, { s: [1, 2, 3, 4], spare: 0.25 });
  assert.is(c.meta.format, 1);
  assert.equal(fs.readdirSync(dir).sort(), ['checkpoint.json', 'optimizer.bin', 'weights.bin']);
  assert.is(fs.statSync(path.join(dir, 'weights.bin')).size, 12 * 4);
});

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, CheckpointError);
    assert.not.match((e as Error).message, /\n/);
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

test('missing directory, missing files, invalid JSON, foreign format', () => {
  const missing = path.join(setup.dir, 'missing');
  assert.is(err(() => readCheckpoint(missing)), `checkpoint directory not found: ${missing}`);
  const empty = fresh();
  fs.mkdirSync(empty);
  assert.is(err(() => readCheckpoint(empty)), `${empty} is not a checkpoint: checkpoint.json is missing`);
  const noBin = fresh();
  saveCheckpoint(noBin, info(), weights(), slots);
  fs.rmSync(path.join(noBin, 'optimizer.bin'));
  assert.is(err(() => readCheckpoint(noBin)), `checkpoint ${noBin} is incomplete: optimizer.bin is missing`);
  const badJson = fresh();
  saveCheckpoint(badJson, info(), weights(), slots);
  fs.writeFileSync(path.join(badJson, 'checkpoint.json'), '{"format": 1, "env"');
  assert.match(err(() => readCheckpoint(badJson)), `checkpoint ${badJson}: checkpoint.json is not valid JSON (`);
  const future = fresh();
  saveCheckpoint(future, info(), weights(), slots);
  const meta = JSON.parse(fs.readFileSync(path.join(future, 'checkpoint.json'), 'utf8'));
  fs.writeFileSync(path.join(future, 'checkpoint.json'), JSON.stringify({ ...meta, format: 9 }));
  assert.is(err(() => readCheckpoint(future)), `checkpoint ${future} has format 9; this rl-run reads format 1`);
});

test('truncated and corrupt weights are detected', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(), weights(), slots);
  const bin = path.join(dir, 'weights.bin');
  const full = fs.readFileSync(bin);
  fs.writeFileSync(bin, full.subarray(0, 20));
  assert.is(err(() => readCheckpoint(dir)), `checkpoint ${dir}: weights.bin is truncated (20 bytes, manifest says 48)`);
  const flipped = Buffer.from(full);
  flipped[5] ^= 0xff;
  fs.writeFileSync(bin, flipped);
  assert.match(err(() => readCheckpoint(dir)), new RegExp(`^checkpoint ${dir}: weights.bin is corrupt \\(sha256 `));
});

test('another agent and mismatched shapes are refused before loading', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(), weights(), slots);
  const c = readCheckpoint(dir);
  assert.is(err(() => assertCompatible(c, 'ram', weights())), `checkpoint ${dir} is from agent 'fake', not 'ram'`);
  const other: NamedWeights = { w: { shape: [4, 3], data: new Float32Array(12) }, b: weights().b };
  assert.is(err(() => assertCompatible(c, 'fake', other)), `checkpoint ${dir}: weight 'w' has shape [3, 3], the agent expects [4, 3]`);
  assert.is(err(() => assertCompatible(c, 'fake', { ...weights(), extra: { shape: [1], data: new Float32Array(1) } })), `checkpoint ${dir} lacks weight 'extra' of agent 'fake'`);
  assertCompatible(c, 'fake', weights(7));
});

test('NaN weights are never written; the previous checkpoint stays', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(1), weights(1), slots);
  const bad = weights(1);
  bad.b.data[1] = NaN;
  assert.throws(() => saveCheckpoint(dir, info(2), bad, slots), (e: unknown) => e instanceof NonFiniteWeightsError && /non-finite value b\[1\] = NaN/.test((e as Error).message));
  assert.is(readCheckpoint(dir).meta.counters.epoch, 1);
  assert.equal(fs.readdirSync(setup.dir).filter((f) => f.startsWith('.tmp')), []);
});

test('a crash while filling the new checkpoint keeps the previous one', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(1), weights(1), slots);
  assert.throws(() =>
    replaceDirAtomic(dir, (tmp) => {
      fs.writeFileSync(path.join(tmp, 'weights.bin'), 'half');
      throw new Error('disk full');
    }),
  /disk full/);
  assert.is(readCheckpoint(dir).meta.counters.epoch, 1);
  assert.equal(readCheckpoint(dir).weights, weights(1));
});

test('a crash between the two renames of the swap: reads use the backup, the next writer repairs it', () => {
  const dir = fresh();
  saveCheckpoint(dir, info(1), weights(1), slots);
  // State after `dir -> dir.old` and before `tmp -> dir`: only the backup exists.
  fs.renameSync(dir, backupDirName(dir));
  // Reading changes nothing (eval and viz may read a run that another process is writing).
  assert.is(readCheckpoint(dir).meta.counters.epoch, 1);
  assert.ok(fs.existsSync(backupDirName(dir)));
  assert.not.ok(fs.existsSync(dir));
  assert.ok(recoverDir(dir));
  assert.is(readCheckpoint(dir).meta.counters.epoch, 1);
  assert.not.ok(fs.existsSync(backupDirName(dir)));
  // A stale backup beside a complete checkpoint is removed, the checkpoint untouched.
  fs.cpSync(dir, backupDirName(dir), { recursive: true });
  saveCheckpoint(dir, info(2), weights(2), slots);
  assert.not.ok(recoverDir(dir));
  assert.is(readCheckpoint(dir).meta.counters.epoch, 2);
});

test('a process killed mid-write (simulated by a torn temp file) leaves the target intact', () => {
  const file = path.join(fresh(), 'summary.json');
  writeFileAtomic(file, '{"ok": 1}\n');
  fs.writeFileSync(path.join(path.dirname(file), `.tmp-summary.json-${process.pid}`), '{"ok": 2');
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')), { ok: 1 });
  writeFileAtomic(file, '{"ok": 3}\n');
  assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')), { ok: 3 });
});

test('resolveCheckpointDir takes a checkpoint or a run directory', () => {
  const run = fresh();
  saveCheckpoint(path.join(run, 'checkpoints', 'best'), info(1), weights(1), slots);
  saveCheckpoint(path.join(run, 'checkpoints', 'last'), info(2), weights(2), slots);
  assert.is(resolveCheckpointDir(run), path.join(run, 'checkpoints', 'best'));
  assert.is(resolveCheckpointDir(path.join(run, 'checkpoints', 'last')), path.join(run, 'checkpoints', 'last'));
  const notRun = fresh();
  fs.mkdirSync(notRun);
  assert.match(err(() => resolveCheckpointDir(notRun)), 'is neither a checkpoint');
});

test('rl-run eval: bad checkpoints give one line and exit 2; a good one reproduces the training number', async () => {
  const out = fresh();
  const trained = await runCli(['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--epochs', '2', '--batch-size', '8', '--backend', 'wasm', '--quiet', '--out', out]);
  assert.is(trained.code, 0, trained.stderr);
  const testLine = trained.stdout.split('\n').find((l) => l.startsWith('test accuracy'))!;
  const acc = testLine.split(' ')[2];
  const ev = await runCli(['eval', '--checkpoint', out, '--backend', 'wasm']);
  assert.is(ev.code, 0, ev.stderr);
  assert.ok(ev.stdout.startsWith(`test accuracy ${acc} `), `${ev.stdout} vs ${testLine}`);

  const expectOne = async (argv: string[], re: RegExp) => {
    const r = await runCli(argv);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), re);
  };
  await expectOne(['eval', '--checkpoint', path.join(out, 'nope')], /^rl-run: error: checkpoint directory not found: /);
  const best = path.join(out, 'checkpoints', 'best');
  fs.truncateSync(path.join(best, 'weights.bin'), 8);
  await expectOne(['eval', '--checkpoint', out], /^rl-run: error: checkpoint .*weights.bin is truncated \(8 bytes, manifest says \d+\)$/);
  // A checkpoint of a different agent id / shape: rewrite the meta of `last`.
  const last = path.join(out, 'checkpoints', 'last');
  const metaFile = path.join(last, 'checkpoint.json');
  const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  fs.writeFileSync(metaFile, JSON.stringify({ ...meta, agent: { ...meta.agent, config: { hidden: 5 } } }));
  await expectOne(['eval', '--checkpoint', last], /^rl-run: error: checkpoint .*: weight 'w' has shape \[3, 3\], the agent expects \[5, 3\]$/);
  await expectOne(['eval', '--checkpoint', last, '--split', 'dev'], /^rl-run: error: --split must be one of test, validation, val, train, got 'dev'$/);
});

test.run();

/**
 * The command-line surface a user types: `rl-run train` as the explicit default command,
 * `--test-items`, the env API's split names (`validation`, and `val`) for eval and viz,
 * `eval --record`, and the evaluation progress a run reports (events for displays, kept out of
 * metrics.jsonl). In-process over the fake components (fast).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { EvalEvent, EvalProgressEvent, RunEvent } from '../runners/events';
import { readEvalRecord } from '../runners/eval-record';
import { readCheckpoint } from '../runners/checkpoint';
import { tap } from 'rxjs';
import { train } from '../runners/run';
import { jsonlSink } from '../runners/sinks/jsonl';
import { runCli } from './helpers/cli-helpers';
import { fakeComponents } from './helpers/fakes';
import { allEvents, fakeConfig, useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('cli-ux');
const setup = useBackendAndTempDir(test);

const FAKE = ['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--batch-size', '8', '--backend', 'wasm', '--quiet'];

test("'rl-run train' is the default command with the same flags; --test-items caps the test", async () => {
  const a = await runCli(['train', ...FAKE, '--epochs', '2', '--test-items', '13', '--out', path.join(setup.dir, 'a')]);
  assert.is(a.code, 0, a.stderr);
  const b = await runCli([...FAKE, '--epochs', '2', '--test-items', '13', '--out', path.join(setup.dir, 'b')]);
  assert.is(b.code, 0, b.stderr);
  assert.match(a.stdout, /^test accuracy \d\.\d{4} error \d\.\d{4} \(\d+\/13\)$/m);
  const testLine = (out: string) => out.split('\n').find((l) => l.startsWith('test accuracy'));
  assert.is(testLine(a.stdout), testLine(b.stdout), 'same run, same test score');
  const help = await runCli(['train', '--help']);
  for (const flag of ['--env <id>', '--epochs <n>', '--test-items <n>', '--config <file.json>']) assert.ok(help.stdout.includes(flag), `${flag} in train --help`);
  const bad = await runCli(['train', ...FAKE, '--test-items', '0', '--out', path.join(setup.dir, 'c')]);
  assert.is(bad.code, 2);
  assert.is(bad.stderr, "rl-run: error: --test-items must be an integer >= 1, got '0'\n");
});

test('eval accepts the env API split names (validation, val) and --record writes what it printed', async () => {
  const run = path.join(setup.dir, 'a');
  const val = await runCli(['eval', '--checkpoint', run, '--split', 'validation', '--backend', 'wasm']);
  assert.is(val.code, 0, val.stderr);
  const short = await runCli(['eval', '--checkpoint', run, '--split', 'val', '--backend', 'wasm']);
  assert.is(short.stdout, val.stdout);
  assert.match(val.stdout, /^val accuracy /);
  const bad = await runCli(['eval', '--checkpoint', run, '--split', 'dev', '--backend', 'wasm']);
  assert.is(bad.stderr, "rl-run: error: --split must be one of test, validation, val, train, got 'dev'\n");
  const rec = await runCli(['eval', '--checkpoint', run, '--record', '--quiet', '--backend', 'wasm']);
  assert.is(rec.code, 0, rec.stderr);
  const ckptDir = path.join(run, 'checkpoints', 'best');
  const r = readEvalRecord(ckptDir, 'test', readCheckpoint(ckptDir).meta.weights.sha256);
  assert.ok(r, 'record written beside the checkpoint');
  assert.ok(rec.stdout.startsWith(`test accuracy ${r!.accuracy.toFixed(4)} error ${r!.error.toFixed(4)} (${r!.correct}/${r!.total}`), rec.stdout);
  assert.is(r!.command, `rl-run eval --checkpoint ${run} --split test`);
  // The numbers and their provenance only (a merge once spread the loaded weights into it: 8 MB).
  assert.equal(Object.keys(r!).sort(), ['accuracy', 'backend', 'command', 'correct', 'epoch', 'error', 'recordedAt', 'samples', 'seconds', 'split', 'total', 'weightsSha256']);
  // The run scored its test on --test-items 13; eval of the run reproduces that number.
  assert.is(r!.total, 13);
  const trained = await runCli(['eval', '--checkpoint', run, '--quiet', '--backend', 'wasm']);
  assert.match(trained.stdout, /\(\d+\/13, greedy\)/);
});

test('a run reports evaluation progress as evalProgress events, not in metrics.jsonl', async () => {
  const before = tf.memory().numTensors;
  const out = path.join(setup.dir, 'progress');
  const log$ = jsonlSink();
  const evs: RunEvent[] = await allEvents(train(fakeConfig(out, { epochs: 1, evalBatchSize: 16 }), { components: fakeComponents(), backend: setup.backend }).pipe(tap((ev) => log$.next!(ev))));
  const progress = evs.filter((e): e is EvalProgressEvent => e.type === 'evalProgress');
  const val = progress.filter((p) => p.split === 'val');
  // 60 validation items in batches of 16: 4 batches, the last one complete.
  assert.equal(val.map((p) => p.done), [16, 32, 48, 60]);
  assert.is(val[val.length - 1].fraction, 1);
  const evalIdx = evs.findIndex((e) => e.type === 'eval' && (e as EvalEvent).split === 'val');
  assert.ok(evs.indexOf(val[val.length - 1]) < evalIdx, 'progress comes before the result');
  const start = evs[0];
  assert.ok(start.type === 'start' && start.evalItems?.val === 60 && start.evalItems?.test === 60, 'the start event says how many items each evaluation scores');
  const log = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
  assert.match(log, /"type":"eval"/);
  assert.not.match(log, /evalProgress/);
  assert.is(tf.memory().numTensors, before);
});

test.run();

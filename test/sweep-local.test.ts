/**
 * `rl-run sweep` on this machine, as real processes (the sweep and its child `rl-run`s, over the
 * fake components so it is fast): trials are ordinary run directories, the table and result files
 * come out, a second run reruns nothing, and Ctrl-C stops every child, exits 130 and leaves a
 * sweep that the next run finishes with the same results as an uninterrupted one.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acquireRunLock } from '../runners/run-lock';
import type { SweepResults } from '../runners/sweep/results';
import { tempDir } from './helpers/run-helpers';

const test = suite('sweep-local');
const root = path.join(__dirname, '..');
const cli = [...['-r', require.resolve('tsx/cjs')], path.join(root, 'test', 'helpers', 'fake-sweep-cli.ts')];
let dir = '';
let file = '';
/** The first configuration of `file` alone: the same trial ids, half the work. */
let small = '';
test.before(() => {
  dir = tempDir('sweep-local-');
  file = path.join(dir, 'fake.json');
  const spec = { base: { env: 'fake', agent: 'fake', algo: 'fake-sgd', epochs: 4, batchSize: 8, backend: 'wasm' }, grid: { 'algoOptions.lr': [0.1, 0.5] }, seeds: [0, 1], mcSamples: 3 };
  fs.writeFileSync(file, JSON.stringify(spec));
  small = path.join(dir, 'small.json');
  fs.writeFileSync(small, JSON.stringify({ ...spec, grid: { 'algoOptions.lr': [0.1] } }));
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function sweep(out: string, env: Record<string, string> = {}, spec = file) {
  const r = spawnSync(process.execPath, [...cli, spec, '--workers', '2', '--out', out], { cwd: dir, encoding: 'utf8', timeout: 120000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const readResults = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as SweepResults;
/** The measured metrics of each trial (no times, no host): what must not depend on how the sweep ran. */
const metrics = (r: SweepResults) => r.trials.map((t) => ({ id: t.id, val: t.bestValAccuracy, epoch: t.bestEpoch, greedy: t.testErrorGreedy, mc: t.testErrorMC, curve: t.valCurve }));
const logLines = (out: string) => fs.readdirSync(path.join(out, 'logs')).map((f) => fs.readFileSync(path.join(out, 'logs', f), 'utf8').split('\n').filter((l) => l.startsWith('$ rl-run')).length);

test('2 configs x 2 seeds with 2 workers: ordinary run directories, the table, results.json and results.html', () => {
  const out = path.join(dir, 'full');
  const r = sweep(out);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /^config\s+seeds\s+val acc %\s+greedy err %\s+MC3 err %\s+train s$/);
  assert.match(lines[2], /^algoOptions\.lr=0\.1\s+2\/2\s+\d+\.\d\d ± \d+\.\d\d\s+\d+\.\d\d ± \d+\.\d\d\s+\d+\.\d\d ± \d+\.\d\d\s+\d+\.\d ± \d+\.\d$/);
  assert.match(lines[3], /^algoOptions\.lr=0\.5\s+2\/2\s/);
  assert.match(r.stdout, /4\/4 trials finished in [\d.]+ s; wrote .*results\.json and .*results\.html/);
  assert.match(r.stderr, /2 worker\(s\), 1 GEMM thread\(s\) each/);
  const res = readResults(out);
  assert.is(res.complete, true);
  assert.equal(res.trials.map((t) => t.id), ['algoOptions.lr=0.1-s0', 'algoOptions.lr=0.1-s1', 'algoOptions.lr=0.5-s0', 'algoOptions.lr=0.5-s1']);
  for (const t of res.trials) {
    const run = path.join(out, 'trials', t.id);
    const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
    assert.equal([config.seed, config.algoOptions.lr, config.out], [t.seed, t.id.startsWith('algoOptions.lr=0.1') ? 0.1 : 0.5, run]);
    assert.ok(fs.existsSync(path.join(run, 'checkpoints', 'best', 'checkpoint.json')));
    const summary = JSON.parse(fs.readFileSync(path.join(run, 'summary.json'), 'utf8'));
    assert.is(t.bestValAccuracy, summary.bestValAccuracy);
    // The run tested greedily itself; the MC error comes from `rl-run eval --samples 3` on the same checkpoint.
    assert.is(t.testErrorGreedy, 1 - Math.round(summary.testAccuracy * summary.testTotal) / summary.testTotal);
    assert.equal(t.valCurve.map(([e]) => e), [1, 2, 3, 4]);
  }
  // Seeds differ, so the trials do.
  assert.not.equal(res.trials[0].valCurve, res.trials[1].valCurve);
  const c = res.configs[0];
  const vals = res.trials.slice(0, 2).map((t) => t.bestValAccuracy!);
  assert.ok(Math.abs(c.bestValAccuracy.mean! - (vals[0] + vals[1]) / 2) < 1e-12);
  assert.ok(Math.abs(c.bestValAccuracy.std! - Math.abs(vals[0] - vals[1]) / Math.SQRT2) < 1e-12);
  assert.match(fs.readFileSync(path.join(out, 'results.html'), 'utf8'), /<svg /);
});

test('running the finished sweep again reruns nothing and prints the same table', () => {
  const out = path.join(dir, 'full');
  const before = logLines(out);
  const first = readResults(out);
  const r = sweep(out);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /4 of 4 trials already finished/);
  assert.equal(logLines(out), before, 'no child process started');
  assert.equal(readResults(out).trials, first.trials);
  assert.not.ok(fs.existsSync(path.join(out, 'rl-run.lock')), 'the sweep released its folder lock');
});

test('Ctrl-C stops every child and exits 130; the next run resumes and ends with the same results', async () => {
  const out = path.join(dir, 'interrupted');
  const child = spawn(process.execPath, [...cli, small, '--workers', '2', '--out', out], { cwd: dir, env: { ...process.env, FAKE_SLEEP_MS: '60' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const t0 = Date.now();
  // Interrupt once a trial has a checkpoint and is still training.
  while (!fs.existsSync(path.join(out, 'trials', 'algoOptions.lr=0.1-s0', 'checkpoints', 'last'))) {
    if (Date.now() - t0 > 60000 || child.exitCode !== null) throw new Error(`no checkpoint: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.is(code, 130, stderr);
  assert.match(stderr, /stopping the running trials at their next batch/);
  assert.match(stderr, /algoOptions\.lr=0\.1-s0: stopped; it resumes from its last checkpoint/);
  // No child rl-run of this sweep is left running.
  const alive = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(out);
    } catch {
      return false;
    }
  });
  assert.equal(alive, [], 'children still running');
  assert.ok(!fs.existsSync(path.join(out, 'results', 'algoOptions.lr=0.1-s0.json')), 'the trial was interrupted before its end');
  const r = sweep(out, {}, small);
  assert.is(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(path.join(out, 'logs', 'algoOptions.lr=0.1-s0.log'), 'utf8'), /--resume/);
  assert.equal(metrics(readResults(out)), metrics(readResults(path.join(dir, 'full'))).slice(0, 2));
});

test('a second sweep on a folder another live sweep holds: one line naming it, exit 2, nothing started', () => {
  const out = path.join(dir, 'held');
  fs.mkdirSync(out, { recursive: true });
  // A live holder: this test process (acquireRunLock writes its pid, host and boot id).
  const lock = acquireRunLock(out, 'sweep folder');
  try {
    const r = sweep(out);
    assert.is(r.code, 2, r.stderr);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`sweep folder ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by rl-run pid ${process.pid} `));
    assert.not.ok(fs.existsSync(path.join(out, 'trials')), 'no trial started');
  } finally {
    lock.release();
  }
  // Released: the lock file is gone, so the folder is free again.
  assert.not.ok(fs.existsSync(path.join(out, 'rl-run.lock')));
});

test('bad input: one line, exit 2, nothing written', () => {
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ base: { env: 'fake', agent: 'fake' }, seeds: [0], grid: { batchSize: ['big'] } }));
  const r = spawnSync(process.execPath, [...cli, bad, '--out', path.join(dir, 'bad-out')], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 2, r.stderr);
  assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^rl-run: error: sweep file '.*bad.json' configuration 'batchSize=big': key 'batchSize' must be an integer in \[1, 65536\], got 'big'/);
  assert.ok(!fs.existsSync(path.join(dir, 'bad-out')));
});

test('a trial that fails is reported with its log, the others finish, exit 1', () => {
  const failing = path.join(dir, 'failing.json');
  // Only the child knows the registries: an unknown agent is its bad input (exit 2).
  fs.writeFileSync(failing, JSON.stringify({ base: { env: 'fake', agent: 'fake', algo: 'fake-sgd', epochs: 1, batchSize: 8, backend: 'wasm' }, configs: [{}, { agent: 'nope' }], seeds: [0] }));
  const out = path.join(dir, 'failing');
  const r = sweep(out, {}, failing);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /^FAILED agent=nope-s0: training exited with code 2; see .*logs\/agent=nope-s0\.log$/m);
  assert.match(r.stdout, /^base\s+1\/1\s/m);
  assert.match(r.stdout, /^agent=nope\s+0\/1\s+-\s+-\s+-\s+-$/m);
  assert.match(fs.readFileSync(path.join(out, 'logs', 'agent=nope-s0.log'), 'utf8'), /rl-run: error: unknown agent 'nope'/);
  const res = readResults(out);
  assert.equal([res.complete, res.trials.length, res.failed.map((f) => f.id)], [false, 1, ['agent=nope-s0']]);
});

test.run();

/**
 * Ctrl-C, SIGTERM and SIGHUP sent to a real `rl-run` process: the run stops at the next batch
 * boundary, keeps the last completed epoch, prints one line with a resume command that works, and
 * exits with the shell's code for the signal; a second signal quits at once.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LOCK_FILE } from '../runners/run-lock';
import { shellQuote } from '../runners/train-command';
import { fakeCli, fakeRunArgs, runFake, startFakeRun, tsxArgs } from './helpers/child-run';
import { tempDir } from './helpers/run-helpers';

const test = suite('stop-signals');
let dir = '';
test.before(() => {
  dir = tempDir('rl-run-signals-');
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

const readJsonl = (out: string) =>
  fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number; batch?: number; kind?: string; reason?: string });
const lastEpoch = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'last', 'checkpoint.json'), 'utf8')).counters.epoch as number;

/** Files a crashed or interrupted writer could leave: temp files, the lock, swap backups. */
function leftovers(out: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d)) {
      if (n.startsWith('.tmp-') || n === LOCK_FILE || n.endsWith('.old') || n.endsWith('.break')) found.push(path.join(d, n));
      if (fs.statSync(path.join(d, n)).isDirectory()) walk(path.join(d, n));
    }
  };
  walk(out);
  return found;
}

const STOP_LINE = /^rl-run: stopped by (SIG[A-Z]+) during epoch (\d+) \(after batch (\d+)\/7\); checkpoints\/last keeps epoch (\d+), epoch \d+ starts over on resume; resume with: (.+)$/;

test('one SIGINT stops at the next batch boundary, keeps epoch 1, prints one resume line, exits 130; that command finishes the run exactly', async () => {
  const out = path.join(dir, 'int');
  const args = fakeRunArgs(out, ['--epochs', '4']);
  const child = startFakeRun(args, dir, 80);
  await child.waitFor(/epoch 2\/\d+  batch 3\/7/);
  child.proc.kill('SIGINT');
  const code = await child.exited;
  assert.is(code, 130, child.stderr());
  // Ended as if killed by the signal: what lets a calling shell loop stop too.
  assert.is(child.proc.signalCode, 'SIGINT');
  const lines = child.stderr().trimEnd().split('\n');
  const stopLines = lines.filter((l) => /^rl-run: stop/.test(l));
  assert.is(stopLines.length, 1, child.stderr());
  const m = STOP_LINE.exec(lines[lines.length - 1]);
  assert.ok(m, lines[lines.length - 1]);
  assert.is(m![1], 'SIGINT');
  assert.is(m![2], '2');
  assert.is(m![4], '1');
  // A stack frame line, not prose such as "test items at the end".
  assert.not.match(child.stderr(), /^\s+at .+:\d+:\d+\)?$/m, child.stderr());
  assert.is(child.stdout(), '', 'no summary of a stopped run');
  // Stopped within epoch 2, right after the batch the line names; epoch 1 is the checkpoint.
  assert.is(lastEpoch(out), 1);
  const events = readJsonl(out);
  const batches = events.filter((e) => e.type === 'batch');
  assert.equal([batches[batches.length - 1].epoch, batches[batches.length - 1].batch], [2, Number(m![3])]);
  assert.equal(events[events.length - 1].type, 'done');
  assert.equal(leftovers(out), []);
  assert.not.ok(fs.existsSync(path.join(out, 'summary.json')));

  // The printed command, run as printed, finishes the run; the result is the uninterrupted run's.
  const resumed = spawnSync('sh', ['-c', m![5]], { cwd: dir, encoding: 'utf8', timeout: 60000, env: { ...process.env, FAKE_SLEEP_MS: '0' } });
  assert.is(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming fake\/fake\/fake-sgd .*: epochs 2\.\.4/);
  const full = runFake(fakeRunArgs(path.join(dir, 'int-full'), ['--epochs', '4']), dir);
  assert.is(full.code, 0, full.stderr);
  const acc = (s: string) => s.split('\n').find((l) => l.startsWith('test accuracy'));
  assert.ok(acc(full.stdout));
  assert.is(acc(resumed.stdout), acc(full.stdout));
  const after = readJsonl(out);
  assert.equal(after.filter((e) => e.type === 'epoch').map((e) => e.epoch), [1, 2, 3, 4], 'each epoch once');
  assert.is(after.filter((e) => e.type === 'batch').length, 28);
  assert.equal(after.filter((e) => e.type === 'done').map((e) => e.reason), ['completed'], 'the stopped process\'s end is not kept');
  assert.equal(fs.readFileSync(path.join(out, 'checkpoints', 'last', 'weights.bin')), fs.readFileSync(path.join(dir, 'int-full', 'checkpoints', 'last', 'weights.bin')));
  assert.equal(leftovers(out), []);
});

test('SIGTERM exits 143 and SIGHUP 129, each after one line, keeping the last completed epoch', async () => {
  for (const [sig, expected] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const out = path.join(dir, sig);
    const child = startFakeRun(fakeRunArgs(out, ['--epochs', '50']), dir, 60);
    await child.waitFor(/epoch 2\/\d+  batch 2\/7/);
    child.proc.kill(sig);
    assert.is(await child.exited, expected, child.stderr());
    const stop = child.stderr().split('\n').filter((l) => l.startsWith('rl-run: stop'));
    assert.is(stop.length, 1, child.stderr());
    assert.match(stop[0], STOP_LINE);
    assert.match(stop[0], `stopped by ${sig} during epoch 2`);
    assert.is(lastEpoch(out), 1);
    assert.equal(leftovers(out), []);
  }
});

test('a stop in the first epoch says nothing was checkpointed, and its resume command starts epoch 1 over', async () => {
  const out = path.join(dir, 'first');
  const child = startFakeRun(fakeRunArgs(out, ['--epochs', '2']), dir, 60);
  await child.waitFor(/epoch 1\/\d+  batch 2\/7/);
  child.proc.kill('SIGINT');
  assert.is(await child.exited, 130, child.stderr());
  const last = child.stderr().trimEnd().split('\n').pop()!;
  const m = /^rl-run: stopped by SIGINT during epoch 1 \(after batch \d\/7\); no epoch was completed yet, resume starts epoch 1 over; resume with: (.+)$/.exec(last);
  assert.ok(m, last);
  assert.not.ok(fs.existsSync(path.join(out, 'checkpoints')));
  const resumed = spawnSync('sh', ['-c', m![1]], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /epochs 1\.\.2/);
  assert.equal(readJsonl(out).filter((e) => e.type === 'epoch').map((e) => e.epoch), [1, 2]);
});

test('a second Ctrl-C quits at once with one line; nothing is half-written and the lock is released', async () => {
  const out = path.join(dir, 'twice');
  // Each update takes 3 s, so both signals arrive while the first batch is still running.
  const child = startFakeRun(fakeRunArgs(out, ['--epochs', '2']), dir, 3000);
  await child.waitFor(/rl-run: training/);
  child.proc.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 300));
  child.proc.kill('SIGINT');
  assert.is(await child.exited, 130, child.stderr());
  const lines = child.stderr().trimEnd().split('\n').filter((l) => l.startsWith('rl-run: ') && !l.startsWith('rl-run: training') && !l.startsWith('rl-run: backend '));
  assert.is(lines.length, 1, child.stderr());
  assert.match(lines[0], /^rl-run: quit at once on a second signal \(first: SIGINT\); no epoch was completed yet; resume with: .+ --resume$/);
  assert.equal(leftovers(out), []);
  assert.ok(fs.existsSync(path.join(out, 'config.json')));
});

test('Ctrl-C in a bash loop of runs stops the loop, as for any program that Ctrl-C ends', async () => {
  if (!fs.existsSync('/bin/bash')) return;
  const cli = [process.execPath, ...tsxArgs, fakeCli].map(shellQuote).join(' ');
  const flags = fakeRunArgs('OUT', ['--epochs', '3']).map(shellQuote).join(' ').replace('OUT', `${shellQuote(dir)}/loop-$s`);
  // detached: its own process group, which gets the signal as a terminal's Ctrl-C would send it.
  const bash = spawn('/bin/bash', ['-c', `for s in 1 2; do ${cli} ${flags}; done`], { cwd: dir, detached: true, env: { ...process.env, FAKE_SLEEP_MS: '80', RL_RUN_PROGRESS_SECONDS: '0' } });
  let err = '';
  bash.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => bash.once('exit', () => r()));
  for (let i = 0; i < 1200 && !/epoch 1\/\d+  batch 2\/7/.test(err); i++) await new Promise((r) => setTimeout(r, 50));
  process.kill(-bash.pid!, 'SIGINT');
  await exited;
  assert.is((err.match(/rl-run: training/g) ?? []).length, 1, err);
  assert.match(err, /rl-run: stopped by SIGINT during epoch 1/);
  assert.not.ok(fs.existsSync(path.join(dir, 'loop-2')), 'the loop did not go on to the next run');
});

test.run();

/**
 * Who may write a run directory, and what happens when writing fails: the lock (two real
 * processes), `--force` only on a run of ours and only after every input was checked, `--resume`
 * without checkpoints, and write failures as one line with exit code 1.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WriteError, appendLineSynced, replaceDirAtomic, writeFileSynced } from '../runners/atomic-write';
import { LOCK_FILE, acquireRunLock, inspectLock } from '../runners/run-lock';
import { runCli } from './helpers/cli-helpers';
import { fakeRunArgs, startFakeRun } from './helpers/child-run';
import { useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('run-dir');
const setup = useBackendAndTempDir(test, 'rl-run-dir-');

const quiet = (out: string, extra: string[] = []) => [...fakeRunArgs(out, extra), '--quiet'];

/** Every file under `d` with its sha256 (directories as entries), to show nothing changed. */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const n of fs.readdirSync(p).sort()) {
      const f = path.join(p, n);
      const st = fs.lstatSync(f);
      if (st.isDirectory()) {
        out[path.relative(d, f) + '/'] = 'dir';
        walk(f);
      } else out[path.relative(d, f)] = crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    }
  };
  walk(d);
  return out;
}

/** Asserts exit `code`, exactly one stderr line matching `re` and no stack trace. */
function oneLine(r: { code: number | null; stderr: string }, code: number, re: RegExp | string): void {
  assert.is(r.code, code, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], re);
  assert.not.match(r.stderr, /\n\s+at /);
}

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

test('--force refuses a directory that is not a glimpse-gym run and deletes nothing', async () => {
  const victim = path.join(setup.dir, 'victim');
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(victim, 'thesis.txt'), 'precious\n');
  oneLine(await runCli(quiet(victim, ['--force'])), 2, /^rl-run: error: --force: refusing to delete .*victim: it holds 'thesis.txt', which no rl-run writes; --force only replaces a glimpse-gym run directory/);
  assert.is(fs.readFileSync(path.join(victim, 'thesis.txt'), 'utf8'), 'precious\n');
  assert.equal(fs.readdirSync(victim), ['thesis.txt']);
  // A run directory with a file of the user's in it, and a config.json that is not ours.
  const run = path.join(setup.dir, 'run-plus-notes');
  assert.is((await runCli(quiet(run, ['--epochs', '1']))).code, 0);
  fs.writeFileSync(path.join(run, 'notes.md'), 'mine\n');
  oneLine(await runCli(quiet(run, ['--force'])), 2, /it holds 'notes\.md'/);
  assert.ok(fs.existsSync(path.join(run, 'notes.md')));
  const other = path.join(setup.dir, 'other-config');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'config.json'), '{"name": "my web app"}\n');
  oneLine(await runCli(quiet(other, ['--force'])), 2, /its config\.json is not the config of an rl-run run/);
  assert.ok(fs.existsSync(path.join(other, 'config.json')));
});

test('--force with any bad input leaves the old run untouched; with good input it replaces it', async () => {
  const run = path.join(setup.dir, 'forced');
  assert.is((await runCli(quiet(run, ['--epochs', '1']))).code, 0);
  const before = snapshot(run);
  const badKwargs = path.join(setup.dir, 'bad-kwargs.json');
  fs.writeFileSync(badKwargs, JSON.stringify({ envKwargs: { bogus: 1 } }));
  for (const extra of [['--agent', 'nope'], ['--lr', 'abc'], ['--config', badKwargs], ['--batch-size', '0']]) {
    const r = await runCli([...quiet(run, ['--force']), ...extra]);
    assert.is(r.code, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(snapshot(run), before, `${extra.join(' ')} changed nothing`);
  }
  const ok = await runCli(quiet(run, ['--force', '--epochs', '2']));
  assert.is(ok.code, 0, ok.stderr);
  assert.is(JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8')).epochs, 2);
  assert.not.ok(fs.existsSync(path.join(run, LOCK_FILE)));
});

test('--resume on a run whose checkpoints are gone refuses instead of restarting at epoch 1', async () => {
  const run = path.join(setup.dir, 'lost-checkpoints');
  assert.is((await runCli(quiet(run, ['--epochs', '2']))).code, 0);
  fs.rmSync(path.join(run, 'checkpoints'), { recursive: true });
  const before = snapshot(run);
  oneLine(await runCli([...quiet(run), '--resume']), 2, /^rl-run: error: --resume: .*lost-checkpoints has no checkpoints\/last, but its metrics\.jsonl records checkpoints up to epoch 2; resuming would restart at epoch 1 and drop that history: restore .*, or start over with --force$/);
  assert.equal(snapshot(run), before);
  fs.rmSync(path.join(run, 'metrics.jsonl'));
  oneLine(await runCli([...quiet(run), '--resume']), 2, /has a summary\.json but no checkpoints\/last/);
});

test('lock: a live run refuses a second writer (train, --force, --resume) naming its pid; eval reads the live run; no duplicates or temp files', async () => {
  const run = path.join(setup.dir, 'live');
  const a = startFakeRun(fakeRunArgs(run, ['--epochs', '40']), setup.dir, 40);
  // Epoch 2 ends after epoch 1's checkpoints are written (the progress sink no longer prints each save).
  await a.waitFor(/epoch 2\/\d+ done/);
  const pid = a.proc.pid!;
  const held = inspectLock(run);
  assert.ok(held && held.live && held.info?.pid === pid, JSON.stringify(held));
  // The second writer is this test process.
  for (const extra of [[], ['--force'], ['--resume']]) {
    const r = await runCli(quiet(run, ['--epochs', '40', ...extra]));
    oneLine(r, 2, new RegExp(`^rl-run: error: run directory .*live is in use by rl-run pid ${pid} \\(since .*\\); wait for it to end or stop it \\(kill -INT ${pid}\\)$`));
  }
  const ev = await runCli(['eval', '--checkpoint', run, '--backend', 'wasm']);
  assert.is(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, /^test accuracy /);
  assert.ok(fs.existsSync(path.join(run, 'config.json')));
  assert.ok(fs.existsSync(path.join(run, 'checkpoints', 'best', 'checkpoint.json')));
  a.proc.kill('SIGINT');
  assert.is(await a.exited, 130, a.stderr());
  const lines = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const epochs = lines.filter((l) => l.type === 'epoch').map((l) => l.epoch);
  assert.equal(epochs, [...new Set(epochs)], 'no epoch twice');
  assert.equal(fs.readdirSync(run).filter((n) => n.startsWith('.') || n === LOCK_FILE), []);
  assert.equal(fs.readdirSync(path.join(run, 'checkpoints')).sort(), ['best', 'last']);
});

test('lock: two runs started at once on one new directory: one trains, the other is refused', async () => {
  const run = path.join(setup.dir, 'race');
  const args = fakeRunArgs(run, ['--epochs', '3']);
  const a = startFakeRun(args, setup.dir, 20);
  const b = startFakeRun(args, setup.dir, 20);
  const codes = [await a.exited, await b.exited].sort();
  assert.equal(codes, [0, 2], `${a.stderr()}\n${b.stderr()}`);
  const loser = (await a.exited) === 2 ? a : b;
  assert.match(loser.stderr(), /^rl-run: error: run directory .*race (is in use by rl-run pid \d+|already exists)/);
  const lines = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch), [1, 2, 3]);
  assert.is(lines.filter((l) => l.type === 'start').length, 1);
});

test('lock: a stale lock (dead pid, or an unreadable old one) is taken over; a lock of another host is refused naming it', async () => {
  const run = path.join(setup.dir, 'stale');
  assert.is((await runCli(quiet(run, ['--epochs', '1']))).code, 0);
  const lockFile = path.join(run, LOCK_FILE);
  const write = (info: Record<string, unknown>) => fs.writeFileSync(lockFile, JSON.stringify({ bootId: null, startedAt: '2026-01-01T00:00:00.000Z', command: 'rl-run', token: 'x', ...info }));
  write({ pid: deadPid(), hostname: os.hostname() });
  let r = await runCli([...quiet(run, ['--epochs', '2']), '--resume']);
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(fs.existsSync(lockFile));
  fs.writeFileSync(lockFile, '{"pid": 12');
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockFile, old, old);
  r = await runCli([...quiet(run, ['--epochs', '3']), '--resume']);
  assert.is(r.code, 0, r.stderr);
  write({ pid: 4242, hostname: 'some-other-host' });
  oneLine(await runCli([...quiet(run, ['--epochs', '4']), '--resume']), 2, new RegExp(`in use by rl-run pid 4242 on host some-other-host .*; if it no longer runs there, delete ${lockFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  fs.rmSync(lockFile);
  // In one process: a held lock refuses a second acquire, and releasing it frees the directory.
  const held = acquireRunLock(run);
  assert.throws(() => acquireRunLock(run), /in use by rl-run pid \d+/);
  held.release();
  acquireRunLock(run).release();
  assert.not.ok(fs.existsSync(lockFile));
});

test('write failures: one line naming the file, exit 1, never 0, no stack trace (also on a short resume)', async () => {
  // A complete run resumed with nothing left to train: only the log and the summary are written.
  const short = path.join(setup.dir, 'short');
  assert.is((await runCli(quiet(short, ['--epochs', '1']))).code, 0);
  fs.rmSync(path.join(short, 'metrics.jsonl'));
  fs.mkdirSync(path.join(short, 'metrics.jsonl'));
  oneLine(await runCli([...quiet(short), '--resume']), 1, /^rl-run: error: cannot continue .*short\/metrics\.jsonl: it is not a regular file$/);
  // The summary at the end of a resumed run cannot be written.
  const late = path.join(setup.dir, 'late');
  assert.is((await runCli(quiet(late, ['--epochs', '1']))).code, 0);
  fs.rmSync(path.join(late, 'summary.json'));
  fs.mkdirSync(path.join(late, 'summary.json', 'x'), { recursive: true });
  const r = await runCli([...quiet(late, ['--epochs', '2']), '--resume']);
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stderr.trimEnd(), /^rl-run: error: cannot write .*late\/summary\.json: a (non-empty )?directory is in the way \((EISDIR|ENOTEMPTY|EEXIST)\)$/);
  assert.not.match(r.stderr, /\n\s+at /);
  assert.not.ok(fs.existsSync(path.join(late, LOCK_FILE)));
  // A full disk: the reason is said in words; a checkpoint that cannot be written keeps the old one.
  const err = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof WriteError, String(e));
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  if (fs.existsSync('/dev/full')) {
    assert.is(err(() => appendLineSynced('/dev/full', '{}')), 'cannot append to /dev/full: no space left on device (ENOSPC)');
    const ck = path.join(setup.dir, 'ck');
    replaceDirAtomic(ck, (tmp) => writeFileSynced(path.join(tmp, 'a'), 'old'));
    assert.match(err(() => replaceDirAtomic(ck, () => writeFileSynced('/dev/full', 'new'))), /^cannot write .*ck: no space left on device \(ENOSPC\); the previous version is kept$/);
    assert.is(fs.readFileSync(path.join(ck, 'a'), 'utf8'), 'old');
  }
});

test('a full disk in the middle of a run stops it with one line, exit 1, and releases the lock', async () => {
  if (!fs.existsSync('/dev/full')) return;
  const run = path.join(setup.dir, 'midway');
  const a = startFakeRun(quiet(run, ['--epochs', '40']), setup.dir, 30);
  const lockFile = path.join(run, LOCK_FILE);
  for (let i = 0; i < 1200 && !fs.existsSync(path.join(run, 'checkpoints', 'last')); i++) await new Promise((r) => setTimeout(r, 50));
  // Swapped in atomically (rename), so the run never sees the log missing: its next append hits ENOSPC.
  fs.symlinkSync('/dev/full', path.join(run, 'full-link'));
  fs.renameSync(path.join(run, 'full-link'), path.join(run, 'metrics.jsonl'));
  const code = await a.exited;
  oneLine({ code, stderr: a.stderr() }, 1, /^rl-run: error: cannot append to .*midway\/metrics\.jsonl: no space left on device \(ENOSPC\)$/);
  assert.not.ok(fs.existsSync(lockFile));
  assert.equal(fs.readdirSync(path.join(run, 'checkpoints')).sort(), ['best', 'last']);
});

test.run();

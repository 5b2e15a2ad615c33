/**
 * The "done when", with a real Redis (Debian's redis-server on a free localhost port, see
 * helpers/redis-server.ts) and the real `rl-run` (bin/rl-run.js, built by `npm run test:queue`):
 * a sweep of 2 configurations x 3 seeds on `shapes` runs locally with 2 workers, then through
 * BullMQ with two `rl-run worker`s, one of which is killed with `kill -9` in the middle of a trial;
 * a third worker joins (the machine came back). Every trial completes, the killed one resumes from
 * its checkpoint, and both ways give the same table and exactly the same metrics per trial.
 */
import * as os from 'os';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue } from 'bullmq';
import { QUEUE_NAME, trialJobId } from '../runners/sweep/queue';
import type { SweepResults } from '../runners/sweep/results';
import { startRedis, type TestRedis } from './helpers/redis-server';
import { tempDir } from './helpers/run-helpers';

const test = suite('sweep-queue');
const rlRun = path.join(__dirname, '..', 'bin', 'rl-run.js');
let redis: TestRedis;
let dir = '';
let file = '';
const procs: ChildProcess[] = [];

test.before(async () => {
  redis = await startRedis();
  dir = tempDir('sweep-queue-');
  file = path.join(dir, 'shapes.json');
  fs.writeFileSync(file, JSON.stringify({
    name: 'shapes-2x3',
    base: { env: 'shapes', agent: 'ram', epochs: 3, maxBatches: 4, batchSize: 16, valItems: 100, backend: 'wasm' },
    configs: [{ algo: 'reinforce' }, { algo: 'ppo' }],
    seeds: [0, 1, 2],
    mcSamples: 2,
  }));
});
test.after(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await redis?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const readResults = (out: string) => JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as SweepResults;
const metrics = (r: SweepResults) => r.trials.map((t) => ({ id: t.id, val: t.bestValAccuracy, epoch: t.bestEpoch, greedy: t.testErrorGreedy, mc: t.testErrorMC, curve: t.valCurve }));
/** The printed table without its time column (times differ between runs). */
const tableWithoutTime = (stdout: string) => stdout.split('\n').filter((l) => /^(config|algo=|-)/.test(l)).map((l) => l.replace(/\s+\S+( ± \S+)?$/, ''));

/** A background `rl-run` process with its output collected. */
function start(args: string[]): { proc: ChildProcess; out: () => string; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [rlRun, ...args], { cwd: dir });
  procs.push(proc);
  let text = '';
  proc.stdout!.on('data', (d) => (text += d));
  proc.stderr!.on('data', (d) => (text += d));
  // The status a shell sees: a worker stopped by Ctrl-C ends as if killed by SIGINT (130), as rl-run does.
  const exit = new Promise<number | null>((r) => proc.once('exit', (code, signal) => r(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : null))));
  return { proc, out: () => text, exit };
}

function processesWith(needle: string): string[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

let local: { stdout: string; results: SweepResults };

test('the sweep on this machine, 2 workers: the reference', () => {
  const out = path.join(dir, 'local');
  const r = spawnSync(process.execPath, [rlRun, 'sweep', file, '--out', out, '--workers', '2'], { cwd: dir, encoding: 'utf8', timeout: 300000 });
  assert.is(r.status, 0, r.stderr);
  local = { stdout: r.stdout, results: readResults(out) };
  assert.is(local.results.trials.length, 6);
  console.log(`sweep-queue: local sweep\n${r.stdout}`);
});

test('through BullMQ with two workers, one killed with kill -9 mid-trial: every trial completes, same results', async () => {
  const out = path.join(dir, 'queue');
  // Short leases so a dead worker's trial is handed on within seconds (defaults: 30 s).
  const workerArgs = ['worker', '--queue', redis.url, '--workers', '1', '--lock-duration', '2000', '--stalled-interval', '1000'];
  const workers = [start(workerArgs), start(workerArgs)];
  const sweep = start(['sweep', file, '--out', out, '--queue', redis.url]);

  // Kill a worker once its trial has a checkpoint and is still training.
  const t0 = Date.now();
  let victim: { worker: (typeof workers)[number]; trial: string } | null = null;
  while (!victim) {
    if (Date.now() - t0 > 120000 || sweep.proc.exitCode !== null) throw new Error(`no trial to interrupt:\n${sweep.out()}\n${workers.map((w) => w.out()).join('\n')}`);
    for (const w of workers) {
      const taken = [...w.out().matchAll(/^\S+Z (\S+): (?:train|resume training)$/gm)].map((m) => m[1]);
      const trial = taken[taken.length - 1];
      if (!trial) continue;
      const run = path.join(out, 'trials', trial);
      if (fs.existsSync(path.join(run, 'checkpoints', 'last')) && !fs.existsSync(path.join(run, 'summary.json'))) {
        victim = { worker: w, trial };
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  victim.worker.proc.kill('SIGKILL');
  await victim.worker.exit;
  const runDir = path.join(out, 'trials', victim.trial);
  // Its child rl-run died with it (pdeathsig); nothing writes the run until the lease expires.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(processesWith(`--out\0${runDir}`), [], `an orphan still trains ${runDir}`);
  assert.ok(!fs.existsSync(path.join(out, 'results', `${victim.trial}.json`)), 'killed before the trial finished');
  // The machine comes back: a new worker joins.
  workers.push(start(workerArgs));

  const code = await sweep.exit;
  assert.is(code, 0, sweep.out());
  const res = readResults(out);
  assert.is(res.complete, true, sweep.out());
  assert.is(res.trials.length, 6);
  // The killed trial was taken again and resumed from its checkpoint.
  assert.match(sweep.out(), new RegExp(`${victim.trial.replace(/[.=]/g, (c) => '\\' + c)}: started on \\S+ \\(attempt 2\\)`));
  const log = fs.readFileSync(path.join(out, 'logs', `${victim.trial}.log`), 'utf8');
  assert.match(log, /--resume/);
  assert.match(log, /rl-run: resuming shapes\/ram\//);
  // The same metrics as the local sweep, exactly, and the same table (but for the times).
  assert.equal(metrics(res), metrics(local.results));
  assert.equal(tableWithoutTime(sweep.out()), tableWithoutTime(local.stdout));
  console.log(`sweep-queue: queue sweep (killed a worker during ${victim.trial})\n${sweep.out().split('\n').filter((l) => !l.startsWith('sweep: ')).join('\n')}`);

  // Ctrl-C ends the idle workers cleanly.
  for (const w of workers.filter((w) => w !== victim!.worker)) w.proc.kill('SIGINT');
  for (const w of workers.filter((w) => w !== victim!.worker)) assert.is(await w.exit, 130, w.out());
});

test('Ctrl-C on a worker mid-trial puts its trial back on the queue; another worker finishes it, same metrics', async () => {
  const one = path.join(dir, 'one.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(one, JSON.stringify({ ...spec, configs: [{ algo: 'reinforce' }], seeds: [1] }));
  const out = path.join(dir, 'handoff');
  const trial = 'algo=reinforce-s1';
  const run = path.join(out, 'trials', trial);
  const a = start(['worker', '--queue', redis.url, '--workers', '1']);
  const sweep = start(['sweep', one, '--out', out, '--queue', redis.url]);
  const t0 = Date.now();
  while (!(fs.existsSync(path.join(run, 'checkpoints', 'last')) && !fs.existsSync(path.join(run, 'summary.json')))) {
    if (Date.now() - t0 > 120000 || a.proc.exitCode !== null) throw new Error(`no checkpoint:\n${a.out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  a.proc.kill('SIGINT');
  assert.is(await a.exit, 130, a.out());
  assert.match(a.out(), `${trial}: stopped and returned to the queue`);
  const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url } });
  try {
    assert.is(await (await queue.getJob(trialJobId(out, trial)))!.getState(), 'waiting');
  } finally {
    await queue.close();
  }
  const b = start(['worker', '--queue', redis.url, '--workers', '1']);
  assert.is(await sweep.exit, 0, sweep.out());
  assert.equal(metrics(readResults(out)), metrics(local.results).filter((m) => m.id === trial));
  b.proc.kill('SIGINT');
  assert.is(await b.exit, 130, b.out());
});

test('running the finished queue sweep again enqueues nothing', () => {
  const out = path.join(dir, 'queue');
  const r = spawnSync(process.execPath, [rlRun, 'sweep', file, '--out', out, '--queue', redis.url], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /6 of 6 trials already finished/);
  assert.match(r.stderr, /queued 0 trials/);
});

test('an unreachable Redis: one line, exit 1', () => {
  const r = spawnSync(process.execPath, [rlRun, 'sweep', file, '--out', path.join(dir, 'x'), '--queue', 'redis://127.0.0.1:1'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^rl-run: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: \S/);
  assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.ok(!fs.existsSync(path.join(dir, 'x')), 'nothing written');
});

test.run();

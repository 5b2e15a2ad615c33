/**
 * The `rl-run sweep <sweep.json>` and `rl-run worker --queue URL` commands: options, signals and
 * output. The work is done by local-pool.ts (this machine) or queue.ts (BullMQ, many machines);
 * both finish with the same table, `results.json` and `results.html`.
 *
 * Ctrl-C (or SIGTERM): the first stops every running trial gracefully (one SIGINT each, escalated
 * to SIGTERM/SIGKILL if a child does not stop), prints the table of what finished and exits 130;
 * the same command later resumes. A second Ctrl-C kills the children at once.
 */
import * as fs from 'fs';
import { Command, Option } from 'commander';
import { ConfigError } from '../config';
import { acquireRunLock } from '../run-lock';
import { defaultRlRunCommand, StopRequest, type RlRunCommand } from './child';
import { runLocalSweep } from './local-pool';
import { fitParallelism, type Parallelism } from './parallelism';
import { writeResultsHtml } from './report-html';
import { formatSweepTable, summarizeSweep, writeResultsJson, type SweepRunOutcome } from './results';
import { readSweepFile, type SweepPlan } from './spec';
import { assertFolderMatches } from './trial';

/** Where the commands write. */
export interface SweepIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  /** How children start `rl-run` (tests point it at a CLI over fake components). */
  rlRun?: RlRunCommand;
}

/**
 * queue.ts, loaded on demand: only the queue commands need BullMQ and a Redis client. (require, not
 * import(): a dynamic import goes through the ESM loader, which `node -r tsx/cjs` lacks.)
 */
function queueModule(): typeof import('./queue') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./queue') as typeof import('./queue');
}

function positiveInt(flag: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min) throw new ConfigError(`${flag} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/**
 * Installs SIGINT/SIGTERM handlers for the command's lifetime: the first asks `stop` for a graceful
 * stop, the second for an immediate one; returns the uninstall.
 */
function onStopSignals(stop: StopRequest, io: SweepIo, notice: string): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      io.stderr.write(`\nrl-run: ${notice}\n`);
      stop.request(false);
    } else {
      stop.request(true);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/** Options of `rl-run sweep`, as commander gives them. */
export interface SweepCommandOptions {
  out?: string;
  workers?: string;
  threads?: string;
  queue?: string;
  stopTimeout?: string;
}

/** `rl-run sweep <file>`: runs (or resumes) a sweep and prints its table; resolves to the exit code. */
export async function runSweepCommand(file: string, opts: SweepCommandOptions, io: SweepIo): Promise<number> {
  const plan = readSweepFile(file, { out: opts.out });
  const par = fitParallelism({ workers: positiveInt('--workers', opts.workers), threads: positiveInt('--threads', opts.threads) });
  const stopTimeoutMs = 1000 * (positiveInt('--stop-timeout', opts.stopTimeout, 1) ?? 60);
  const queueUrl = opts.queue === undefined ? undefined : queueModule().parseQueueUrl(opts.queue);
  if (queueUrl && (opts.workers !== undefined || opts.threads !== undefined)) {
    throw new ConfigError(`--workers and --threads size a sweep on this machine; with --queue, give them to each 'rl-run worker'`);
  }
  assertFolderMatches(plan.dir, plan.trials);
  // An unreachable Redis is one line before anything is printed or written.
  if (queueUrl) await queueModule().checkRedis(queueUrl);
  // One sweep process per folder: a second one would start the same unfinished trials again (each
  // trial's own run lock would then fail it) or enqueue them twice.
  fs.mkdirSync(plan.dir, { recursive: true });
  const folderLock = acquireRunLock(plan.dir, 'sweep folder');
  try {
    return await runLockedSweep(plan, par, stopTimeoutMs, queueUrl, io);
  } finally {
    folderLock.release();
  }
}

/** The body of {@link runSweepCommand}, run while it holds the sweep folder's lock. */
async function runLockedSweep(
  plan: SweepPlan, par: Parallelism, stopTimeoutMs: number, queueUrl: string | undefined, io: SweepIo,
): Promise<number> {
  const stop = new StopRequest();
  const log = (line: string) => io.stderr.write(`sweep: ${line}\n`);
  const uninstall = onStopSignals(stop, io, queueUrl
    ? 'stopped waiting; the workers keep running the queued trials; run the same command again to collect them'
    : 'stopping the running trials at their next batch (Ctrl-C again to kill them now); run the same command again to resume');
  let outcome: SweepRunOutcome;
  const t0 = Date.now();
  try {
    log(`${plan.name}: ${plan.trials.length} trials (${plan.configs.length} configurations x ${plan.seeds.length} seeds) in ${plan.dir}`);
    if (queueUrl) {
      outcome = await queueModule().runQueueSweep(plan, { url: queueUrl, stop, log });
    } else {
      log(`${par.workers} worker(s), ${par.threads} GEMM thread(s) each`);
      outcome = await runLocalSweep(plan, { ...par, rlRun: io.rlRun ?? defaultRlRunCommand(), stop, stopTimeoutMs, log });
    }
  } finally {
    uninstall();
  }
  const results = summarizeSweep(plan, outcome.results, outcome.failed);
  io.stdout.write(formatSweepTable(results));
  const json = writeResultsJson(results);
  const html = writeResultsHtml(results);
  io.stdout.write(`${results.trials.length}/${plan.trials.length} trials finished in ${((Date.now() - t0) / 1000).toFixed(1)} s; wrote ${json} and ${html}\n`);
  if (outcome.stopped) return 130;
  return outcome.failed.length ? 1 : 0;
}

/** Options of `rl-run worker`, as commander gives them. */
export interface WorkerCommandOptions {
  queue: string;
  workers?: string;
  threads?: string;
  lockDuration: string;
  stalledInterval: string;
  maxStalled: string;
  stopTimeout?: string;
}

/** `rl-run worker --queue URL`: runs trials from the queue until Ctrl-C; resolves to the exit code. */
export async function runWorkerCommand(opts: WorkerCommandOptions, io: SweepIo): Promise<number> {
  const { parseQueueUrl, runQueueWorker } = queueModule();
  const url = parseQueueUrl(opts.queue);
  const par = fitParallelism({ workers: positiveInt('--workers', opts.workers), threads: positiveInt('--threads', opts.threads) });
  const lockDuration = positiveInt('--lock-duration', opts.lockDuration, 100)!;
  const stalledInterval = positiveInt('--stalled-interval', opts.stalledInterval, 100)!;
  const maxStalledCount = positiveInt('--max-stalled', opts.maxStalled, 1)!;
  const stopTimeoutMs = 1000 * (positiveInt('--stop-timeout', opts.stopTimeout, 1) ?? 60);
  const stop = new StopRequest();
  const uninstall = onStopSignals(stop, io, 'stopping the worker: its running trials stop at their next batch and go back to the queue (Ctrl-C again to kill them now)');
  try {
    await runQueueWorker({ url, ...par, rlRun: io.rlRun ?? defaultRlRunCommand(), stop, lockDuration, stalledInterval, maxStalledCount, stopTimeoutMs, log: (l) => io.stdout.write(`${new Date().toISOString().slice(0, 19)}Z ${l}\n`) });
  } finally {
    uninstall();
  }
  return 130;
}

/** Adds `sweep` and `worker` to the `rl-run` program; actions store their exit code in `result`. */
export function registerSweepCommands(program: Command, io: SweepIo, result: { code: Promise<number> | null }): void {
  program
    .command('sweep')
    .description('run a sweep: configurations x seeds as runs under one folder, locally or through a Redis queue; prints the table per configuration')
    .argument('<sweep.json>', 'sweep file: base config, grid and/or list of overrides, seeds (see README)')
    .option('--out <dir>', "sweep folder (default: the file's 'out', else sweeps/<name>)")
    .option('--workers <n>', 'trials run at once on this machine (default: cores / --threads)')
    .option('--threads <n>', 'GEMM threads per trial (default: 1, or cores / --workers up to 2)')
    .option('--queue <redis-url>', "enqueue the trials on BullMQ at this Redis (e.g. redis://host:6379) for 'rl-run worker's and collect the results")
    .option('--stop-timeout <s>', 'seconds a trial gets to stop after Ctrl-C before it is terminated', '60')
    .action((file: string, opts: SweepCommandOptions) => {
      result.code = runSweepCommand(file, opts, io);
    });
  program
    .command('worker')
    .description("take sweep trials from a Redis queue and run them until Ctrl-C ('rl-run sweep --queue' enqueues them)")
    .requiredOption('--queue <redis-url>', 'Redis of the queue, e.g. redis://host:6379 (required)')
    .option('--workers <n>', 'trials run at once on this machine (default: cores / --threads)')
    .option('--threads <n>', 'GEMM threads per trial (default: 1, or cores / --workers up to 2)')
    .addOption(new Option('--lock-duration <ms>', 'lease of a job: a worker silent this long loses its trial to another').default('30000'))
    .addOption(new Option('--stalled-interval <ms>', 'how often to look for trials of dead workers').default('30000'))
    .addOption(new Option('--max-stalled <n>', 'times a trial may be taken over from a dead worker before it fails').default('3'))
    .option('--stop-timeout <s>', 'seconds a trial gets to stop after Ctrl-C before it is terminated', '60')
    .action((opts: WorkerCommandOptions) => {
      result.code = runWorkerCommand(opts, io);
    });
}

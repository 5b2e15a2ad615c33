/**
 * Sweeps across machines on BullMQ (a Redis-backed job queue): the sweep command enqueues one job
 * per unfinished trial and waits for the results; `rl-run worker` on each machine takes jobs and
 * runs them with the same trial runner as a local sweep (child `rl-run` processes in the sweep
 * folder, which every machine must see at the same path: NFS or any shared file system).
 *
 * Why BullMQ: jobs are leased with a lock the worker renews; a worker that dies (kill -9, lost
 * machine) stops renewing, another worker's stalled-job check moves the job back to the queue, and
 * the next worker resumes the trial from its last checkpoint on the shared storage. Training runs
 * in child processes, so the worker's event loop stays free to renew locks however long a trial
 * takes. Job ids are derived from the sweep folder and trial id, so running the same sweep again
 * (after a Ctrl-C of the coordinator, say) attaches to the jobs already queued instead of adding
 * copies.
 */
import { LOCK_FILE } from '../run-lock';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigError } from '../config';
import type { RlRunCommand, StopRequest } from './child';
import { describeResult, type SweepRunOutcome, type TrialFailureRecord } from './results';
import type { SweepPlan } from './spec';
import { readTrialResult, runTrial, TrialFailure, type TrialResult, type TrialTask } from './trial';

/** The queue every sweep and worker uses (jobs carry their sweep folder, so one pool serves many sweeps). */
export const QUEUE_NAME = 'glimpse-gym-trials';

/** Checks a `--queue` value: a `redis://` or `rediss://` URL; bad input otherwise. */
export function parseQueueUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`--queue must be a Redis URL like redis://host:6379, got '${url}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError(`--queue must be a Redis URL like redis://host:6379 (redis: or rediss:), got '${url}'`);
  return url;
}

/** Connects once and pings, so an unreachable Redis is one clear line instead of endless reconnects. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`cannot reach Redis at ${url}: ${(e as Error).message || 'connection failed'}`);
  } finally {
    r.disconnect();
  }
}

/** The job id of a trial: unique per sweep folder, the same every time the sweep runs. */
export function trialJobId(sweepDir: string, trialId: string): string {
  const key = createHash('sha256').update(path.resolve(sweepDir)).digest('hex').slice(0, 10);
  return `${key}.${trialId}`.replace(/:/g, '_');
}

/** Options of {@link runQueueSweep}. */
export interface QueueSweepOptions {
  url: string;
  stop: StopRequest;
  log: (line: string) => void;
}

/** Enqueues the sweep's unfinished trials and collects their results (see module doc). */
export async function runQueueSweep(plan: SweepPlan, opts: QueueSweepOptions): Promise<SweepRunOutcome> {
  await checkRedis(opts.url);
  const connection = { url: opts.url };
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  queue.on('error', () => undefined);
  events.on('error', () => undefined);
  const results: TrialResult[] = [];
  const failed: TrialFailureRecord[] = [];
  const total = plan.trials.length;
  try {
    await events.waitUntilReady();
    const pending: Array<{ id: string; job: Job }> = [];
    const mine = new Map(plan.trials.map((t) => [trialJobId(plan.dir, t.id), t.id]));
    events.on('active', ({ jobId }) => {
      const id = mine.get(jobId);
      if (id) void queue.getJob(jobId).then((j) => opts.log(`${id}: started on ${j?.processedBy ?? 'a worker'}${j && j.attemptsStarted > 1 ? ` (attempt ${j.attemptsStarted})` : ''}`), () => undefined);
    });
    events.on('stalled', ({ jobId }) => {
      const id = mine.get(jobId);
      if (id) opts.log(`${id}: its worker stopped answering; the trial goes back to the queue and resumes from its checkpoint`);
    });
    for (const trial of plan.trials) {
      const done = readTrialResult(plan.dir, trial.id);
      if (done) {
        results.push(done);
        continue;
      }
      const jobId = trialJobId(plan.dir, trial.id);
      const task: TrialTask = { sweepDir: plan.dir, trial, mcSamples: plan.mcSamples };
      let job = await queue.getJob(jobId);
      const state = job ? await job.getState() : null;
      if (job && state === 'failed') {
        await job.retry('failed');
      } else if (job && state === 'completed') {
        // Completed but its result file is gone (deleted by hand): run it again.
        await job.remove();
        job = undefined;
      }
      // Failed runs of a deterministic trial fail again: one retry, for failures of the machine.
      job ??= await queue.add('trial', task, { jobId, attempts: 2, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } });
      pending.push({ id: trial.id, job });
    }
    if (results.length) opts.log(`${results.length} of ${total} trials already finished`);
    opts.log(`queued ${pending.length} trials on ${opts.url} (queue ${QUEUE_NAME}); waiting for workers ('rl-run worker --queue ${opts.url}')`);
    let stopped = false;
    const stopWait = new Promise<void>((resolve) => opts.stop.on(() => ((stopped = true), resolve())));
    const waits = pending.map(async ({ id, job }) => {
      try {
        const result = (await job.waitUntilFinished(events)) as TrialResult;
        results.push(result);
        opts.log(`[${results.length}/${total}] ${id} done on ${result.host}: ${describeResult(result)}`);
      } catch (e) {
        if (stopped) return;
        const msg = e instanceof Error ? e.message : String(e);
        failed.push({ id, error: msg });
        opts.log(`${id}: FAILED: ${msg}`);
      }
    });
    await Promise.race([Promise.all(waits), stopWait]);
    return { results, failed, stopped: stopped && results.length + failed.length < total };
  } finally {
    await Promise.allSettled([events.close(), queue.close()]);
  }
}

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  url: string;
  /** Trials run at once on this machine. */
  workers: number;
  /** GEMM threads per trial. */
  threads: number;
  rlRun: RlRunCommand;
  stop: StopRequest;
  /** BullMQ lease of a job: a worker silent for this long loses it (ms). */
  lockDuration: number;
  /** How often this worker looks for jobs whose lease expired (ms). */
  stalledInterval: number;
  /** Times a job may be recovered from a dead worker before it fails. */
  maxStalledCount: number;
  stopTimeoutMs?: number;
  log: (line: string) => void;
}

/**
 * Before resuming a trial that another worker started: a run lock left by a process on another host
 * cannot be checked by pid, but BullMQ only hands a job on once its previous worker's lease expired,
 * and that worker's children die with it (child.ts), so the lock is stale.
 */
function dropForeignRunLock(runDir: string, log: (s: string) => void): void {
  const file = path.join(runDir, LOCK_FILE);
  let owner: { hostname?: unknown };
  try {
    owner = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  if (typeof owner.hostname === 'string' && owner.hostname !== os.hostname()) {
    fs.rmSync(file, { force: true });
    log(`removed the stale run lock of ${owner.hostname} in ${runDir}`);
  }
}

/** Takes trials from the queue until stopped (see module doc); resolves when the worker has closed. */
export async function runQueueWorker(opts: QueueWorkerOptions): Promise<void> {
  await checkRedis(opts.url);
  const name = `${os.hostname()}:${process.pid}`;
  const worker = new Worker(
    QUEUE_NAME,
    async (job: Job, token?: string) => {
      const task = job.data as TrialTask;
      const id = task.trial.id;
      opts.log(`${id}: taken (attempt ${job.attemptsStarted}) from sweep ${task.sweepDir}`);
      if (job.attemptsStarted > 1 || job.stalledCounter > 0) dropForeignRunLock(path.join(task.sweepDir, 'trials', id), opts.log);
      let out;
      try {
        out = await runTrial(task, { rlRun: opts.rlRun, threads: opts.threads, stop: opts.stop, stopTimeoutMs: opts.stopTimeoutMs, onStep: (s) => opts.log(`${id}: ${s}`) });
      } catch (e) {
        opts.log(`${id}: FAILED: ${(e as Error).message}`);
        if (e instanceof TrialFailure && e.unrecoverable) throw new UnrecoverableError(e.message);
        throw e;
      }
      if (out.status === 'stopped') {
        // Back to the queue for another worker (or this one, later); it resumes from its checkpoint.
        await job.moveToWait(token);
        opts.log(`${id}: stopped and returned to the queue`);
        throw new WaitingError();
      }
      opts.log(`${id}: done: ${describeResult(out.result)}`);
      return out.result;
    },
    {
      connection: { url: opts.url },
      concurrency: opts.workers,
      lockDuration: opts.lockDuration,
      stalledInterval: opts.stalledInterval,
      maxStalledCount: opts.maxStalledCount,
      name,
    },
  );
  worker.on('error', (e) => opts.log(`queue error: ${e.message}`));
  await worker.waitUntilReady();
  opts.log(`worker ${name}: taking trials from ${opts.url} (queue ${QUEUE_NAME}), ${opts.workers} at a time, ${opts.threads} GEMM thread(s) each`);
  await new Promise<void>((resolve) => opts.stop.on(() => resolve()));
  opts.log(`worker ${name}: stopping; running trials checkpoint and go back to the queue`);
  await worker.close();
}

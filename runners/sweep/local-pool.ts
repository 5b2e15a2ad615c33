/**
 * Runs the trials of a sweep on this machine: `workers` trials at a time, each as child `rl-run`
 * processes (trial.ts), until all are finished, one fails for good, or a stop is requested.
 * Finished trials are skipped (their result file is read); a failed trial does not stop the others.
 */
import * as os from 'os';
import type { RlRunCommand, StopRequest } from './child';
import type { TrialFailureRecord } from './results';
import type { SweepPlan, TrialPlan } from './spec';
import { readTrialResult, runTrial, type TrialResult } from './trial';

/** How many trials run at once and how many GEMM threads each gets. */
export interface Parallelism {
  workers: number;
  threads: number;
}

/**
 * Fits trials to the cores: each run's GEMM uses `threads` cores (the native kernel's
 * `GLIMPSE_NATIVE_THREADS`), so `workers` x `threads` should not exceed them. Given neither:
 * one thread per run and one run per core (independent runs scale better than threads within a
 * run). Given workers: the cores shared among them (1 or 2 threads each, the kernel's default cap).
 * Given threads: as many workers as fit.
 */
export function fitParallelism(opts: { workers?: number; threads?: number }, cores = os.availableParallelism()): Parallelism {
  const c = Math.max(1, cores);
  if (opts.workers !== undefined && opts.threads !== undefined) return { workers: opts.workers, threads: opts.threads };
  if (opts.workers !== undefined) return { workers: opts.workers, threads: Math.max(1, Math.min(2, Math.floor(c / opts.workers))) };
  const threads = opts.threads ?? 1;
  return { workers: Math.max(1, Math.floor(c / threads)), threads };
}

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions extends Parallelism {
  rlRun: RlRunCommand;
  stop: StopRequest;
  stopTimeoutMs?: number;
  /** Progress lines (trial started / finished / failed). */
  log: (line: string) => void;
}

/** What a sweep run produced (local or through the queue). */
export interface SweepRunOutcome {
  results: TrialResult[];
  failed: TrialFailureRecord[];
  /** True when a stop request ended it before every trial finished. */
  stopped: boolean;
}

/** One progress line of a finished trial. */
export function describeResult(r: TrialResult): string {
  const val = r.bestValAccuracy === null ? 'n/a' : `${(100 * r.bestValAccuracy).toFixed(2)}%`;
  return `val ${val}, err ${(100 * r.testErrorGreedy).toFixed(2)}% greedy ${(100 * r.testErrorMC).toFixed(2)}% MC${r.mcSamples}, ${r.trainSeconds.toFixed(1)} s`;
}

/** Runs the sweep's unfinished trials with a pool of `workers` (see module doc). */
export async function runLocalSweep(plan: SweepPlan, opts: LocalSweepOptions): Promise<SweepRunOutcome> {
  const results: TrialResult[] = [];
  const failed: TrialFailureRecord[] = [];
  const queue: TrialPlan[] = [];
  for (const t of plan.trials) {
    const done = readTrialResult(plan.dir, t.id);
    if (done) results.push(done);
    else queue.push(t);
  }
  const total = plan.trials.length;
  let finished = results.length;
  if (finished) opts.log(`${finished} of ${total} trials already finished`);
  const worker = async () => {
    for (let trial = queue.shift(); trial && !opts.stop.requested; trial = queue.shift()) {
      const t = trial;
      try {
        const out = await runTrial({ sweepDir: plan.dir, trial: t, mcSamples: plan.mcSamples }, {
          rlRun: opts.rlRun,
          threads: opts.threads,
          stop: opts.stop,
          stopTimeoutMs: opts.stopTimeoutMs,
          onStep: (step) => opts.log(`${t.id}: ${step}`),
        });
        if (out.status === 'stopped') {
          opts.log(`${t.id}: stopped; it resumes from its last checkpoint when the sweep runs again`);
          continue;
        }
        results.push(out.result);
        finished++;
        opts.log(`[${finished}/${total}] ${t.id} done: ${describeResult(out.result)}`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        failed.push({ id: t.id, error: msg });
        opts.log(`${t.id}: FAILED: ${msg}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.workers, queue.length)) }, worker));
  return { results, failed, stopped: opts.stop.requested && results.length + failed.length < total };
}

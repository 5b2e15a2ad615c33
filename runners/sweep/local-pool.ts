/**
 * Runs the trials of a sweep on this machine: `workers` trials at a time, each as child `rl-run`
 * processes (trial.ts), until every trial has finished or failed, or a stop is requested.
 * Finished trials are skipped (their result file is read); a failed trial does not stop the others.
 * Hand-written rather than a pool library: it is a few lines over `Promise.all`.
 */
import type { RlRunCommand, StopRequest } from './child';
import type { Parallelism } from './parallelism';
import { describeResult, type SweepRunOutcome, type TrialFailureRecord } from './results';
import type { SweepPlan, TrialPlan } from './spec';
import { readTrialResult, runTrial, type TrialResult } from './trial';

/** Options of {@link runLocalSweep}. */
export interface LocalSweepOptions extends Parallelism {
  rlRun: RlRunCommand;
  stop: StopRequest;
  stopTimeoutMs?: number;
  /** Progress lines (trial started / finished / failed). */
  log: (line: string) => void;
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

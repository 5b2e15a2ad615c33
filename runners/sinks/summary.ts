/**
 * Final summary: on the `done` event of a completed run writes `<runDir>/summary.json`
 * atomically and prints the test accuracy and error, the best validation accuracy and the seconds
 * per epoch.
 */
import * as path from 'path';
import type { Observer } from 'rxjs';
import { writeFileAtomic } from '../atomic-write';
import type { DoneEvent, RunEvent } from '../events';

/** A one-line human summary of a finished run. */
export function formatSummary(ev: DoneEvent): string {
  const parts = [`run ${ev.reason} after epoch ${ev.epoch}`];
  if (ev.testAccuracy !== null && ev.testError !== null) parts.push(`test accuracy ${(100 * ev.testAccuracy).toFixed(2)}% (error ${(100 * ev.testError).toFixed(2)}%)`);
  if (ev.bestValAccuracy !== null) parts.push(`best val accuracy ${(100 * ev.bestValAccuracy).toFixed(2)}% at epoch ${ev.bestEpoch}`);
  if (ev.secondsPerEpoch !== null) parts.push(`${ev.secondsPerEpoch.toFixed(1)} s/epoch`);
  return parts.join(', ');
}

/**
 * A subscriber writing `summary.json` (unless `writeFile` is false) and printing
 * {@link formatSummary} to `out` (default stdout).
 */
export function summarySink(out: { write(s: string): unknown } = process.stdout, options: { writeFile?: boolean } = {}): Partial<Observer<RunEvent>> {
  let runDir: string | null = null;
  let testSamples = 0;
  let testTotal = 0;
  return {
    next(ev) {
      if (ev.type === 'start') runDir = ev.runDir;
      if (ev.type === 'eval' && ev.split === 'test') {
        testSamples = ev.samples;
        testTotal = ev.total;
      }
      // A stopped run has no summary yet: whoever stopped it reports it (the CLI says how to resume).
      if (ev.type !== 'done' || ev.reason !== 'completed') return;
      if (runDir && options.writeFile !== false) writeFileAtomic(path.join(runDir, 'summary.json'), JSON.stringify({ ...ev, testSamples, testTotal }, null, 2) + '\n');
      out.write(formatSummary(ev) + '\n');
    },
  };
}

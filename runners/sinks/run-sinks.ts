/**
 * The sinks of a training run in their one order, and how they are attached: used by the library's
 * `train()` (runners/run.ts) and by `rl-run`'s train command (runners/train-command.ts), which adds
 * its own observers (a stop tracker, the test-accuracy line) at the two places this order leaves
 * for them.
 *
 * Order matters, because each sink is its own `tap` on one chain: a sink that throws (a failed
 * write) errors the chain for every sink after it, which then sees `error` instead of the event.
 * So the log comes first (a failed append still reaches the progress bar, which clears its status
 * line before the error is printed), and the lines printed to stdout (summary, then the caller's
 * `after` sinks) come after the progress bar, which has cleared its status line for the same event
 * by then. The summary's own write of summary.json happens at `done`, when the bar is finished.
 */
import { tap, type Observable, type Observer } from 'rxjs';
import type { RunEvent } from '../events';
import { jsonlSink } from './jsonl';
import { summarySink } from './summary';

/** What {@link runSinks} attaches. */
export interface RunSinkOptions {
  /** Append every event to the run's metrics.jsonl and write summary.json at the end. */
  logs: boolean;
  /** The live progress sink (runners/sinks/progress-bar.ts), or null for none. */
  progress: Partial<Observer<RunEvent>> | null;
  /** Where the end-of-run summary is printed, or null to print none. */
  summary: { write(s: string): unknown } | null;
  /** Observers that run after the log and before the progress bar (e.g. a tracker of the last events). */
  before?: Array<Partial<Observer<RunEvent>>>;
  /** Observers that run last, after the summary (e.g. more lines printed to stdout). */
  after?: Array<Partial<Observer<RunEvent>>>;
}

/** The run's sinks in their order (see module doc). */
export function runSinks(options: RunSinkOptions): Array<Partial<Observer<RunEvent>>> {
  const sinks: Array<Partial<Observer<RunEvent>>> = [];
  if (options.logs) sinks.push(jsonlSink());
  sinks.push(...(options.before ?? []));
  if (options.progress) sinks.push(options.progress);
  if (options.logs || options.summary) sinks.push(summarySink(options.summary ?? { write: () => undefined }, { writeFile: options.logs }));
  sinks.push(...(options.after ?? []));
  return sinks;
}

/** `events` with each sink attached as its own `tap`, in order (see module doc). */
export function attachSinks(events: Observable<RunEvent>, sinks: Array<Partial<Observer<RunEvent>>>): Observable<RunEvent> {
  return sinks.reduce<Observable<RunEvent>>((o, s) => o.pipe(tap(s)), events);
}

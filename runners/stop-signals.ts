/**
 * Graceful stop on SIGINT (Ctrl-C), SIGTERM and SIGHUP for a training process. The first signal
 * aborts an {@link AbortSignal} that the run polls at every batch boundary (and between evaluation
 * chunks), so the run ends within a batch's worth of work; a second signal of any of the three
 * exits at once. Either way the process exits with the shell's code for the first signal,
 * 128 + its number: 130 (SIGINT), 143 (SIGTERM), 129 (SIGHUP).
 *
 * Why a second signal may exit at once without damage: every file the run writes is written
 * synchronously and atomically (see atomic-write.ts), and a signal handler only runs between
 * two pieces of synchronous work, so no write is ever cut in half.
 */
import * as os from 'os';

/** The signals that stop a run, in the order they are listed to users. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignalName = (typeof STOP_SIGNALS)[number];

/** The exit code a shell reports for a process ended by `sig`: 128 + the signal's number. */
export function signalExitCode(sig: StopSignalName): number {
  return 128 + os.constants.signals[sig];
}

/** Options of {@link installStopSignals}. */
export interface StopSignalOptions {
  /** Called once, on the first signal, after the abort (e.g. to print a notice). */
  onFirst?: (sig: StopSignalName) => void;
  /** Called on a second signal; default: `process.exit(code)` (exit listeners still run). */
  exitNow?: (code: number) => void;
}

/** What {@link installStopSignals} returns. */
export interface StopSignals {
  /** Aborted on the first signal; its `reason` is the signal's name. */
  readonly signal: AbortSignal;
  /** The first signal received, or null. */
  received(): StopSignalName | null;
  /** Removes the handlers (the default behaviour of the signals comes back). */
  dispose(): void;
}

/** Installs the stop handlers for the lifetime of one run (see module doc). */
export function installStopSignals(options: StopSignalOptions = {}): StopSignals {
  const controller = new AbortController();
  let first: StopSignalName | null = null;
  const handlers = new Map<StopSignalName, () => void>();
  const exitNow = options.exitNow ?? ((code: number) => process.exit(code));
  for (const sig of STOP_SIGNALS) {
    const handler = () => {
      if (first !== null) {
        exitNow(signalExitCode(first));
        return;
      }
      first = sig;
      // A hang-up closes the terminal: later writes to it fail with EIO/EPIPE, which must not
      // turn a clean stop into a crash.
      if (sig === 'SIGHUP') ignoreStreamErrors();
      controller.abort(sig);
      options.onFirst?.(sig);
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      for (const [sig, h] of handlers) process.removeListener(sig, h);
      handlers.clear();
    },
  };
}

function ignoreStreamErrors(): void {
  for (const s of [process.stdout, process.stderr]) if (s.listenerCount('error') === 0) s.on('error', () => undefined);
}

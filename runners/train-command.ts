/**
 * The training command of `rl-run`: one run of {@link train}, its sinks (metrics.jsonl, summary,
 * test line, progress) chained on ONE subscription, a graceful stop on SIGINT/SIGTERM/SIGHUP and
 * the exit code.
 *
 * One subscription is the point: with several subscribers of a shared run, stopping one leaves the
 * others keeping the run alive (Ctrl-C used to train to the last epoch). Here a signal aborts the
 * run's `signal`; the run stops at the next batch boundary, emits `done` (reason `stopped`) and
 * completes, so every sink sees the end. A sink that fails (a write error) errors the chain, which
 * unsubscribes the run: it stops too, and the failure is reported as one line, exit 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Observer } from 'rxjs';
import type { Components } from './components';
import type { RunConfig } from './config';
import type { BatchEvent, DoneEvent, RunEvent, StartEvent } from './events';
import { train } from './run';
import { progressSink } from './sinks/progress-bar';
import { attachSinks, runSinks } from './sinks/run-sinks';
import { releaseHeldLocks } from './run-lock';
import { endProcess, installStopSignals, signalExitCode, type StopSignalName } from './stop-signals';

/** Where the command writes. */
export interface TrainCommandIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** A notice is printed when a stop takes longer than this (a long evaluation rollout). */
const SLOW_STOP_NOTICE_MS = 2000;

/** Quotes `s` for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function onPath(name: string, target: string, env: NodeJS.ProcessEnv): boolean {
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    return false;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      if (fs.realpathSync(path.join(dir, name)) === real) return true;
    } catch {
      // not there
    }
  }
  return false;
}

/**
 * How the user started this CLI, as a command to type again: `npx rl-run` under npx, `rl-run`
 * when that name on PATH is this script, else `node [node options] <script>` relative to the cwd.
 */
export function cliInvocation(argv = process.argv, execArgv = process.execArgv, env = process.env, cwd = process.cwd()): string {
  const script = argv[1] ?? 'rl-run';
  if (/(^|[\\/])rl-run(\.js)?$/.test(script)) {
    // npx puts node_modules/.bin on PATH for its child only: the user's shell needs npx again.
    if (env.npm_command === 'exec') return 'npx rl-run';
    if (onPath('rl-run', script, env)) return 'rl-run';
  }
  const rel = path.relative(cwd, script);
  return ['node', ...execArgv, rel && !rel.startsWith('..') ? rel : script].map(shellQuote).join(' ');
}

/** The command that continues the run in `runDir` (its saved config.json restores every setting). */
export function resumeCommand(runDir: string, invocation = cliInvocation()): string {
  return `${invocation} --out ${shellQuote(runDir)} --resume`;
}

/** What the command saw of the run, for the line printed after a stop. */
interface Seen {
  start: StartEvent | null;
  batch: BatchEvent | null;
  done: DoneEvent | null;
}

/** The one line printed after a signal stopped the run. */
export function stopLine(sig: StopSignalName, seen: Seen, epochs: number, invocation?: string): string {
  if (!seen.start) return `rl-run: stopped by ${sig} before training started; nothing was written`;
  const runDir = seen.start.runDir;
  const kept = seen.done?.epoch ?? seen.start.startEpoch - 1;
  const resume = `resume with: ${resumeCommand(runDir, invocation)}`;
  if (kept >= epochs) return `rl-run: stopped by ${sig} after the last epoch, before the test evaluation; ${resume}`;
  const cut = kept + 1;
  const b = seen.batch && seen.batch.epoch === cut ? seen.batch : null;
  if (!b && kept > 0) return `rl-run: stopped by ${sig} after epoch ${kept}; checkpoints/last keeps epoch ${kept}; ${resume}`;
  const where = b ? (b.batch === b.batchesPerEpoch ? ` (in its validation)` : ` (after batch ${b.batch}/${b.batchesPerEpoch})`) : '';
  const state = kept > 0 ? `checkpoints/last keeps epoch ${kept}, epoch ${cut} starts over on resume` : `no epoch was completed yet, resume starts epoch 1 over`;
  return `rl-run: stopped by ${sig} during epoch ${cut}${where}; ${state}; ${resume}`;
}

/** The one line printed when a second signal quits at once. */
export function quitLine(sig: StopSignalName, seen: Seen, epochs: number, invocation?: string): string {
  if (!seen.start) return `rl-run: quit at once on a second signal (first: ${sig}); nothing was written`;
  const kept = seen.done?.epoch ?? Math.max(seen.start.startEpoch - 1, (seen.batch?.epoch ?? 1) - 1);
  const state = kept > 0 ? `checkpoints/last keeps epoch ${kept}` : 'no epoch was completed yet';
  return `rl-run: quit at once on a second signal (first: ${sig}); ${state}; resume with: ${resumeCommand(seen.start.runDir, invocation)}`;
}

/** A sink printing the test accuracy line of a completed run. */
function testLineSink(out: TrainCommandIo['stdout']): Partial<Observer<RunEvent>> {
  return {
    next(ev) {
      if (ev.type === 'eval' && ev.split === 'test') out.write(`test accuracy ${ev.accuracy.toFixed(4)} error ${ev.error.toFixed(4)} (${ev.correct}/${ev.total})\n`);
    },
  };
}

/**
 * Runs `config` to its end and resolves to the exit code: 0 when it completed, 130/143/129 when
 * SIGINT/SIGTERM/SIGHUP stopped it (after one line naming the resume command). Rejects with the
 * run's error (or a sink's write error) once everything the run made has been released.
 */
export async function runTrainCommand(config: RunConfig, io: TrainCommandIo, components?: Components): Promise<number> {
  let notice: NodeJS.Timeout | undefined;
  // These lines may cut into the live progress bar of a terminal: start them on a clean line.
  const clearBar = io.stderr.isTTY ? '\r\x1b[K' : '';
  const seen: Seen = { start: null, batch: null, done: null };
  const progress = config.quiet ? null : progressSink(io.stderr);
  const stop = installStopSignals({
    // Every file is written synchronously and atomically, so quitting between two callbacks loses
    // only the epoch under way.
    exitNow: (sig) => {
      io.stderr.write(clearBar + quitLine(sig, seen, config.epochs) + '\n');
      releaseHeldLocks();
      endProcess(signalExitCode(sig));
    },
    onFirst: (sig) => {
      // A terminal's Ctrl-C echoes `^C` right after the status line (see LiveLine.noteEcho).
      if (sig === 'SIGINT' && process.stdin.isTTY) progress?.noteEcho(2);
      notice = setTimeout(() => io.stderr.write(clearBar + 'rl-run: stopping at the next batch boundary (press Ctrl-C again to quit at once)\n'), SLOW_STOP_NOTICE_MS);
      notice.unref();
    },
  });
  let finalized!: () => void;
  const released = new Promise<void>((r) => (finalized = r));
  // The run's sinks in their one order (runners/sinks/run-sinks.ts), with what the command adds: a
  // tracker of the last events (for the stop and quit lines) and the test-accuracy line.
  const tracker: Partial<Observer<RunEvent>> = {
    next(ev) {
      if (ev.type === 'start') seen.start = ev;
      if (ev.type === 'batch') seen.batch = ev;
      if (ev.type === 'done') seen.done = ev;
    },
  };
  const sinks = runSinks({ logs: true, progress, summary: io.stdout, before: [tracker], after: [testLineSink(io.stdout)] });
  // The command attaches its own sinks (above), so train()'s default ones are off.
  const run$ = attachSinks(train(config, { components, signal: stop.signal, onFinalize: () => finalized(), logs: false, progress: false, summary: false }), sinks);
  let failure: { error: unknown } | null = null;
  try {
    await new Promise<void>((resolve, reject) => run$.subscribe({ error: reject, complete: resolve }));
  } catch (error) {
    failure = { error };
  }
  try {
    await released;
  } finally {
    clearTimeout(notice);
    stop.dispose();
  }
  if (failure) throw failure.error;
  const sig = stop.received();
  if (sig && seen.done?.reason !== 'completed') {
    io.stderr.write(stopLine(sig, seen, config.epochs) + '\n');
    return signalExitCode(sig);
  }
  return 0;
}

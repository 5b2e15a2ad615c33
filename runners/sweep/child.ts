/**
 * Child `rl-run` processes of a sweep: how to start one, where its output goes, and how to stop it.
 *
 * - Each child runs in its own process group, so a Ctrl-C in the terminal reaches only the sweep,
 *   which forwards exactly one SIGINT: a second SIGINT would make the training command quit at
 *   once instead of at its next batch boundary.
 * - Stopping escalates: SIGINT, then SIGTERM after `intMs`, then SIGKILL after `termMs` more. A
 *   run that ignores or cannot honour the first signal still ends; `--resume` then continues it
 *   from its last checkpoint, which is always complete (checkpoints are swapped in atomically).
 * - On Linux the child is started through util-linux `setpriv --pdeathsig KILL` (Debian: always
 *   installed), so it dies with its parent: a sweep or worker killed with `kill -9` leaves no
 *   orphan training on in a run directory that another worker is about to resume.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** How to start `rl-run`: the program and the arguments before the command's own. */
export type RlRunCommand = string[];

/**
 * The `rl-run` of this installation: the compiled CLI next to this file (dist/), or, when this file
 * runs as TypeScript (tests, `tsx`), runners/cli.ts through tsx's require hook.
 */
export function defaultRlRunCommand(): RlRunCommand {
  const ext = path.extname(__filename);
  const cli = path.join(__dirname, '..', `cli${ext}`);
  return ext === '.ts' ? [process.execPath, '-r', require.resolve('tsx/cjs'), cli] : [process.execPath, cli];
}

/** A stop request shared by everything a sweep or worker runs: first `soft` (graceful), then `hard`. */
export class StopRequest {
  private level: 0 | 1 | 2 = 0;
  private readonly listeners = new Set<(hard: boolean) => void>();
  /** True once any stop was asked for. */
  get requested(): boolean {
    return this.level > 0;
  }
  /** True once an immediate stop was asked for. */
  get hard(): boolean {
    return this.level === 2;
  }
  /** Asks for a stop; `hard` kills children at once instead of letting them checkpoint. */
  request(hard = false): void {
    const next = hard ? 2 : 1;
    if (next <= this.level) return;
    this.level = next;
    for (const l of [...this.listeners]) l(hard);
  }
  /** Calls `fn` on every escalation (at once if a stop was already asked for); returns the unsubscribe. */
  on(fn: (hard: boolean) => void): () => void {
    this.listeners.add(fn);
    if (this.level > 0) fn(this.hard);
    return () => this.listeners.delete(fn);
  }
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** File the child's stdout and stderr are appended to. */
  log: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  stop: StopRequest;
  /** Milliseconds from SIGINT to SIGTERM (default 60 s), and from SIGTERM to SIGKILL (default 5 s). */
  intMs?: number;
  termMs?: number;
}

/** How a child ended, and its stdout. */
export interface ChildExit {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** True when it ended after this module was asked to stop it. */
  stopped: boolean;
}

let setprivPath: string | null | undefined;
function setpriv(): string | null {
  if (setprivPath === undefined) {
    setprivPath = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p)) ?? null : null;
  }
  return setprivPath;
}

/** Runs `command ...args` to its end (see module doc); rejects only when it cannot be started. */
export function runChild(command: RlRunCommand, args: string[], opts: ChildOptions): Promise<ChildExit> {
  const guard = setpriv();
  const argv = guard ? [guard, '--pdeathsig', 'KILL', '--', ...command, ...args] : [...command, ...args];
  fs.mkdirSync(path.dirname(opts.log), { recursive: true });
  const logFd = fs.openSync(opts.log, 'a');
  fs.writeSync(logFd, `\n$ rl-run ${args.join(' ')}   # ${new Date().toISOString()}\n`);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', logFd], detached: true, env: { ...process.env, ...opts.env } });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    fs.writeSync(logFd, d);
  });
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const send = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const unsubscribe = opts.stop.on((hard) => {
    stopped = true;
    if (hard) return send('SIGKILL');
    send('SIGINT');
    const intMs = opts.intMs ?? 60_000, termMs = opts.termMs ?? 5_000;
    timers.push(setTimeout(() => send('SIGTERM'), intMs));
    timers.push(setTimeout(() => send('SIGKILL'), intMs + termMs));
  });
  return new Promise<ChildExit>((resolve, reject) => {
    child.once('error', (e) => {
      cleanup();
      reject(new Error(`cannot start ${argv[0]}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      cleanup();
      resolve({ code, signal, stdout, stopped });
    });
    let cleaned = false;
    function cleanup() {
      if (cleaned) return;
      cleaned = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      fs.closeSync(logFd);
    }
  });
}

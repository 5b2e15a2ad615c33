/**
 * `rl-run` over the fake components as a real child process (test/helpers/fake-cli.ts), for tests
 * that send real signals or race two processes on one run directory.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
// `node -r tsx/cjs` runs the script in this very process (the tsx binary would fork a child that
// a signal to the parent would not reach).
export const tsxArgs = ['-r', require.resolve('tsx/cjs')];
export const fakeCli = path.join(root, 'test', 'helpers', 'fake-cli.ts');

/** Train flags of a small fake run writing to `out`. */
export function fakeRunArgs(out: string, extra: string[] = []): string[] {
  return ['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--batch-size', '8', '--backend', 'wasm', '--out', out, ...extra];
}

/** A running child with its output so far. */
export interface Child {
  proc: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr matches `re` (rejects after `ms`, or if the child exits first). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Resolves to the exit code (or 128 + signal number when killed by a signal). */
  exited: Promise<number>;
}

/** Starts `rl-run <args>` over the fake components; `sleepMs` slows each update. */
export function startFakeRun(args: string[], cwd: string, sleepMs = 0): Child {
  const proc = spawn(process.execPath, [...tsxArgs, fakeCli, ...args], { cwd, env: { ...process.env, FAKE_SLEEP_MS: String(sleepMs), RL_RUN_PROGRESS_SECONDS: '0' } });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? 128 + (sig ? os.constants.signals[sig] : 0))));
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re, ms = 60000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${re}; stderr: ${err}`)), ms);
        const check = () => {
          if (re.test(err)) done(null);
        };
        const onExit = () => done(new Error(`exited before ${re}; stderr: ${err}`));
        const done = (e: Error | null) => {
          clearTimeout(timer);
          proc.stderr.off('data', check);
          proc.off('exit', onExit);
          if (e) reject(e);
          else resolve();
        };
        proc.stderr.on('data', check);
        proc.once('exit', onExit);
        check();
      });
    },
  };
}

/** Runs `rl-run <args>` over the fake components to its end. */
export function runFake(args: string[], cwd: string, env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...tsxArgs, fakeCli, ...args], { cwd, encoding: 'utf8', timeout: 60000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

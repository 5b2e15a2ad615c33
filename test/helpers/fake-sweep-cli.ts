/**
 * `rl-run sweep` as a real process whose trials run `rl-run` over the fake components
 * (fake-cli.ts), for the local sweep tests: fast, no MNIST, and `FAKE_SLEEP_MS` slows each update
 * so a test can Ctrl-C mid-trial. Usage: fake-sweep-cli.ts <sweep.json> [--workers N] [--out DIR].
 */
import * as path from 'path';
import { runSweepCommand } from '../../runners/sweep/commands';

const [file, ...rest] = process.argv.slice(2);
const flag = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const rlRun = [process.execPath, '-r', require.resolve('tsx/cjs'), path.join(__dirname, 'fake-cli.ts')];
runSweepCommand(file, { workers: flag('--workers'), out: flag('--out'), stopTimeout: flag('--stop-timeout') }, { stdout: process.stdout, stderr: process.stderr, rlRun }).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`rl-run: error: ${(e as Error).message}\n`);
    process.exit(typeof (e as { exitCode?: unknown }).exitCode === 'number' ? (e as { exitCode: number }).exitCode : 1);
  },
);

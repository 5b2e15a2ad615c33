/**
 * `rl-run` as a real process over the fake components (for kill -9 / resume tests that must not
 * depend on MNIST). `FAKE_SLEEP_MS` slows each update so a test can kill mid-epoch.
 */
import { endProcess, main } from '../../runners/cli';
import { fakeComponents } from './fakes';

const sleepMs = Number(process.env.FAKE_SLEEP_MS ?? 0);
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, components: async () => fakeComponents({ sleepMs }) }).then((code) => process.stdout.write('', () => endProcess(code)));

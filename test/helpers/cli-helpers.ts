/** Runs the CLI in-process with captured output and the fake components. */
import { main } from '../../runners/cli';
import { fakeComponents } from './fakes';

/** Exit code and captured output of one CLI invocation. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `rl-run <argv>` in this process against the fake env/agent/algorithm. */
export async function runCli(argv: string[], algoExtra: Record<string, unknown> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    components: async () => fakeComponents(algoExtra),
  });
  return { code, stdout, stderr };
}

/** Runs `rl-run <argv>` in this process against the real registries. */
export async function runCliReal(argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

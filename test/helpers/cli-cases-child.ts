/**
 * Child process of the hostile-input tests: runs `rl-run` cases one after another in this process
 * (one process start for many cases) and reports each as a JSON line. A case that blocks the
 * process (a FIFO read, an endless loop) never reports: the parent's timeout kills this process
 * and names the case from its `begin` line. The last line gives the peak RSS of the whole child.
 *
 * Input: the JSON file named by argv[2], an array of {name, argv, env?}.
 * Output lines: {"begin": name}, {"name", "code", "stdout", "stderr", "ms"}, {"maxRssKiB"}.
 */
import * as fs from 'fs';
import { main } from '../../runners/cli';

interface Case {
  name: string;
  argv: string[];
  env?: Record<string, string>;
}

async function run(): Promise<void> {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Case[];
  const say = (o: unknown) => fs.writeSync(1, JSON.stringify(o) + '\n');
  for (const c of cases) {
    say({ begin: c.name });
    const saved: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(c.env ?? {})) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    let stdout = '';
    let stderr = '';
    const t0 = Date.now();
    const code = await main(c.argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    say({ name: c.name, code, stdout, stderr, ms: Date.now() - t0 });
  }
  say({ maxRssKiB: process.resourceUsage().maxRSS });
}

run().then(
  () => process.exit(0),
  (e) => {
    fs.writeSync(2, `child failed: ${(e as Error).stack}\n`);
    process.exit(3);
  },
);

/**
 * `npm run compare`: the learners side by side. Trains `ram` with each registered algorithm, and
 * the `random-glimpse` control with `reinforce`, on the same env for the same number of epochs and
 * batches with the same seed, through the real runner (`train`), and prints a markdown table of
 * test error (the whole test split, best validation checkpoint) and wall time per run.
 *
 * Usage: `npx tsx bench/compare.ts [--env mnist] [--epochs 3] [--max-batches 300] [--batch-size 64]
 *   [--val-items 1000] [--seed 0] [--backend wasm] [--runs ram:reinforce,ram:ppo,...]`
 * The defaults took 5.5 minutes on a shared 2-core machine (each epoch is capped at --max-batches batches).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { initBackend } from '../runners/backend';
import { resolveConfig } from '../runners/config';
import type { DoneEvent, RunEvent } from '../runners/events';
import { defaultComponents, train } from '../runners/run';

/** Command-line settings of the comparison. */
interface CompareArgs {
  env: string;
  epochs: number;
  maxBatches: number;
  batchSize: number;
  valItems: number;
  seed: number;
  backend: string;
  runs: Array<{ agent: string; algo: string }>;
}

const DEFAULT_RUNS = 'ram:reinforce,ram:reinforce-no-baseline,ram:ppo,random-glimpse:reinforce';

function parseArgs(argv: string[]): CompareArgs {
  const flags: Record<string, string> = { env: 'mnist', epochs: '3', 'max-batches': '300', 'batch-size': '64', 'val-items': '1000', seed: '0', backend: 'wasm', runs: DEFAULT_RUNS };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    if (!argv[i]?.startsWith('--') || !(key in flags) || argv[i + 1] === undefined) {
      throw new Error(`compare: bad argument '${argv[i]}'; allowed: ${Object.keys(flags).map((k) => `--${k} <value>`).join(', ')}`);
    }
    flags[key] = argv[i + 1];
  }
  const int = (k: string) => {
    const n = Number(flags[k]);
    if (!Number.isInteger(n) || n < (k === 'seed' ? 0 : 1)) throw new Error(`compare: --${k} must be an integer >= ${k === 'seed' ? 0 : 1}, got '${flags[k]}'`);
    return n;
  };
  const runs = flags.runs.split(',').map((r) => {
    const [agent, algo] = r.split(':');
    if (!agent || !algo) throw new Error(`compare: --runs entries are agent:algo, got '${r}'`);
    return { agent, algo };
  });
  return { env: flags.env, epochs: int('epochs'), maxBatches: int('max-batches'), batchSize: int('batch-size'), valItems: int('val-items'), seed: int('seed'), backend: flags.backend, runs };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend(args.backend as 'wasm');
  const components = await defaultComponents();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-compare-'));
  const rows: string[] = [];
  try {
    for (const { agent, algo } of args.runs) {
      const config = resolveConfig({
        values: { env: args.env, agent, algo, epochs: args.epochs, maxBatches: args.maxBatches, batchSize: args.batchSize, valItems: args.valItems, seed: args.seed, backend: args.backend, quiet: true, out: path.join(dir, `${agent}-${algo}`) },
        origin: 'flags',
      });
      const t0 = Date.now();
      const events: RunEvent[] = await lastValueFrom(train(config, { components, backend }).pipe(toArray()));
      const seconds = (Date.now() - t0) / 1000;
      const done = events[events.length - 1] as DoneEvent;
      if (done.type !== 'done' || done.testError === null) throw new Error(`compare: run ${agent}/${algo} ended without a test score`);
      const row = `| ${agent} | ${algo} | ${(100 * done.testError).toFixed(2)}% | ${(100 * (done.bestValAccuracy ?? 0)).toFixed(2)}% | ${seconds.toFixed(0)} s |`;
      rows.push(row);
      process.stderr.write(`compare: ${row}\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const setting = `${args.env}, ${args.epochs} epochs x ${args.maxBatches} batches of ${args.batchSize}, seed ${args.seed}, backend ${backend}, greedy evaluation`;
  process.stdout.write(`${setting}\n\n| agent | algorithm | test error | best val accuracy | time |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`compare: error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    process.exit(1);
  },
);

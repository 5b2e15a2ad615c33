/**
 * The `rl-run` command line (commander): train (`rl-run --env ID --agent ID ...`), evaluate a
 * checkpoint (`rl-run eval --checkpoint DIR`), picture it (`rl-run viz --checkpoint DIR`, see viz/)
 * and list what is registered (`rl-run list`).
 * Every error is caught and printed as one line `rl-run: error: ...`; exit code 2 for bad input,
 * 1 for runtime failures; a stack trace only with `--debug`.
 */
import { Command, CommanderError, Option } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { share, type Observer } from 'rxjs';
import type { RunEvent } from './events';
import type { Agent } from '../agents/agent';
import type { VectorEnv } from '../envs/vector-env';
import { initBackend, describeBackend } from './backend';
import { assertCompatible, readCheckpoint, resolveCheckpointDir } from './checkpoint';
import type { Components } from './components';
import { BACKENDS, CONFIG_KEYS, CORES, ConfigError, DEFAULTS, readConfigFile, resolveConfig, validateField, type RunConfig } from './config';
import { evaluateSplit } from './evaluate';
import { defaultComponents, makeEvalVector, splitKwargs, train } from './run';
import { progressSink } from './sinks/progress-bar';
import { jsonlSink } from './sinks/jsonl';
import { summarySink } from './sinks/summary';
import { evalSeed } from './train-loop';
import { registerSweepCommands } from './sweep/commands';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Overrides the registries (tests). */
  components?: () => Promise<Components>;
}

/** Train options and the config key each maps to (flag names derive from the keys). */
const TRAIN_FLAGS: Array<{ key: keyof RunConfig; flag: string; help: string; choices?: readonly string[] }> = [
  { key: 'env', flag: '--env <id>', help: "environment id (see 'rl-run list'); required" },
  { key: 'agent', flag: '--agent <id>', help: "agent id (see 'rl-run list'); required" },
  { key: 'algo', flag: '--algo <id>', help: `learning algorithm id (default: ${DEFAULTS.algo})` },
  { key: 'epochs', flag: '--epochs <n>', help: `epochs to train (default: ${DEFAULTS.epochs})` },
  { key: 'batchSize', flag: '--batch-size <n>', help: `episodes per update (default: ${DEFAULTS.batchSize})` },
  { key: 'glimpses', flag: '--glimpses <n>', help: 'glimpses per episode (default: the env\'s own)' },
  { key: 'glimpseSize', flag: '--glimpse-size <px>', help: 'side of the smallest glimpse patch (default: the env\'s own)' },
  { key: 'scales', flag: '--scales <n>', help: 'glimpse scales (default: the env\'s own)' },
  { key: 'lr', flag: '--lr <x>', help: 'learning rate (default: the algorithm\'s own)' },
  { key: 'std', flag: '--std <x>', help: 'std of the Gaussian location policy (default: the agent\'s own)' },
  { key: 'hidden', flag: '--hidden <n>', help: 'core hidden size (default: the agent\'s own)' },
  { key: 'core', flag: '--core <kind>', help: 'core network (default: the agent\'s own)', choices: CORES },
  { key: 'seed', flag: '--seed <n>', help: `seed of the run (default: ${DEFAULTS.seed})` },
  { key: 'out', flag: '--out <dir>', help: 'run directory (default: runs/<env>-<agent>-<algo>-s<seed>)' },
  { key: 'resume', flag: '--resume', help: 'continue the run in --out from its last checkpoint (default: false)' },
  { key: 'force', flag: '--force', help: 'overwrite an existing run directory (default: false)' },
  { key: 'backend', flag: '--backend <name>', help: `tensor backend (default: ${DEFAULTS.backend})`, choices: BACKENDS },
  { key: 'evalSamples', flag: '--eval-samples <m>', help: `0: greedy evaluation, M: average M sampled rollouts (default: ${DEFAULTS.evalSamples})` },
  { key: 'maxBatches', flag: '--max-batches <n>', help: 'cap on batches per epoch, for quick runs (default: no cap)' },
  { key: 'trainItems', flag: '--train-items <n>', help: 'train on the first N items only, for quick runs (default: all)' },
  { key: 'valItems', flag: '--val-items <n>', help: 'validate on the first N items only (default: all)' },
  { key: 'evalBatchSize', flag: '--eval-batch-size <n>', help: 'episodes per evaluation batch (default: 1000, capped by the items scored)' },
  { key: 'vizEvery', flag: '--viz-every <n>', help: 'every N epochs write the glimpse GIF of a fixed validation batch to <out>/viz/epoch-NNNN.gif (default: never)' },
  { key: 'quiet', flag: '--quiet', help: 'no progress output (default: false)' },
];

/** A runtime failure with exit code 1 (vs {@link ConfigError}'s 2). */
function exitCodeOf(e: unknown): number {
  const code = (e as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' ? code : 1;
}

/** One line for any error: its message's first line (never a stack). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].trim() || (e instanceof Error ? e.name : 'unknown error');
}

/** Builds the train config from the command's options (file < flags; on resume, saved < file < flags). */
export function configFromOptions(cmd: Command): RunConfig {
  const opts = cmd.opts() as Record<string, unknown>;
  const explicit: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (opts[key] !== undefined && cmd.getOptionValueSource(key) === 'cli') explicit[key] = opts[key];
  }
  const sources: Array<{ values: Record<string, unknown>; origin: string }> = [];
  const resume = explicit.resume === true;
  if (resume) {
    const out = explicit.out;
    if (typeof out !== 'string') throw new ConfigError('--resume needs --out <dir> naming the run to continue');
    const saved = path.join(out, 'config.json');
    if (!fs.existsSync(saved)) throw new ConfigError(`--resume: ${out} holds no run to resume (no config.json); start it without --resume`);
    sources.push({ values: readConfigFile(saved), origin: `saved config ${saved}` });
  }
  if (typeof opts.config === 'string') sources.push({ values: readConfigFile(opts.config), origin: `config file '${opts.config}'` });
  sources.push({ values: explicit, origin: 'flags' });
  return resolveConfig(...sources);
}

async function runTrain(cmd: Command, io: CliIo): Promise<number> {
  const config = configFromOptions(cmd);
  const components = io.components ? await io.components() : undefined;
  let finalized!: () => void;
  const released = new Promise<void>((r) => (finalized = r));
  const events$ = train(config, { components, onFinalize: () => finalized() }).pipe(share());
  // The run's error is reported once, by the subscriber below; sinks only stop on it.
  const sink = (o: Partial<Observer<RunEvent>>) => events$.subscribe({ error: () => undefined, ...o });
  if (!config.quiet) sink(progressSink(io.stderr));
  sink(jsonlSink());
  sink(summarySink(io.stdout));
  return new Promise<number>((resolve, reject) => {
    let stopping = false;
    const onSignal = () => {
      // First Ctrl-C: finish the batch, release, exit; the last checkpoint stays for --resume.
      if (stopping) process.exit(130);
      stopping = true;
      io.stderr.write('\nrl-run: stopping after this batch (Ctrl-C again to quit now); resume with --resume\n');
      sub.unsubscribe();
      released.then(() => resolve(130));
    };
    process.once('SIGINT', onSignal);
    const sub = events$.subscribe({
      next: (ev) => {
        if (ev.type === 'eval' && ev.split === 'test') io.stdout.write(`test accuracy ${ev.accuracy.toFixed(4)} error ${ev.error.toFixed(4)} (${ev.correct}/${ev.total})\n`);
      },
      error: (e) => {
        process.removeListener('SIGINT', onSignal);
        reject(e);
      },
      complete: () => {
        process.removeListener('SIGINT', onSignal);
        resolve(0);
      },
    });
  });
}

async function runEval(opts: { checkpoint: string; split: string; samples?: string; backend: string }, io: CliIo): Promise<number> {
  if (!['val', 'test', 'train'].includes(opts.split)) throw new ConfigError(`--split must be one of test, val, train, got '${opts.split}'`);
  const backendName = validateField('backend', opts.backend, '--backend') as string;
  const dir = resolveCheckpointDir(opts.checkpoint);
  const ckpt = readCheckpoint(dir);
  const run = resolveConfig({ values: ckpt.meta.run as Record<string, unknown>, origin: `checkpoint ${dir}` });
  const samples = opts.samples === undefined ? run.evalSamples : (validateField('evalSamples', opts.samples, '--samples') as number);
  await initBackend(backendName);
  const backend = describeBackend();
  const components = io.components ? await io.components() : await defaultComponents();
  let env: VectorEnv | null = null;
  let agent: Agent | null = null;
  try {
    env = makeEvalVector(components, ckpt.meta.env.id, splitKwargs(ckpt.meta.env.kwargs, opts.split as 'test'), run.evalBatchSize, opts.split === 'val' ? run.valItems : undefined);
    agent = components.makeAgent(ckpt.meta.agent.id, { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, { ...(ckpt.meta.agent.config ?? {}) });
    assertCompatible(ckpt, agent.id, agent.getWeights());
    agent.setWeights(ckpt.weights);
    const split = opts.split as 'val' | 'test';
    const r = evaluateSplit(env, agent, { samples, seed: evalSeed(run.seed, split === 'val' ? 'val' : 'test'), maxItems: split === 'val' ? run.valItems : undefined });
    io.stdout.write(`${opts.split} accuracy ${r.accuracy.toFixed(4)} error ${r.error.toFixed(4)} (${r.correct}/${r.total}, ${samples ? `${samples} samples` : 'greedy'}) checkpoint ${dir} epoch ${ckpt.meta.counters.epoch} backend ${backend}\n`);
    return 0;
  } finally {
    env?.close();
    agent?.dispose();
  }
}

async function runVizCommand(opts: { checkpoint: string; split: string; count: string; out?: string; backend: string }, io: CliIo): Promise<number> {
  if (!/^\d+$/.test(opts.count)) throw new ConfigError(`--count must be an integer in [1, 1024], got '${opts.count}'`);
  const backendName = validateField('backend', opts.backend, '--backend') as string;
  await initBackend(backendName);
  // Loaded on demand: only `rl-run viz` needs the image encoders.
  const { runViz } = require('../viz/run-viz') as typeof import('../viz/run-viz');
  const r = await runViz({ checkpoint: opts.checkpoint, split: opts.split as 'test', count: Number(opts.count), out: opts.out });
  io.stdout.write(`viz of ${r.checkpoint}: ${r.total} ${opts.split} images, ${r.wrong} wrong; wrote ${r.files.report} (and glimpses.png, glimpses.gif, ${r.files.patches.length} patches${r.files.curves ? ', curves.svg' : ''} in ${r.out})\n`);
  return 0;
}

async function runList(io: CliIo): Promise<number> {
  const c = io.components ? await io.components() : await defaultComponents();
  const section = (title: string, items: { id: string; description: string }[]) => {
    io.stdout.write(`${title}:\n`);
    const w = Math.max(0, ...items.map((i) => i.id.length));
    for (const i of items) io.stdout.write(`  ${i.id.padEnd(w)}  ${i.description}\n`);
  };
  section('envs', c.listEnvs());
  section('agents', c.listAgents());
  section('algorithms', c.listAlgorithms());
  return 0;
}

/** Builds the commander program; actions store their exit code in `result`. */
export function buildProgram(io: CliIo, result: { code: Promise<number> | null }): Command {
  const program = new Command('rl-run');
  program
    .description('Train and evaluate glimpse-based RL agents (RAM) on visual classification envs.')
    .exitOverride()
    // Subcommands own their options: without this, `rl-run eval --backend cpu` would set the train
    // flag --backend of the root command and eval would never see it.
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined })
    .showSuggestionAfterError(false)
    .option('--debug', 'print stack traces of errors (default: false)')
    .option('--config <file.json>', 'JSON file of run settings (keys as the flags in camelCase); flags win');
  for (const f of TRAIN_FLAGS) {
    const o = new Option(f.flag, f.help);
    if (f.choices) o.choices([...f.choices]);
    program.addOption(o);
  }
  program.action(() => {
    result.code = runTrain(program, io);
  });
  program
    .command('eval')
    .description('evaluate a checkpoint (a checkpoint dir, or a run dir: then its checkpoints/best)')
    .requiredOption('--checkpoint <dir>', 'checkpoint or run directory (required)')
    .option('--split <name>', 'split to score: test, val or train', 'test')
    .option('--samples <m>', 'sampled rollouts averaged (default: the run\'s --eval-samples)')
    .addOption(new Option('--backend <name>', 'tensor backend').choices([...BACKENDS]).default('auto'))
    .action((opts) => {
      result.code = runEval(opts, io);
    });
  program
    .command('viz')
    .description('pictures of where the agent looks (grid, GIF, patches, curves) and report.html for a checkpoint')
    .requiredOption('--checkpoint <dir>', 'checkpoint or run directory (required)')
    .option('--split <name>', 'split to picture: test, val or train', 'test')
    .option('--count <n>', 'number of images pictured', '16')
    .option('--out <dir>', 'output folder (default: <run dir>/viz)')
    .addOption(new Option('--backend <name>', 'tensor backend').choices([...BACKENDS]).default('auto'))
    .action((opts) => {
      result.code = runVizCommand(opts, io);
    });
  program
    .command('list')
    .description('list the registered envs, agents and algorithms')
    .action(() => {
      result.code = runList(io);
    });
  registerSweepCommands(program, io, result);
  for (const sub of program.commands) sub.option('--debug', 'print stack traces of errors (default: false)');
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined });
  return program;
}

/** Runs the CLI on `argv` (without `node script`); resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const debug = argv.includes('--debug');
  const result: { code: Promise<number> | null } = { code: null };
  try {
    const program = buildProgram(io, result);
    await program.parseAsync(argv, { from: 'user' });
    return result.code ? await result.code : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return 0; // --help, --version
      io.stderr.write(`rl-run: error: ${oneLine(e).replace(/^error: /, '')}\n`);
      return 2;
    }
    io.stderr.write(`rl-run: error: ${oneLine(e)}\n`);
    if (debug && e instanceof Error && e.stack) io.stderr.write(e.stack + '\n');
    return exitCodeOf(e);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Native/wasm backends may hold handles open; leave once output is flushed.
      process.stdout.write('', () => process.exit(code));
    },
    (e) => {
      process.stderr.write(`rl-run: error: ${oneLine(e)}\n`);
      process.exit(1);
    },
  );
}

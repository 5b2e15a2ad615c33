/**
 * The `rl-run` command line (commander): train (`rl-run --env ID --agent ID ...`, or spelled out
 * `rl-run train --env ID ...`), evaluate a checkpoint (`rl-run eval --checkpoint DIR`), picture it
 * (`rl-run viz --checkpoint DIR`, see viz/) and list what is registered (`rl-run list`). Progress
 * goes to stderr (runners/sinks/), results to stdout.
 * Every error is caught and printed as one line `rl-run: error: ...`; exit code 2 for bad input,
 * 1 for runtime failures; a stack trace only with `--debug`.
 */
import { Command, CommanderError, Option } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend, describeBackend } from './backend';
import { readCheckpointMeta, resolveCheckpointDir } from './checkpoint';
import { describeDefaultMemoryLimit } from './memory-budget';
import { describeErrno } from '../io/safe-read';
import type { Components } from './components';
import { BACKENDS, CONFIG_KEYS, ConfigError, DEFAULTS, SET_ORIGIN, readConfigFile, resolveConfig, validateField, type RunConfig } from './config';
import { assertRegistered, preloadPlugins, type Preloaded } from './cli-plugins';
import { componentFlags } from './component-flags';
import { formatOptions } from '../options/schema';
import { evaluateCheckpoint } from './evaluate-checkpoint';
import { defaultComponents } from './run';
import { endProcess } from './stop-signals';
import { runTrainCommand } from './train-command';
import { writeEvalRecord } from './eval-record';
import { parseSplit, splitLabel } from './splits';
import { taskProgress } from './sinks/task-progress';
import { registerSweepCommands } from './sweep/commands';

export { endProcess };

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Overrides the registries (tests). */
  components?: () => Promise<Components>;
}

/** Train options and the config key each maps to (flag names derive from the keys). */
const TRAIN_FLAGS: Array<{ key: keyof RunConfig; flag: string; help: string; choices?: readonly string[]; repeat?: boolean }> = [
  { key: 'require', flag: '--require <module>', help: 'load a module that registers envs, agents or algorithms first: a path relative to the working directory, or a package name (repeatable; recorded in the run)', repeat: true },
  { key: 'env', flag: '--env <id>', help: "environment id (see 'rl-run list'); required" },
  { key: 'agent', flag: '--agent <id>', help: "agent id (see 'rl-run list'); required" },
  { key: 'algo', flag: '--algo <id>', help: `learning algorithm id (default: ${DEFAULTS.algo})` },
  { key: 'epochs', flag: '--epochs <n>', help: `epochs to train (default: ${DEFAULTS.epochs})` },
  { key: 'batchSize', flag: '--batch-size <n>', help: `episodes per update (default: ${DEFAULTS.batchSize})` },
  { key: 'replicas', flag: '--replicas <m>', help: `episodes per train image in a batch: each batch shows batch-size/m images, each to m episodes from the same start (same translation/clutter), so an epoch has m times the batches; batch-size must be a multiple of m (default: ${DEFAULTS.replicas})` },
  { key: 'glimpses', flag: '--glimpses <n>', help: 'glimpses per episode (default: the env\'s own)' },
  { key: 'glimpseSize', flag: '--glimpse-size <px>', help: 'side of the smallest glimpse patch (default: the env\'s own)' },
  { key: 'scales', flag: '--scales <n>', help: 'glimpse scales (default: the env\'s own)' },
  { key: 'envKwargs', flag: '--env-kwargs <json>', help: 'env keyword options, a JSON object (default: the env\'s own)' },
  { key: 'agentOptions', flag: '--agent-options <json>', help: "agent options, a JSON object ('rl-run list --agent <id>' lists them)" },
  { key: 'algoOptions', flag: '--algo-options <json>', help: "algorithm options, a JSON object ('rl-run list --algo <id>' lists them)" },
  { key: 'seed', flag: '--seed <n>', help: `seed of the run (default: ${DEFAULTS.seed})` },
  { key: 'out', flag: '--out <dir>', help: 'run directory (default: runs/<env>-<agent>-<algo>-s<seed>)' },
  { key: 'resume', flag: '--resume', help: 'continue the run in --out from its last checkpoint (default: false)' },
  { key: 'force', flag: '--force', help: 'overwrite an existing run directory (default: false)' },
  { key: 'backend', flag: '--backend <name>', help: `tensor backend (default: ${DEFAULTS.backend})`, choices: BACKENDS },
  { key: 'evalSamples', flag: '--eval-samples <m>', help: `0: greedy evaluation, M: average M sampled rollouts (default: ${DEFAULTS.evalSamples})` },
  { key: 'maxBatches', flag: '--max-batches <n>', help: 'cap on batches per epoch, for quick runs (default: no cap)' },
  { key: 'trainItems', flag: '--train-items <n>', help: 'train on the first N items only, for quick runs (default: all)' },
  { key: 'valItems', flag: '--val-items <n>', help: 'validate on the first N items only (default: all)' },
  { key: 'testItems', flag: '--test-items <n>', help: 'score the final test on the first N items only, for quick runs (default: all)' },
  { key: 'evalBatchSize', flag: '--eval-batch-size <n>', help: 'episodes per evaluation batch (default: 1000, capped by the items scored)' },
  { key: 'vizEvery', flag: '--viz-every <n>', help: 'every N epochs write the glimpse GIF of a fixed validation batch to <out>/viz/epoch-NNNN.gif (default: never)' },
  { key: 'quiet', flag: '--quiet', help: 'no progress output (default: false)' },
  { key: 'maxMemory', flag: '--max-memory <GiB>', help: `refuse a run whose estimated memory exceeds this many GiB (default: ${describeDefaultMemoryLimit()})` },
];

/** A runtime failure with exit code 1 (vs {@link ConfigError}'s 2). */
function exitCodeOf(e: unknown): number {
  const code = (e as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' ? code : 1;
}

/** One line for any error: its message's first line (never a stack); file-system errors in words. */
function oneLine(e: unknown): string {
  const sys = e as NodeJS.ErrnoException & { dest?: string };
  if (sys instanceof Error && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
    return `cannot ${sys.syscall}${sys.path ? ` '${sys.path}'` : ''}${sys.dest ? ` to '${sys.dest}'` : ''}: ${describeErrno(sys)}`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].trim() || (e instanceof Error ? e.name : 'unknown error');
}

/** Builds the train config from the command's options (file < flags; on resume, saved < file < flags). */
export function configFromOptions(cmd: Command): RunConfig {
  const opts = cmd.opts() as Record<string, unknown>;
  const explicit: Record<string, unknown> = {};
  for (const key of [...CONFIG_KEYS, ...componentFlags().map((f) => f.key)]) {
    if (opts[key] !== undefined && cmd.getOptionValueSource(key) === 'cli') explicit[key] = opts[key];
  }
  const sets = setFlagValues((opts.set as string[] | undefined) ?? []);
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
  // A source of its own, so that an error names the `--set` that gave the value.
  if (Object.keys(sets).length > 0) sources.push({ values: sets, origin: SET_ORIGIN });
  return resolveConfig(...sources);
}

/** Sections `--set` writes into, by prefix. */
const SET_SECTIONS: Record<string, 'agentOptions' | 'algoOptions' | 'envKwargs'> = { agent: 'agentOptions', algo: 'algoOptions', env: 'envKwargs' };

/**
 * The values of `--set agent.hidden=512` / `algo.clip=0.1` / `env.reach=0.8`, as the sections they
 * write (later flags win). Values stay strings here; the agent's and algorithm's schemas type them,
 * env kwargs are parsed as JSON when they are JSON (`0.8`, `true`, `[1,2]`), else kept as strings.
 */
function setFlagValues(sets: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of sets) {
    const m = /^(agent|algo|env)\.([A-Za-z_$][\w$]*)=([\s\S]*)$/.exec(s);
    if (!m) throw new ConfigError(`--set '${s}' must look like agent.<option>=<value>, algo.<option>=<value> or env.<kwarg>=<value>`);
    const section = SET_SECTIONS[m[1]];
    let value: unknown = m[3];
    if (section === 'envKwargs') {
      try {
        value = JSON.parse(m[3]);
      } catch {
        // a bare word (`split=test`): a string kwarg
      }
    }
    out[section] = { ...(out[section] ?? {}), [m[2]]: value };
  }
  return out;
}

async function runTrain(cmd: Command, io: CliIo, pre: Preloaded): Promise<number> {
  const config = configFromOptions(cmd);
  const components = io.components ? await io.components() : undefined;
  const listed = components ?? (await defaultComponents());
  if (pre.missing.length) {
    // A recorded module was not found: say which, if the run needs what it registered.
    const what = config.resume ? `run ${config.out}` : 'this run';
    assertRegistered('env', config.env, listed.listEnvs(), pre, what);
    assertRegistered('agent', config.agent, listed.listAgents(), pre, what);
    assertRegistered('algorithm', config.algo, listed.listAlgorithms(), pre, what);
  }
  return runTrainCommand(config, io, components);
}

/** Checks that the components a checkpoint was trained with are registered (see {@link assertRegistered}). */
function assertCheckpointComponents(dir: string, components: Components, pre: Preloaded): void {
  if (!pre.missing.length) return;
  // Only the small checkpoint.json is read here (checked like every checkpoint read).
  const meta = readCheckpointMeta(dir);
  const what = `checkpoint ${dir}`;
  assertRegistered('env', meta.env.id, components.listEnvs(), pre, what);
  assertRegistered('agent', meta.agent.id, components.listAgents(), pre, what);
}

async function runEval(opts: { checkpoint: string; split: string; samples?: string; backend: string; maxMemory?: string; record?: boolean; quiet?: boolean }, io: CliIo, pre: Preloaded): Promise<number> {
  const split = parseSplit(opts.split);
  const backendName = validateField('backend', opts.backend, '--backend') as string;
  const maxMemory = opts.maxMemory === undefined ? undefined : (validateField('maxMemory', opts.maxMemory, '--max-memory') as number);
  const samples = opts.samples === undefined ? undefined : (validateField('evalSamples', opts.samples, '--samples') as number);
  const dir = resolveCheckpointDir(opts.checkpoint);
  const components = io.components ? await io.components() : await defaultComponents();
  assertCheckpointComponents(dir, components, pre);
  await initBackend(backendName);
  const backend = describeBackend();
  const label = `eval ${splitLabel(split)}${samples ? ` (${samples} samples)` : ''}`;
  const progress = opts.quiet ? null : taskProgress(io.stderr, label, 'images');
  let r;
  try {
    r = await evaluateCheckpoint(dir, { split, samples, components, maxMemory, onProgress: (p) => progress?.update(p) });
  } finally {
    progress?.close();
  }
  // The numbers only: the record must not carry the loaded checkpoint (its weights) along.
  const { checkpoint: ckpt, ...result } = r;
  if (opts.record) {
    const command = ['rl-run eval', '--checkpoint', opts.checkpoint, '--split', opts.split, ...(opts.samples !== undefined ? ['--samples', opts.samples] : [])].join(' ');
    const file = writeEvalRecord(ckpt.dir, { ...result, split, epoch: ckpt.meta.counters.epoch, weightsSha256: ckpt.meta.weights.sha256, backend, recordedAt: new Date().toISOString(), command });
    io.stderr.write(`rl-run: recorded in ${file}\n`);
  }
  io.stdout.write(`${split} accuracy ${r.accuracy.toFixed(4)} error ${r.error.toFixed(4)} (${r.correct}/${r.total}, ${r.samples ? `${r.samples} samples` : 'greedy'}) checkpoint ${ckpt.dir} epoch ${ckpt.meta.counters.epoch} backend ${backend}\n`);
  return 0;
}

async function runVizCommand(opts: { checkpoint: string; split: string; count: string; out?: string; backend: string; maxMemory?: string; allScales?: boolean; quiet?: boolean }, io: CliIo, pre: Preloaded): Promise<number> {
  const split = parseSplit(opts.split);
  if (!/^\d+$/.test(opts.count)) throw new ConfigError(`--count must be an integer in [1, 1024], got '${opts.count}'`);
  const backendName = validateField('backend', opts.backend, '--backend') as string;
  const maxMemory = opts.maxMemory === undefined ? undefined : (validateField('maxMemory', opts.maxMemory, '--max-memory') as number);
  assertCheckpointComponents(resolveCheckpointDir(opts.checkpoint), io.components ? await io.components() : await defaultComponents(), pre);
  await initBackend(backendName);
  // Loaded on demand: only `rl-run viz` needs the image encoders.
  const { runViz } = require('../viz/run-viz') as typeof import('../viz/run-viz');
  const progress = opts.quiet ? null : taskProgress(io.stderr, 'viz', 'episodes');
  let r;
  try {
    r = await runViz({ checkpoint: opts.checkpoint, split, count: Number(opts.count), out: opts.out, allScales: opts.allScales, maxMemory, onProgress: (p) => progress?.update(p) });
  } finally {
    progress?.close();
  }
  io.stdout.write(`viz of ${r.checkpoint}: ${r.total} ${splitLabel(split)} images, ${r.wrong} wrong; wrote ${r.files.report} (and glimpses.png, glimpses.gif, ${r.files.patches.length} patches${r.files.curves ? ', curves.svg' : ''} in ${r.out})\n`);
  return 0;
}

async function runList(opts: { agent?: string; algo?: string; env?: string; backends?: boolean }, io: CliIo): Promise<number> {
  if (opts.backends) {
    // Loaded on demand: spawns one process per backend and times it.
    const { collectBackendRows, formatBackendReport } = require('./backend-report') as typeof import('./backend-report');
    const { rows, native } = collectBackendRows();
    io.stdout.write(formatBackendReport(rows, native));
    return 0;
  }
  const c = io.components ? await io.components() : await defaultComponents();
  if (opts.env !== undefined) {
    const entry = c.listEnvs().find((l) => l.id === opts.env);
    if (!entry) throw new ConfigError(`unknown env '${opts.env}'; registered: ${c.listEnvs().map((l) => l.id).join(', ') || 'none'}`);
    const kwargs = c.envKwargs?.(entry.id) ?? {};
    io.stdout.write(`env ${entry.id}: ${entry.description}\nkeyword options with their defaults (--set env.<name>=<value>, or "envKwargs" in a config file; docs/envs.md says what each does):\n`);
    const w = Math.max(0, ...Object.keys(kwargs).map((k) => k.length));
    const lines = Object.entries(kwargs).map(([k, v]) => `  ${k.padEnd(w)}  ${JSON.stringify(v)}`);
    io.stdout.write(lines.length ? lines.join('\n') + '\n' : '  (none declared)\n');
  }
  if (opts.agent !== undefined || opts.algo !== undefined) {
    for (const [kind, id, listed, schemaOf] of [
      ['agent', opts.agent, c.listAgents(), c.agentOptions],
      ['algorithm', opts.algo, c.listAlgorithms(), c.algorithmOptions],
    ] as const) {
      if (id === undefined) continue;
      const entry = listed.find((l) => l.id === id);
      if (!entry) throw new ConfigError(`unknown ${kind} '${id}'; registered: ${listed.map((l) => l.id).join(', ') || 'none'}`);
      const schema = schemaOf?.(id) ?? {};
      const section = kind === 'agent' ? 'agent' : 'algo';
      io.stdout.write(`${kind} ${id}: ${entry.description}\noptions (--set ${section}.<name>=<value>, or --${section === 'agent' ? 'agent' : 'algo'}-options '{"<name>": <value>}'):\n`);
      const lines = formatOptions(schema);
      io.stdout.write(lines.length ? lines.join('\n') + '\n' : '  (none declared)\n');
    }
    return 0;
  }
  if (opts.env !== undefined) return 0;
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

/** Adds the train flags ({@link TRAIN_FLAGS}), `--set` and the components' shorthand flags to `cmd` (the root command and `train`). */
function addTrainOptions(cmd: Command): void {
  for (const f of TRAIN_FLAGS) {
    const o = new Option(f.flag, f.help);
    if (f.choices) o.choices([...f.choices]);
    if (f.repeat) o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    cmd.addOption(o);
  }
  cmd.addOption(new Option('--set <section.key=value>', 'one agent, algorithm or env option: agent.hidden=512, algo.clip=0.1, env.reach=0.8 (repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]));
  // Shorthand flags that the registered agents and algorithms declare (RAM's --std, the algorithms' --lr).
  const taken = new Set(cmd.options.map((o) => o.attributeName()));
  for (const f of componentFlags()) {
    if (taken.has(f.key)) continue;
    const metavar = f.spec.type === 'integer' ? '<n>' : f.spec.type === 'number' ? '<x>' : '<value>';
    const o = new Option(`--${f.key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} ${metavar}`, `${f.spec.help} (${f.kind} ${f.owners.join(', ')}; default: the ${f.kind}'s own)`);
    if (f.spec.choices) o.choices([...f.spec.choices]);
    cmd.addOption(o);
  }
}

/** Builds the commander program; actions store their exit code in `result`. `pre`: the modules loaded before parsing. */
export function buildProgram(io: CliIo, result: { code: Promise<number> | null }, pre: Preloaded = { loaded: [], missing: [], explicit: [] }): Command {
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
  addTrainOptions(program);
  program.action(() => {
    result.code = runTrain(program, io, pre);
  });
  const trainCmd = program
    .command('train')
    .description("train an agent (the default command: 'rl-run train --env ID ...' is 'rl-run --env ID ...')")
    .option('--config <file.json>', 'JSON file of run settings (keys as the flags in camelCase); flags win');
  addTrainOptions(trainCmd);
  trainCmd.action(() => {
    result.code = runTrain(trainCmd, io, pre);
  });
  program
    .command('eval')
    .description('evaluate a checkpoint (a checkpoint dir, or a run dir: then its checkpoints/best)')
    .requiredOption('--checkpoint <dir>', 'checkpoint or run directory (required)')
    .option('--split <name>', 'test, validation (or val), train', 'test')
    .option('--samples <m>', 'sampled rollouts averaged (default: the run\'s --eval-samples)')
    .option('--max-memory <GiB>', `refuse an evaluation whose estimated memory exceeds this many GiB (default: ${describeDefaultMemoryLimit()})`)
    .option('--record', 'also write the result to <checkpoint>/eval-<split>.json, which viz reports (default: false)')
    .option('--quiet', 'no progress output (default: false)')
    .addOption(new Option('--backend <name>', 'tensor backend').choices([...BACKENDS]).default('auto'))
    .action((opts) => {
      result.code = runEval(opts, io, pre);
    });
  program
    .command('viz')
    .description('pictures of where the agent looks (grid, GIF, patches, curves) and report.html for a checkpoint')
    .requiredOption('--checkpoint <dir>', 'checkpoint or run directory (required)')
    .option('--split <name>', 'test, validation (or val), train', 'test')
    .option('--count <n>', 'number of images pictured', '16')
    .option('--out <dir>', 'output folder (default: <run dir>/viz, or <checkpoint dir>-viz beside a checkpoint outside a run, e.g. models/mnist-viz)')
    .option('--all-scales', 'draw the box of every glimpse scale, not only the finest (default: false)')
    .option('--quiet', 'no progress output (default: false)')
    .option('--max-memory <GiB>', `refuse pictures whose estimated memory exceeds this many GiB (default: ${describeDefaultMemoryLimit()})`)
    .addOption(new Option('--backend <name>', 'tensor backend').choices([...BACKENDS]).default('auto'))
    .action((opts) => {
      result.code = runVizCommand(opts, io, pre);
    });
  program
    .command('list')
    .description('list the registered envs, agents and algorithms, the options of one agent or algorithm, or the tensor backends')
    .option('--agent <id>', 'print the options agent <id> declares')
    .option('--algo <id>', 'print the options algorithm <id> declares')
    .option('--env <id>', 'print the keyword options env <id> accepts, with their defaults')
    .option('--backends', 'instead: each tensor backend, whether it is installed and loads, its device and a measured training step (a few seconds)')
    .action((opts) => {
      result.code = runList(opts, io);
    });
  registerSweepCommands(program, io, result);
  for (const sub of program.commands) sub.option('--debug', 'print stack traces of errors (default: false)');
  for (const sub of program.commands.filter((c) => !c.options.some((o) => o.long === '--require'))) sub.option('--require <module>', 'load a module that registers envs, agents or algorithms first (repeatable; a run\'s recorded modules load by themselves)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined });
  return program;
}

/** Runs the CLI on `argv` (without `node script`); resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const debug = argv.includes('--debug');
  const result: { code: Promise<number> | null } = { code: null };
  try {
    // Built-ins first, then the user's modules: both register flags the parser must know.
    await defaultComponents();
    const pre = await preloadPlugins(argv);
    const program = buildProgram(io, result, pre);
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
      process.stdout.write('', () => endProcess(code));
    },
    (e) => {
      process.stderr.write(`rl-run: error: ${oneLine(e)}\n`);
      process.exit(1);
    },
  );
}

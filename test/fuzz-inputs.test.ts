/**
 * Fuzz suite (fast-check, fixed seeds, bounded runs): random and mutated command lines, config
 * files and checkpoints. Whatever the input, `rl-run` must exit 0, 1 or 2, print at most two lines
 * on stderr and never a stack trace, finish within a time bound, and leave an existing run
 * directory byte for byte as it was when it refuses a command.
 *
 * Most cases call the CLI's `main(argv)` in this process (a few milliseconds each); one child
 * process runs a sample of the same generators to bound the peak RSS of a real `rl-run` process
 * and to catch a case that would block it. Values that are valid but make a run long (epochs,
 * glimpses, sampled evaluation) are drawn from small pools: the suite tests input handling, not
 * training speed; sizes that are valid but huge are left in, for the memory budget to refuse.
 * Seeds and run counts are fixed (reproducible); `FUZZ_DEBUG=1` prints every case and outcome.
 */
import { execFileSync } from 'child_process';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../runners/cli';
import { copyRun, editMeta, hashTree, makeTinyRun, poisonBin, runCasesInChild } from './helpers/hostile';
import { useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('fuzz-inputs');
const setup = useBackendAndTempDir(test, 'rl-run-fuzz-');
let base = '';
let tiny = '';
let n = 0;
const fresh = (name = 'x') => path.join(setup.dir, `${name}-${n++}`);
/** Per case: at most this long in-process (a refused input takes milliseconds; a tiny run about a second). */
const CASE_MS = 20_000;

test.before(async () => {
  base = await makeTinyRun(setup.dir);
  tiny = path.join(setup.dir, 'tiny.json');
  fs.writeFileSync(path.join(setup.dir, 'a-file'), 'not a directory');
  fs.writeFileSync(path.join(setup.dir, 'bad.json'), '{"env": "shapes",');
  fs.writeFileSync(path.join(setup.dir, 'array.json'), '[1, 2]');
  execFileSync('mkfifo', [path.join(setup.dir, 'fifo')]);
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function runInProcess(argv: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const t0 = Date.now();
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr, ms: Date.now() - t0 };
}

/** The contract every outcome keeps, whatever the input. */
function checkOutcome(r: Outcome, argv: string[]): void {
  const what = `rl-run ${argv.join(' ')}\n${r.stderr}`;
  assert.ok([0, 1, 2].includes(r.code), `exit code ${r.code}: ${what}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length <= 2, `at most two stderr lines: ${what}`);
  assert.not.match(r.stderr, /^\s+at .+[:(]/m, `no stack trace: ${what}`);
  if (r.code !== 0) assert.match(lines[0] ?? '', /^rl-run: error: \S/, `one error line: ${what}`);
  assert.ok(r.ms < CASE_MS, `${r.ms} ms: ${what}`);
}

// ---- values -------------------------------------------------------------------------------

/** Number-like strings a user might type, valid and not. */
const numberish = fc.constantFrom('0', '-1', '1', '2', '8', '16', '1.5', '1e9', '65536', '65537', 'NaN', 'Infinity', '-Infinity', 'abc', '', ' 3', '0x10', '1e400', '9007199254740993', '١', '--');
/** Counts that are valid but would make a run long are left out (see module doc). */
const smallCount = fc.constantFrom('0', '-1', '1', '2', '1.5', 'abc', '', '1e400', 'NaN');
/** Symbolic paths, made real per case by {@link realPath}. */
const pathToken = fc.constantFrom('FRESH', 'BASE_COPY', 'LAST_OF_COPY', 'FILE', 'UNDER_FILE', 'FIFO', 'MISSING', '/proc/self/x', '/dev/null', '/dev/zero', '/sys/x', 'BAD_JSON', 'ARRAY_JSON', 'TINY_JSON');

/** The run copy a case made (hashed before, checked after a refusal), if any. */
interface CaseState {
  copies: string[];
}

function realPath(token: string, st: CaseState): string {
  switch (token) {
    case 'FRESH':
      return fresh('out');
    case 'BASE_COPY':
    case 'LAST_OF_COPY': {
      const copy = copyRun(base, fresh('copy'));
      st.copies.push(copy);
      return token === 'BASE_COPY' ? copy : path.join(copy, 'checkpoints', 'last');
    }
    case 'FILE':
      return path.join(setup.dir, 'a-file');
    case 'UNDER_FILE':
      return path.join(setup.dir, 'a-file', 'sub');
    case 'FIFO':
      return path.join(setup.dir, 'fifo');
    case 'MISSING':
      return path.join(setup.dir, 'missing', 'nothing');
    case 'BAD_JSON':
      return path.join(setup.dir, 'bad.json');
    case 'ARRAY_JSON':
      return path.join(setup.dir, 'array.json');
    case 'TINY_JSON':
      return tiny;
    default:
      return token;
  }
}

/** One flag with a value drawn for it (paths as tokens). */
const trainFlag = fc.oneof(
  fc.tuple(fc.constant('--env'), fc.constantFrom('shapes', 'mnist', 'cluttered-mnist', 'nope', '', 'toString')),
  fc.tuple(fc.constant('--agent'), fc.constantFrom('ram', 'random-glimpse', 'nope', '__proto__')),
  fc.tuple(fc.constant('--algo'), fc.constantFrom('reinforce', 'ppo', 'reinforce-no-baseline', 'constructor')),
  fc.tuple(fc.constantFrom('--epochs', '--max-batches', '--glimpses', '--eval-samples', '--eval-batch-size', '--viz-every'), smallCount),
  fc.tuple(fc.constantFrom('--batch-size', '--train-items', '--val-items', '--hidden', '--glimpse-size', '--scales', '--seed', '--lr', '--std'), numberish),
  fc.tuple(fc.constant('--core'), fc.constantFrom('rnn', 'lstm', 'gru')),
  fc.tuple(fc.constant('--backend'), fc.constantFrom('wasm', 'cpu', 'gpu')),
  fc.tuple(fc.constant('--max-memory'), fc.constantFrom('0.0001', '0', '-2', 'abc', 'NaN')),
  fc.tuple(fc.constantFrom('--config', '--out'), pathToken),
  fc.tuple(fc.constantFrom('--resume', '--force', '--quiet', '--bogus', '--', '-x'), fc.constant(null)),
  fc.tuple(fc.constant('--seed'), fc.string({ maxLength: 6 })),
);

const evalFlag = fc.oneof(
  fc.tuple(fc.constant('--checkpoint'), pathToken),
  fc.tuple(fc.constant('--split'), fc.constantFrom('test', 'val', 'train', 'dev', '')),
  fc.tuple(fc.constant('--samples'), smallCount),
  fc.tuple(fc.constant('--count'), smallCount),
  fc.tuple(fc.constant('--max-memory'), fc.constantFrom('0.0001', 'abc')),
  fc.tuple(fc.constant('--backend'), fc.constantFrom('wasm', 'gpu')),
  fc.tuple(fc.constantFrom('--bogus', '--resume'), fc.constant(null)),
);

type Flag = [string, string | null];

/** A command line: train (a tiny run unless the flags say otherwise), eval, viz or list. */
const commandLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant('train'), fc.array(trainFlag, { maxLength: 6 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('eval', 'viz'), fc.array(evalFlag, { maxLength: 4 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('list'), fc.array(fc.tuple(fc.constantFrom('--debug', '--bogus', 'extra'), fc.constant(null)), { maxLength: 2 })) },
);

function toArgv(cmd: string, flags: Flag[], st: CaseState): string[] {
  const rest = flags.flatMap(([f, v]) => (v === null ? [f] : f === '--config' || f === '--out' || f === '--checkpoint' ? [f, realPath(v, st)] : [f, v]));
  // A tiny, bounded run unless a later flag overrides it; always an --out under the temp dir.
  if (cmd === 'train') return ['--env', 'shapes', '--agent', 'ram', '--config', tiny, '--epochs', '1', '--max-batches', '1', '--train-items', '16', '--val-items', '8', '--batch-size', '8', '--quiet', '--backend', 'wasm', '--out', fresh('out'), ...rest];
  if (cmd === 'eval') return ['eval', '--checkpoint', realPath('BASE_COPY', st), '--backend', 'wasm', ...rest];
  if (cmd === 'viz') return ['viz', '--checkpoint', realPath('LAST_OF_COPY', st), '--count', '2', '--backend', 'wasm', '--out', fresh('viz'), ...rest];
  return [cmd, ...rest];
}

/** Runs one case: the copies it made are hashed first and must be unchanged after a refusal. */
async function fuzzCase(makeArgv: (st: CaseState) => string[]): Promise<void> {
  const st: CaseState = { copies: [] };
  const argv = makeArgv(st);
  if (process.env.FUZZ_DEBUG) console.error('CASE', JSON.stringify(argv));
  const before = st.copies.map((c) => hashTree(c));
  const r = await runInProcess(argv);
  if (process.env.FUZZ_DEBUG) console.error('OUTCOME', r.code, r.ms, r.stderr.split('\n')[0].slice(0, 160));
  checkOutcome(r, argv);
  if (r.code !== 0) st.copies.forEach((c, i) => assert.equal(hashTree(c), before[i], `refused, so ${c} must be unchanged: rl-run ${argv.join(' ')}\n${r.stderr}`));
  for (const c of st.copies) fs.rmSync(c, { recursive: true, force: true });
}

// ---- config files -------------------------------------------------------------------------

const hostileJson = fc.oneof(
  fc.constantFrom<unknown>(0, -1, 1, 2, 1e9, 65536, 1.5, 1e308, -0, null, true, false, '1', 'abc', '', [], {}, [1, 2], { a: 1 }, 'rnn', 'lstm', 'cosine', 'train', 'validation'),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Loop counts: valid values kept small (see module doc). */
const smallJson = fc.constantFrom<unknown>(0, -1, 1, 2, 1.5, null, '1', 'abc', [], {}, 1e400);
const LOOP_KEYS = ['epochs', 'maxBatches', 'glimpses', 'evalSamples', 'evalBatchSize', 'vizEvery', 'envKwargs.glimpses', 'algoOptions.epochs', 'trainItems', 'valItems'];
const CONFIG_PATHS = [
  'env', 'agent', 'algo', 'batchSize', 'hidden', 'glimpseSize', 'scales', 'lr', 'std', 'seed', 'core', 'resume', 'force', 'quiet', 'backend', 'maxMemory',
  'envKwargs', 'envKwargs.distractors', 'envKwargs.split', 'envKwargs.reach', 'envKwargs.dataSeed', 'envKwargs.glimpseSize', 'envKwargs.scales', 'envKwargs.startLocation', 'envKwargs.toString',
  'agentOptions', 'agentOptions.hidden', 'agentOptions.core', 'agentOptions.glimpseHidden', 'agentOptions.glimpseFeatures', 'agentOptions.seed', 'agentOptions.std', 'agentOptions.numClasses', 'agentOptions.constructor',
  'algoOptions', 'algoOptions.lr', 'algoOptions.schedule', 'algoOptions.decayEpochs', 'algoOptions.minibatches', 'algoOptions.clipNorm', 'algoOptions.gamma', 'algoOptions.__proto__',
  'toString', '__proto__', 'constructor', 'valueOf',
];
const configMutation = fc.oneof(
  fc.tuple(fc.constantFrom(...CONFIG_PATHS), hostileJson),
  fc.tuple(fc.constantFrom(...LOOP_KEYS), smallJson),
);

/** Sets `obj.a.b` (creating objects on the way), with own data properties only. */
function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null || Array.isArray(o[k])) Object.defineProperty(o, k, { value: {}, enumerable: true, writable: true, configurable: true });
    o = o[k] as Record<string, unknown>;
  }
  Object.defineProperty(o, keys[keys.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

// ---- checkpoints --------------------------------------------------------------------------

const META_PATHS = [
  'format', 'env.id', 'env.kwargs', 'env.kwargs.glimpses', 'env.kwargs.distractors', 'env.kwargs.split', 'agent.id', 'agent.config', 'agent.config.hidden', 'agent.config.core',
  'agent.config.glimpseHidden', 'agent.config.numClasses', 'agent.config.scales', 'algo.id', 'algo.config', 'run', 'run.seed', 'run.batchSize', 'run.env', 'run.hidden', 'run.toString',
  'counters', 'counters.epoch', 'counters.step', 'counters.episodes', 'rng', 'rng.s', 'rng.s.0', 'rng.spare', 'bestValAccuracy', 'bestEpoch', 'metrics', 'metrics.loss',
  'optimizerScalars', 'optimizerScalars.steps', 'weights', 'weights.file', 'weights.byteLength', 'weights.sha256', 'weights.entries', 'weights.entries.0.shape', 'weights.entries.0.offset',
  'weights.entries.0.length', 'weights.entries.0.name', 'optimizer.byteLength', 'optimizer.entries.0.shape', 'optimizer.file',
];
const binFile = fc.constantFrom<'weights.bin' | 'optimizer.bin'>('weights.bin', 'optimizer.bin');
const checkpointMutation = fc.oneof(
  fc.tuple(fc.constant('meta'), fc.constantFrom(...META_PATHS), hostileJson),
  fc.tuple(fc.constant('truncate'), binFile, fc.nat(4000)),
  fc.tuple(fc.constant('append'), binFile, fc.nat(64)),
  fc.tuple(fc.constant('flip'), binFile, fc.nat(4000)),
  fc.tuple(fc.constant('poison'), binFile, fc.nat(500), fc.constantFrom(NaN, Infinity, -Infinity)),
  fc.tuple(fc.constant('replace'), fc.constantFrom('weights.bin', 'optimizer.bin', 'checkpoint.json'), fc.constantFrom('fifo', 'dir', 'zero-link', 'outside-link', 'missing', 'empty')),
  fc.tuple(fc.constant('json-text'), fc.constantFrom('', '{', 'null', '[]', '"x"', '{"format": 1}', '1e999')),
);

function setMetaPath(meta: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let o: Record<string, unknown> = meta;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) return;
    o = o[k] as Record<string, unknown>;
  }
  Object.defineProperty(o, keys[keys.length - 1], { value, enumerable: true, writable: true, configurable: true });
}

/** True when `file` is a plain file (not a link, FIFO or directory an earlier mutation made). */
const isPlain = (file: string) => fs.existsSync(file) && fs.lstatSync(file).isFile();

function applyCheckpointMutation(dir: string, m: unknown[]): void {
  const kind = m[0] as string;
  // The test's own edits read the files: only plain ones (never a FIFO or /dev/zero left by an earlier mutation).
  if ((kind === 'meta' || kind === 'poison') && !isPlain(path.join(dir, 'checkpoint.json'))) return;
  if (['truncate', 'append', 'flip', 'poison'].includes(kind) && !isPlain(path.join(dir, m[1] as string))) return;
  if (kind === 'meta') return editMeta(dir, (meta) => setMetaPath(meta, m[1] as string, m[2]));
  if (kind === 'json-text') return fs.writeFileSync(path.join(dir, 'checkpoint.json'), m[1] as string);
  const file = path.join(dir, m[1] as string);
  if (kind === 'truncate') return fs.truncateSync(file, Math.min(m[2] as number, fs.statSync(file).size));
  if (kind === 'append') return fs.appendFileSync(file, Buffer.alloc(m[2] as number, 7));
  if (kind === 'flip') {
    const b = fs.readFileSync(file);
    b[(m[2] as number) % b.length] ^= 0x5a;
    return fs.writeFileSync(file, b);
  }
  if (kind === 'poison') {
    const floats = fs.statSync(file).size / 4;
    return poisonBin(dir, m[1] as 'weights.bin', (m[2] as number) % floats, m[3] as number);
  }
  fs.rmSync(file, { recursive: true, force: true });
  switch (m[2]) {
    case 'fifo':
      return execFileSync('mkfifo', [file]) as unknown as void;
    case 'dir':
      return fs.mkdirSync(file);
    case 'zero-link':
      return fs.symlinkSync('/dev/zero', file);
    case 'outside-link':
      return fs.symlinkSync(path.join(setup.dir, 'a-file'), file);
    case 'empty':
      return fs.writeFileSync(file, '');
  }
}

const checkpointCommand = fc.constantFrom('eval', 'viz', 'resume');

function checkpointArgv(cmd: string, run: string): string[] {
  const last = path.join(run, 'checkpoints', 'last');
  if (cmd === 'eval') return ['eval', '--checkpoint', last, '--backend', 'wasm'];
  if (cmd === 'viz') return ['viz', '--checkpoint', last, '--count', '2', '--backend', 'wasm', '--out', fresh('viz')];
  return ['--out', run, '--resume', '--epochs', '2', '--quiet', '--backend', 'wasm'];
}

// ---- properties ---------------------------------------------------------------------------

const RUNS = { flags: 40, config: 30, checkpoint: 40, child: 12 };

test('random command lines: exit 0/1/2, at most two stderr lines, no stack, bounded time; refusals change nothing', async () => {
  await fc.assert(
    fc.asyncProperty(commandLine, async ([cmd, flags]) => fuzzCase((st) => toArgv(cmd, flags as Flag[], st))),
    { seed: 1201, numRuns: RUNS.flags, endOnFailure: true },
  );
});

test('mutated config files: same contract', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(configMutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      const config: Record<string, unknown> = { env: 'shapes', agent: 'ram', epochs: 1, maxBatches: 1, trainItems: 16, valItems: 8, batchSize: 8, hidden: 16, quiet: true, backend: 'wasm', agentOptions: { glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16 }, envKwargs: {}, algoOptions: {} };
      for (const [p, v] of mutations) setPath(config, p, v);
      const file = fresh('config') + '.json';
      fs.writeFileSync(file, JSON.stringify(config));
      await fuzzCase(() => ['--config', file, '--out', fresh('out')]);
    }),
    { seed: 1202, numRuns: RUNS.config, endOnFailure: true },
  );
});

test('mutated checkpoints under eval, viz and --resume: same contract, and a refused --resume leaves the run as it was', async () => {
  await fc.assert(
    fc.asyncProperty(checkpointCommand, fc.array(checkpointMutation, { minLength: 1, maxLength: 2 }), async (cmd, mutations) => {
      await fuzzCase((st) => {
        const run = copyRun(base, fresh('ckpt'));
        if (process.env.FUZZ_DEBUG) console.error('MUTATIONS', JSON.stringify(mutations));
        for (const m of mutations) applyCheckpointMutation(path.join(run, 'checkpoints', 'last'), m as unknown[]);
        st.copies.push(run);
        return checkpointArgv(cmd, run);
      });
    }),
    { seed: 1203, numRuns: RUNS.checkpoint, endOnFailure: true },
  );
});

test('a sample of the same generators in a real child process: never hangs, bounded peak RSS', async () => {
  const st: CaseState = { copies: [] };
  const lines = fc.sample(commandLine, { seed: 1204, numRuns: RUNS.child }).map(([cmd, flags]) => toArgv(cmd, flags as Flag[], st));
  const ckpts = fc.sample(fc.tuple(checkpointCommand, checkpointMutation), { seed: 1205, numRuns: RUNS.child }).map(([cmd, m]) => {
    const run = copyRun(base, fresh('child-ckpt'));
    applyCheckpointMutation(path.join(run, 'checkpoints', 'last'), m as unknown[]);
    return checkpointArgv(cmd, run);
  });
  const cases = [...lines, ...ckpts].map((argv, i) => ({ name: `case ${i}: ${argv.join(' ')}`, argv }));
  const r = await runCasesInChild(cases, setup.dir, 120_000);
  assert.is(r.hung, null, `the child hung in ${r.hung}`);
  for (const res of r.results) checkOutcome(res, [res.name]);
  assert.is(r.results.length, cases.length);
  assert.ok(r.maxRssKiB! < 1536 * 1024, `peak RSS ${r.maxRssKiB} KiB`);
});

test.run();

/**
 * `npm run bench`: the project's training throughput against the native ceiling, in one run.
 *
 * For `mnist` (6 glimpses of 1x8x8) and `cluttered-mnist` (its default 8 glimpses of 3x12x12) it
 * times the real training step of `rl-run` -- `collectRollout` (runners/collect.ts) on the
 * registry's env (retina included) followed by the registered `reinforce` algorithm's `update` of
 * the registered `ram` agent, B=128 -- and, in alternating rounds on the same machine, the numpy
 * ceiling `../shared/bench/ram_ceiling.py` with matching sizes, and prints project/ceiling. It also
 * measures greedy evaluation throughput (runners/evaluate.ts over test images), retina throughput
 * (bench/retina.ts), peak RSS and `tf.memory().numTensors` before and after (must be flat).
 * Results are printed as a table and written as JSON (default bench/results/latest.json).
 *
 * Usage: `npm run bench -- [--quick] [--backend auto|wasm|cpu|tensorflow] [--rounds N]
 *   [--batches N] [--eval-images N] [--eval-batch N] [--json PATH]`
 */
import { disposeRollout } from '../agents/rollout';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, describeBackend } from '../runners/backend';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';
import { collectRollout } from '../runners/collect';
import { evaluateSplit } from '../runners/evaluate';
import { hashSeed, Rng } from '../envs/rng';
import type { VectorEnv } from '../envs/vector-env';
import type { Agent } from '../agents/agent';
import type { Algorithm } from '../algorithms/algorithm';
import { loadNativeAddon } from '../native/addon';
import { DEFAULT_EVAL_BATCH_SIZE } from '../runners/config';
import { nativeAdamAvailable } from '../tensor/native-adam';
import { fastPathAvailable } from '../agents/ram/fast';
import { benchRetina, type RetinaBenchResult } from './retina';

/** Command-line options of the benchmark. */
export interface BenchOptions {
  quick: boolean;
  backend: string;
  /** Alternating project/ceiling rounds per task. */
  rounds: number;
  /** Timed training batches per round (after warm-up). */
  batches: number;
  /** Test images per evaluation measurement. */
  evalImages: number;
  /** Batch sizes (numEnvs) of the evaluation measurements. */
  evalBatches: number[];
  json: string;
}

/** One training task of the benchmark. */
interface TaskCase {
  env: string;
  kwargs: Record<string, unknown>;
}

const TASKS: TaskCase[] = [
  { env: 'mnist', kwargs: { glimpses: 6 } },
  { env: 'cluttered-mnist', kwargs: {} },
];
const BATCH = 128;
const CEILING = path.resolve(__dirname, '..', '..', 'shared', 'bench', 'ram_ceiling.py');

/** Training-step figures of one task. */
export interface TrainResult {
  env: string;
  glimpses: number;
  scales: number;
  glimpseSize: number;
  batch: number;
  /** Medians over all timed batches (ms). */
  collectMs: number;
  updateMs: number;
  stepMs: number;
  samplesPerSec: number;
  /** Median of the ceiling's per-round medians, or null when it could not run. */
  ceiling: { msPerBatch: number; samplesPerSec: number; rounds: number[] } | null;
  ceilingSkipped?: string;
  /** project samples/s divided by ceiling samples/s (both medians), or null. */
  ratio: number | null;
  /** project/ceiling of each round (same machine state), for the spread. */
  roundRatios: number[];
}

/** Greedy evaluation throughput. */
export interface EvalThroughput {
  env: string;
  batch: number;
  images: number;
  seconds: number;
  imagesPerSec: number;
  accuracy: number;
}

/** Memory figures. */
export interface MemoryResult {
  numTensorsBefore: number;
  numTensorsAfter: number;
  /** numTensors after each round of each task (must not grow). */
  numTensorsPerRound: number[];
  /** RSS (MiB) after each round of each task. */
  rssMiBPerRound: number[];
  peakRssMiB: number;
}

/** Everything the benchmark writes as JSON. */
export interface BenchReport {
  date: string;
  command: string;
  backend: string;
  native: Record<string, unknown> | null;
  /** Which implementation ran: Adam (`native` fused or `tfjs` kernels), RAM act (`fused` or `modular`). */
  paths: { adam: 'native' | 'tfjs'; act: 'fused' | 'modular' };
  node: string;
  cpus: number;
  cpuModel: string;
  loadAverage: number[];
  options: BenchOptions;
  train: TrainResult[];
  eval: EvalThroughput[];
  retina: RetinaBenchResult[];
  memory: MemoryResult;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`bench: ${flag} needs an integer >= 1, got ${JSON.stringify(v)}`);
  return n;
}

/** Parses the command line (see module doc); one-line errors name the bad flag. */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    quick,
    backend: 'auto',
    rounds: quick ? 3 : 7,
    batches: quick ? 4 : 8,
    evalImages: quick ? 2000 : 10000,
    // The runner's default eval batch (rl-run --eval-batch-size), and the training batch for comparison.
    evalBatches: quick ? [DEFAULT_EVAL_BATCH_SIZE] : [BATCH, DEFAULT_EVAL_BATCH_SIZE],
    json: path.join(__dirname, 'results', 'latest.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--quick': break;
      case '--backend': o.backend = next() ?? ''; break;
      case '--rounds': o.rounds = positiveInt(a, next()); break;
      case '--batches': o.batches = positiveInt(a, next()); break;
      case '--eval-images': o.evalImages = positiveInt(a, next()); break;
      case '--eval-batch': o.evalBatches = (next() ?? '').split(',').map((s) => positiveInt(a, s)); break;
      case '--json': o.json = next() ?? ''; break;
      default: throw new Error(`bench: unknown argument '${a}'; allowed: --quick, --backend, --rounds, --batches, --eval-images, --eval-batch, --json`);
    }
  }
  if (!o.json) throw new Error('bench: --json needs a path');
  return o;
}

/** Why the ceiling cannot run here (one line), or null when python3 with numpy and the script are present. */
function ceilingUnavailable(): string | null {
  if (!fs.existsSync(CEILING)) return `${CEILING} is missing (no ../shared checkout): ratios skipped`;
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'python3 with numpy is not available: ratios skipped';
  return null;
}

/** Runs the numpy ceiling once and returns its median ms per batch. */
function runCeiling(glimpses: number, glimpseDim: number, batches: number): number {
  const args = [CEILING, '--batch', String(BATCH), '--glimpses', String(glimpses), '--glimpse-dim', String(glimpseDim), '--batches', String(batches)];
  const r = spawnSync('python3', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`bench: python3 ${args.join(' ')} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const ms = (JSON.parse(line) as { ms_per_batch: number }).ms_per_batch;
  if (!(ms > 0)) throw new Error(`bench: ram_ceiling.py printed no ms_per_batch: ${line}`);
  return ms;
}

function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** Builds env, agent and algorithm the way `rl-run` does (registries, train split). */
function buildTask(task: TaskCase, split: 'train' | 'test', batch: number): { env: VectorEnv; agent: Agent; algo: Algorithm } {
  const c = registryComponents();
  const env = c.makeVector(task.env, batch, splitKwargs(task.kwargs, split));
  const agent = c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, {});
  const algo = c.makeAlgorithm('reinforce', {});
  return { env, agent, algo };
}

/** Times training batches of one task against the ceiling, in alternating rounds. */
function benchTraining(task: TaskCase, o: BenchOptions, ceilingSkip: string | null, mem: MemoryResult): TrainResult {
  const { env, agent, algo } = buildTask(task, 'train', BATCH);
  const kw = env.spec?.kwargs ?? {};
  const glimpses = kw.glimpses as number, scales = kw.scales as number, glimpseSize = kw.glimpseSize as number;
  const rng = new Rng(1);
  const order = rng.permutation(env.numItems ?? BATCH);
  let b = 0;
  // One training batch exactly as train-loop.ts runs it: shuffled items, per-batch env seed.
  const batchOnce = (): [number, number] => {
    const start = (b * BATCH) % (order.length - BATCH);
    const perEnv = Array.from({ length: BATCH }, (_, i) => ({ index: order[start + i] }));
    const t0 = performance.now();
    const { rollout } = collectRollout(env, agent, { greedy: false, rng, reset: { seed: hashSeed(0, 1, b), options: perEnv }, keepActivations: true });
    const t1 = performance.now();
    algo.update(agent, rollout);
    disposeRollout(rollout);
    const t2 = performance.now();
    b++;
    return [t1 - t0, t2 - t1];
  };
  for (let i = 0; i < 5; i++) batchOnce(); // warm-up: JIT, wasm heap growth, Adam slots
  const collect: number[] = [], update: number[] = [], step: number[] = [];
  const ceilingRounds: number[] = [], roundRatios: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const roundSteps: number[] = [];
    for (let i = 0; i < o.batches; i++) {
      const [c, u] = batchOnce();
      collect.push(c);
      update.push(u);
      step.push(c + u);
      roundSteps.push(c + u);
    }
    mem.numTensorsPerRound.push(tf.memory().numTensors);
    mem.rssMiBPerRound.push(rssMiB());
    if (ceilingSkip === null) {
      const ms = runCeiling(glimpses, scales * glimpseSize * glimpseSize, Math.max(5, o.batches * 2));
      ceilingRounds.push(ms);
      roundRatios.push(ms / median(roundSteps));
    }
  }
  const stepMs = median(step);
  const ceilingMs = ceilingRounds.length > 0 ? median(ceilingRounds) : null;
  agent.dispose();
  algo.dispose();
  env.close();
  return {
    env: task.env, glimpses, scales, glimpseSize, batch: BATCH,
    collectMs: median(collect), updateMs: median(update), stepMs, samplesPerSec: (BATCH * 1000) / stepMs,
    ceiling: ceilingMs === null ? null : { msPerBatch: ceilingMs, samplesPerSec: (BATCH * 1000) / ceilingMs, rounds: ceilingRounds },
    ...(ceilingSkip === null ? {} : { ceilingSkipped: ceilingSkip }),
    ratio: ceilingMs === null ? null : ceilingMs / stepMs,
    roundRatios,
  };
}

/** Greedy evaluation throughput over `images` test images with `batch` envs (runners/evaluate.ts). */
function benchEval(task: TaskCase, batch: number, images: number): EvalThroughput {
  const { env, agent, algo } = buildTask(task, 'test', batch);
  evaluateSplit(env, agent, { samples: 0, seed: 1, maxItems: Math.min(images, 2 * batch) }); // warm-up
  const t0 = performance.now();
  const r = evaluateSplit(env, agent, { samples: 0, seed: 1, maxItems: images });
  const seconds = (performance.now() - t0) / 1000;
  agent.dispose();
  algo.dispose();
  env.close();
  return { env: task.env, batch, images: r.total, seconds, imagesPerSec: r.total / seconds, accuracy: r.accuracy };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The readable table printed at the end. */
export function formatReport(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`backend: ${r.backend}${r.native ? ` (GEMM ${r.native.simd}, ${r.native.threads} threads)` : ''}; Adam ${r.paths.adam}, act ${r.paths.act}; ${r.cpus} CPUs (${r.cpuModel}); load ${r.loadAverage.map((x) => x.toFixed(2)).join(' ')}`);
  lines.push('');
  lines.push('training step, B=128 (collect + reinforce update, medians):');
  lines.push(`  ${pad('env', 17)}${pad('glimpses', 16)}${pad('collect ms', 12)}${pad('update ms', 11)}${pad('step ms', 9)}${pad('samples/s', 11)}${pad('ceiling ms', 12)}${pad('ceiling/s', 11)}project/ceiling`);
  for (const t of r.train) {
    const shape = `${t.glimpses} x ${t.scales}x${t.glimpseSize}x${t.glimpseSize}`;
    const ceil = t.ceiling ? [t.ceiling.msPerBatch.toFixed(1), t.ceiling.samplesPerSec.toFixed(0)] : ['-', '-'];
    const ratio = t.ratio === null ? `skipped (${t.ceilingSkipped})` : `${(100 * t.ratio).toFixed(1)}% (rounds ${t.roundRatios.map((x) => (100 * x).toFixed(0)).join(' ')})`;
    lines.push(`  ${pad(t.env, 17)}${pad(shape, 16)}${pad(t.collectMs.toFixed(1), 12)}${pad(t.updateMs.toFixed(1), 11)}${pad(t.stepMs.toFixed(1), 9)}${pad(t.samplesPerSec.toFixed(0), 11)}${pad(ceil[0], 12)}${pad(ceil[1], 11)}${ratio}`);
  }
  lines.push('');
  lines.push('greedy evaluation (runners/evaluate.ts, test split):');
  for (const e of r.eval) lines.push(`  ${pad(e.env, 17)}batch ${pad(String(e.batch), 6)}${e.images} images in ${e.seconds.toFixed(2)} s = ${e.imagesPerSec.toFixed(0)} images/s`);
  lines.push('');
  lines.push('retina (one core, CPU time):');
  for (const x of r.retina) lines.push(`  ${pad(x.name, 28)}${(x.glimpsesPerSec / 1e6).toFixed(2)} M glimpses/s (wall ${(x.wallGlimpsesPerSec / 1e6).toFixed(2)} M/s)`);
  lines.push('');
  const m = r.memory;
  lines.push(`memory: numTensors ${m.numTensorsBefore} before, ${m.numTensorsAfter} after; per round ${[...new Set(m.numTensorsPerRound)].join('/')}; RSS per round ${m.rssMiBPerRound.map((x) => x.toFixed(0)).join(' ')} MiB; peak RSS ${m.peakRssMiB.toFixed(0)} MiB`);
  return lines.join('\n');
}

/** Runs the whole benchmark and returns its report (also written to `options.json`). */
export async function runBench(o: BenchOptions, log: (s: string) => void = () => undefined): Promise<BenchReport> {
  const backend = await initBackend(o.backend);
  const described = describeBackend();
  const addon = backend === 'wasm' ? loadNativeAddon() : null;
  const mem: MemoryResult = { numTensorsBefore: tf.memory().numTensors, numTensorsAfter: 0, numTensorsPerRound: [], rssMiBPerRound: [], peakRssMiB: 0 };
  const ceilingSkip = ceilingUnavailable();
  if (ceilingSkip) log(`note: ${ceilingSkip}`);
  const train: TrainResult[] = [];
  for (const task of TASKS) {
    log(`training ${task.env} ...`);
    train.push(benchTraining(task, o, ceilingSkip, mem));
  }
  const evals: EvalThroughput[] = [];
  for (const task of TASKS) {
    for (const batch of o.evalBatches) {
      log(`evaluating ${task.env} batch ${batch} ...`);
      evals.push(benchEval(task, batch, o.evalImages));
    }
  }
  log('retina ...');
  const retina = await benchRetina({ seconds: o.quick ? 0.3 : 1 });
  mem.numTensorsAfter = tf.memory().numTensors;
  // ru_maxrss is the true peak (kB on Linux), not a sample.
  mem.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const report: BenchReport = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    backend: described,
    native: addon ? (addon.config() as unknown as Record<string, unknown>) : null,
    paths: { adam: nativeAdamAvailable() ? 'native' : 'tfjs', act: fastPathAvailable('rnn') ? 'fused' : 'modular' },
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    loadAverage: os.loadavg(),
    options: o,
    train,
    eval: evals,
    retina,
    memory: mem,
  };
  fs.mkdirSync(path.dirname(path.resolve(o.json)), { recursive: true });
  fs.writeFileSync(o.json, JSON.stringify(report, null, 2) + '\n');
  return report;
}

if (require.main === module) {
  (async () => {
    const o = parseBenchArgs(process.argv.slice(2));
    const report = await runBench(o, (s) => process.stderr.write(s + '\n'));
    console.log(formatReport(report));
    console.log(`\nwritten: ${o.json}`);
  })().catch((e: Error) => {
    // The wasm module's own handler would dump its whole source; report one line instead.
    console.error(e.message);
    process.exit(1);
  });
}

/**
 * `rl-run viz`: everything about one checkpoint in one folder. Loads the checkpoint, plays the
 * first `count` items of a split greedily, and writes the glimpse grid (PNG), the glimpse
 * animation (GIF), the patches of every episode (PNG), the training curves from the run's
 * `metrics.jsonl` (SVG) and `report.html` holding all of them with the run config and test error.
 * A checkpoint inside a run (`<run>/checkpoints/<kind>`) reads the run's `metrics.jsonl`; a
 * checkpoint directory outside a run (a shipped model, `models/<task>`) reads the one beside its
 * `checkpoint.json`. The test error shown is the recorded evaluation of these weights
 * (`rl-run eval --record`, see runners/eval-record.ts) and the training run's own final test score.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Agent } from '../agents/agent';
import type { Env } from '../envs/core';
import { CheckpointError, assertCompatible, readSettledCheckpoint, resolveCheckpointDir } from '../runners/checkpoint';
import { ConfigError } from '../runners/config';
import { assertUsableRunDir } from '../runners/out-dir';
import { openCheckpoint } from '../runners/preflight';
import { readEvalRecord, type EvalRecord } from '../runners/eval-record';
import { splitKwargs } from '../runners/run';
import { evalSeed } from '../runners/train-loop';
import { renderCurvesSvg } from './curves-svg';
import { encodeGif } from './gif';
import { renderGlimpseFrames } from './glimpse-animation';
import { renderGlimpseGrid } from './glimpse-grid';
import { readMetricsJsonl, type RunSeries } from './metrics';
import { renderPatches } from './patches';
import { encodePng } from './png';
import { buildReportHtml } from './report-html';
import { traceEpisodes } from './trace';

/** Splits `rl-run viz --split` accepts (the runner's names). */
export const VIZ_SPLITS = ['test', 'val', 'train'] as const;

/** Options of {@link runViz}. */
export interface RunVizOptions {
  /** A checkpoint directory, or a run directory (then its best, else last, checkpoint). */
  checkpoint: string;
  /** Split whose first `count` items are pictured; default `test`. */
  split?: (typeof VIZ_SPLITS)[number];
  /** Number of episodes (images) pictured; default 16. */
  count?: number;
  /** Output folder; default `<run dir>/viz`, or `<checkpoint dir>-viz` for a checkpoint outside a run. */
  out?: string;
  /** Memory limit in GiB (`--max-memory`; default: see `runners/memory-budget.ts`). */
  maxMemory?: number;
  /** Draw the boxes of every glimpse scale, not only the finest (default false). */
  allScales?: boolean;
  /** Called as the work goes on: `done` of `total` steps, `stage` naming the current one. */
  onProgress?: (p: { done: number; total: number; stage: string }) => void;
}

/** How {@link runViz} builds envs and agents; default the registries. Tests pass their own. */
export interface VizFactories {
  makeEnv(id: string, kwargs: Record<string, unknown>): Env;
  makeAgent(id: string, env: { observationSpace: Env['observationSpace']; actionSpace: Env['actionSpace']; spec?: Env['spec'] }, options: Record<string, unknown>): Agent;
}

/** What {@link runViz} wrote. */
export interface RunVizResult {
  out: string;
  checkpoint: string;
  files: { grid: string; animation: string; patches: string[]; curves: string | null; report: string };
  /** Wrong predictions among the pictured episodes. */
  wrong: number;
  total: number;
  /** Test error shown in the report: the recorded evaluation, else the run's own (`done` event), else null. */
  testError: number | null;
}

function registryComponents(): import('../runners/components').Components {
  // require: see registryFactories.
  return (require('../runners/registries') as typeof import('../runners/registries')).registryComponents();
}

/** Default output folder of a checkpoint: `<run>/viz`, or `<dir>-viz` beside a checkpoint outside a run. */
export function defaultVizOut(checkpointDir: string): string {
  const runDir = runDirOf(checkpointDir);
  return runDir ? path.join(runDir, 'viz') : `${checkpointDir.replace(/[\\/]+$/, '')}-viz`;
}

/** The `metrics.jsonl` of a checkpoint: its run's, else one beside `checkpoint.json`, else null. */
export function metricsFileOf(checkpointDir: string): string | null {
  const runDir = runDirOf(checkpointDir);
  for (const f of [runDir && path.join(runDir, 'metrics.jsonl'), path.join(checkpointDir, 'metrics.jsonl')]) if (f && fs.existsSync(f)) return f;
  return null;
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

/** How a recorded evaluation was measured, in words. */
function describeRecord(r: EvalRecord): string {
  const how = r.samples ? `${r.samples} sampled rollouts averaged per image` : 'greedy locations';
  return `${r.correct}/${r.total} test images right, ${how}; measured by '${r.command}' on ${r.recordedAt.slice(0, 10)} (${r.backend})`;
}

function registryFactories(): VizFactories {
  // require, not import(): a dynamic import goes through the ESM loader, which `node -r tsx/cjs` lacks.
  const envs = require('../envs/index') as typeof import('../envs/index');
  const agents = require('../agents/index') as typeof import('../agents/index');
  return { makeEnv: envs.make, makeAgent: agents.makeAgent };
}

/** The run directory of a checkpoint at `<run>/checkpoints/<kind>`, or null. */
function runDirOf(checkpointDir: string): string | null {
  const abs = path.resolve(checkpointDir);
  return path.basename(path.dirname(abs)) === 'checkpoints' ? path.dirname(path.dirname(abs)) : null;
}

/**
 * Writes the pictures and the report of a checkpoint (see module doc). The tensor backend must be
 * initialised by the caller (`initBackend`). Bad options throw a one-line `ConfigError` (exit
 * code 2 in the CLI) naming the value.
 */
export async function runViz(options: RunVizOptions, factories?: VizFactories): Promise<RunVizResult> {
  const split = options.split ?? 'test';
  if (!VIZ_SPLITS.includes(split)) throw new ConfigError(`--split must be one of ${VIZ_SPLITS.join(', ')}, got '${String(split)}'`);
  const count = options.count ?? 16;
  if (!Number.isInteger(count) || count < 1 || count > 1024) throw new ConfigError(`--count must be an integer in [1, 1024], got ${String(count)}`);
  if (options.out !== undefined) assertUsableRunDir(options.out, '--out');
  // With the registries, the checkpoint is checked against the agent it would build, and the
  // memory bounded, before anything is built (runners/preflight.ts); test factories skip that.
  const ckpt = factories
    ? readSettledCheckpoint(resolveCheckpointDir(options.checkpoint))
    : openCheckpoint(options.checkpoint, registryComponents(), { split, width: count, maxMemory: options.maxMemory }).ckpt;
  const dir = ckpt.dir;
  const out = options.out ?? defaultVizOut(dir);
  const scales = options.allScales ? 'all' : 'finest';
  const STAGES = 6;
  const progress = (done: number, stage: string) => options.onProgress?.({ done, total: STAGES, stage });
  const make = factories ?? registryFactories();
  const kwargs = splitKwargs(ckpt.meta.env.kwargs, split);
  const envs: Env[] = [];
  let agent: Agent | null = null;
  // What the checkpoint asks the factories for is bad input (exit 2), named after the checkpoint.
  const build = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new CheckpointError(`checkpoint ${dir}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
  };
  try {
    envs.push(build(() => make.makeEnv(ckpt.meta.env.id, kwargs)));
    const numItems = envs[0].numItems;
    const n = numItems === undefined ? count : Math.min(count, numItems);
    while (envs.length < n) envs.push(build(() => make.makeEnv(ckpt.meta.env.id, kwargs)));
    agent = build(() => make.makeAgent(ckpt.meta.agent.id, { observationSpace: envs[0].observationSpace, actionSpace: envs[0].actionSpace, spec: envs[0].spec }, { ...ckpt.meta.agent.config }));
    assertCompatible(ckpt, agent.id, agent.getWeights());
    agent.setWeights(ckpt.weights);
    const runSeed = typeof ckpt.meta.run.seed === 'number' ? ckpt.meta.run.seed : 0;
    const indices = Array.from({ length: n }, (_, i) => i);
    progress(0, `playing ${n} episodes`);
    const trace = traceEpisodes(envs, agent, { indices, seed: evalSeed(runSeed, split === 'val' ? 'val' : 'test') });

    fs.mkdirSync(path.join(out, 'patches'), { recursive: true });
    progress(1, 'drawing glimpses.png');
    const gridPng = encodePng(renderGlimpseGrid(trace, { scales }));
    progress(2, 'encoding glimpses.gif');
    const frames = renderGlimpseFrames(trace, { scales });
    const gif = encodeGif(frames, { delayMs: frames.map((_, i) => (i === frames.length - 1 ? 2000 : 500)) });
    progress(3, `drawing ${n} patch pictures`);
    const patchPngs = trace.episodes.map((e) => ({ index: e.index, png: encodePng(renderPatches(trace, e)) }));
    progress(4, 'reading metrics.jsonl');
    const metricsFile = metricsFileOf(dir);
    const series: RunSeries | null = metricsFile ? readMetricsJsonl(metricsFile) : null;
    const svg = series ? renderCurvesSvg(series) : null;
    progress(5, 'writing report.html');

    const files: RunVizResult['files'] = {
      grid: path.join(out, 'glimpses.png'),
      animation: path.join(out, 'glimpses.gif'),
      patches: patchPngs.map((p) => path.join(out, 'patches', `patches-${String(p.index).padStart(4, '0')}.png`)),
      curves: svg ? path.join(out, 'curves.svg') : null,
      report: path.join(out, 'report.html'),
    };
    fs.writeFileSync(files.grid, gridPng);
    fs.writeFileSync(files.animation, gif);
    patchPngs.forEach((p, i) => fs.writeFileSync(files.patches[i], p.png));
    if (svg && files.curves) fs.writeFileSync(files.curves, svg);

    const wrong = trace.episodes.filter((e) => e.prediction !== e.label).length;
    const record = readEvalRecord(dir, 'test', ckpt.meta.weights.sha256);
    const runTest = series?.test ?? null;
    const runTestSamples = typeof series?.config?.evalSamples === 'number' ? series.config.evalSamples : null;
    const testError = record?.error ?? runTest?.error ?? null;
    const testDetail = record
      ? describeRecord(record)
      : runTest
        ? `scored by the training run at its end${runTestSamples === null ? '' : runTestSamples ? ` (${runTestSamples} sampled rollouts)` : ' (greedy locations)'}`
        : null;
    const html = buildReportHtml({
      title: `${ckpt.meta.env.id} / ${ckpt.meta.agent.id} / ${ckpt.meta.algo.id}: where the agent looks`,
      facts: {
        checkpoint: dir,
        epoch: ckpt.meta.counters.epoch,
        'best validation accuracy': ckpt.meta.bestValAccuracy,
        ...(record && runTest ? { 'test error at the end of training': `${pct(runTest.error)}${runTestSamples === null ? '' : runTestSamples ? ` (${runTestSamples} sampled rollouts)` : ' (greedy)'}` } : {}),
        'training log': metricsFile ?? 'none found',
        'pictured split': `${split}, items 0..${n - 1}, greedy locations`,
        glimpses: `${trace.steps} x ${trace.scales} scales of ${trace.glimpseSize}x${trace.glimpseSize} px on ${trace.width}x${trace.height} images`,
      },
      testError,
      testDetail,
      scales,
      sampleError: { wrong, total: n },
      grid: { title: `glimpses of ${n} ${split} images`, mime: 'image/png', bytes: gridPng },
      animation: { title: 'glimpse path, one frame per step, then all steps and the prediction', mime: 'image/gif', bytes: gif },
      patches: patchPngs.map((p) => ({ title: `patches of ${split} image ${p.index}`, mime: 'image/png', bytes: p.png })),
      curves: svg ? { title: 'training curves from metrics.jsonl', mime: 'image/svg+xml', bytes: svg } : null,
      config: { run: ckpt.meta.run, env: ckpt.meta.env, agent: ckpt.meta.agent, algo: ckpt.meta.algo },
    });
    fs.writeFileSync(files.report, html);
    progress(6, 'done');
    return { out, checkpoint: dir, files, wrong, total: n, testError };
  } finally {
    for (const e of envs) e.close();
    agent?.dispose();
  }
}

/**
 * Runs one trial of a sweep to its result, as child `rl-run` processes on the sweep's folder:
 *
 * 1. train: `rl-run --config configs/<id>.json --out trials/<id>`, with `--resume` when the run
 *    directory already holds a started run (an interrupted trial continues from its last
 *    checkpoint), skipped when its `summary.json` says the run completed;
 * 2. the test error both ways: greedy and Monte-Carlo (`mcSamples` sampled rollouts). The run's own
 *    test score covers the mode its `evalSamples` asks for; `rl-run eval --checkpoint trials/<id>`
 *    scores the other one on the same best checkpoint;
 * 3. `results/<id>.json`, written atomically and last: it is the mark of a finished trial.
 *
 * The same function serves the local pool and the queue worker, so a trial gives the same result
 * wherever it runs (training is deterministic per seed, and resume continues the same RNG stream).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from '../atomic-write';
import { ConfigError } from '../config';
import { runChild, type RlRunCommand, type StopRequest } from './child';
import type { TrialPlan } from './spec';

/** The files of one trial inside the sweep folder. */
export interface TrialPaths {
  /** The ordinary run directory (`rl-run --out`). */
  runDir: string;
  /** The run settings handed to `rl-run --config`. */
  config: string;
  /** The finished trial's {@link TrialResult}. */
  result: string;
  /** stdout and stderr of every child process of the trial, appended. */
  log: string;
}

/** Where trial `id` of the sweep in `sweepDir` keeps its files. */
export function trialPaths(sweepDir: string, id: string): TrialPaths {
  return {
    runDir: path.join(sweepDir, 'trials', id),
    config: path.join(sweepDir, 'configs', `${id}.json`),
    result: path.join(sweepDir, 'results', `${id}.json`),
    log: path.join(sweepDir, 'logs', `${id}.log`),
  };
}

/** The measured outcome of a finished trial (`results/<id>.json`). */
export interface TrialResult {
  id: string;
  configId: string;
  label: string;
  seed: number;
  /** Epochs trained and the epoch of the best validation accuracy (whose weights are tested). */
  epochs: number;
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  /** Test items scored. */
  testTotal: number;
  /** Test error of the best checkpoint with greedy locations. */
  testErrorGreedy: number;
  /** Test error of the best checkpoint averaging `mcSamples` sampled rollouts. */
  testErrorMC: number;
  mcSamples: number;
  /** Training seconds summed over the epochs in metrics.jsonl (evaluation excluded; each epoch once, across resumes). */
  trainSeconds: number;
  /** Wall-clock seconds of the attempt that finished the trial (its child processes). */
  attemptSeconds: number;
  /** Validation accuracy per epoch, `[epoch, accuracy]`. */
  valCurve: Array<[number, number]>;
  /** Machine that finished it. */
  host: string;
}

/** A trial that cannot finish; `unrecoverable` when retrying cannot help (bad input, exit 2). */
export class TrialFailure extends Error {
  constructor(message: string, readonly unrecoverable: boolean) {
    super(message);
    this.name = 'TrialFailure';
  }
}

/** What one trial needs; plain JSON, so a queue job can carry it. */
export interface TrialTask {
  /** Absolute sweep folder (on storage every worker shares, at the same path). */
  sweepDir: string;
  trial: TrialPlan;
  mcSamples: number;
}

/** Options of {@link runTrial}. */
export interface TrialRunOptions {
  rlRun: RlRunCommand;
  /** GEMM threads of each child (`GLIMPSE_NATIVE_THREADS`). */
  threads: number;
  stop: StopRequest;
  /** Milliseconds from SIGINT to SIGTERM when stopping a child (default 60 s; see child.ts). */
  stopTimeoutMs?: number;
  /** Progress lines (which step starts). */
  onStep?: (step: string) => void;
}

/** JSON with sorted keys: equal settings give equal text whatever order a file lists them in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Refuses a sweep folder whose trials were started with other settings than the plan gives them
 * (the sweep file was edited): resuming or keeping them would mix two experiments in one table.
 * Trial ids depend on the overrides only, so a changed `base` keeps the ids and is caught here.
 */
export function assertFolderMatches(sweepDir: string, trials: TrialPlan[]): void {
  for (const t of trials) {
    const file = trialPaths(sweepDir, t.id).config;
    if (!fs.existsSync(file)) continue;
    const saved = readJson(file);
    if (saved && canonical(saved) === canonical(t.values)) continue;
    const keys = [...new Set([...Object.keys(saved ?? {}), ...Object.keys(t.values)])];
    const diff = keys.find((k) => canonical(saved?.[k]) !== canonical(t.values[k]));
    throw new ConfigError(
      `sweep folder ${sweepDir} holds trial ${t.id} run with other settings` +
        (diff ? ` ('${diff}' was ${JSON.stringify(saved?.[diff]) ?? 'unset'}, the sweep file now gives ${JSON.stringify(t.values[diff]) ?? 'unset'})` : '') +
        '; give the sweep another --out (or out) or delete that folder',
    );
  }
}

/** Reads a finished trial's result, or null when it has none (not finished, or unreadable). */
export function readTrialResult(sweepDir: string, id: string): TrialResult | null {
  try {
    return JSON.parse(fs.readFileSync(trialPaths(sweepDir, id).result, 'utf8')) as TrialResult;
  } catch {
    return null;
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Epoch seconds and validation accuracies of a run's metrics.jsonl (torn lines skipped). */
function readMetrics(runDir: string): { trainSeconds: number; valCurve: Array<[number, number]> } {
  let text = '';
  try {
    text = fs.readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8');
  } catch {
    return { trainSeconds: 0, valCurve: [] };
  }
  let trainSeconds = 0;
  const valCurve: Array<[number, number]> = [];
  for (const line of text.split('\n')) {
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(line);
    } catch {
      continue;
    }
    if (ev.type === 'epoch' && typeof ev.seconds === 'number') trainSeconds += ev.seconds;
    if (ev.type === 'eval' && ev.split === 'val' && typeof ev.epoch === 'number' && typeof ev.accuracy === 'number') valCurve.push([ev.epoch, ev.accuracy]);
  }
  return { trainSeconds, valCurve };
}

/** Parses the line `rl-run eval` prints: `test accuracy A error E (C/T, greedy|M samples) ...`. */
export function parseEvalLine(stdout: string): { correct: number; total: number; samples: number } | null {
  const m = /^test accuracy \S+ error \S+ \((\d+)\/(\d+), (?:greedy|(\d+) samples)\)/m.exec(stdout);
  return m ? { correct: Number(m[1]), total: Number(m[2]), samples: m[3] === undefined ? 0 : Number(m[3]) } : null;
}

/** How a child's exit turns into a failure (null: it succeeded or was stopped on request). */
function failureOf(step: string, exit: { code: number | null; signal: string | null; stopped: boolean }, log: string): TrialFailure | null {
  if (exit.code === 0) return null;
  if (exit.stopped) return null;
  const how = exit.code === null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new TrialFailure(`${step} ${how}; see ${log}`, exit.code === 2);
}

/** Outcome of {@link runTrial}: a result, or `stopped` when a stop request interrupted it (resumable). */
export type TrialOutcome = { status: 'done'; result: TrialResult; ran: boolean } | { status: 'stopped' };

/** Runs one trial (see module doc); throws {@link TrialFailure} when a child fails. */
export async function runTrial(task: TrialTask, opts: TrialRunOptions): Promise<TrialOutcome> {
  const { sweepDir, trial, mcSamples } = task;
  const done = readTrialResult(sweepDir, trial.id);
  if (done) return { status: 'done', result: done, ran: false };
  const p = trialPaths(sweepDir, trial.id);
  const t0 = Date.now();
  const child = (args: string[]) => runChild(opts.rlRun, args, { log: p.log, stop: opts.stop, env: { GLIMPSE_NATIVE_THREADS: String(opts.threads) }, intMs: opts.stopTimeoutMs });

  fs.mkdirSync(path.dirname(p.config), { recursive: true });
  writeFileAtomic(p.config, JSON.stringify(trial.values, null, 2) + '\n');
  let summary = readJson(path.join(p.runDir, 'summary.json'));
  if (summary?.reason !== 'completed') {
    const started = fs.existsSync(path.join(p.runDir, 'config.json'));
    // A directory without config.json holds nothing of value (killed while creating it).
    const leftover = !started && fs.existsSync(p.runDir) && fs.readdirSync(p.runDir).length > 0;
    const args = ['--config', p.config, '--out', p.runDir, ...(started ? ['--resume'] : leftover ? ['--force'] : [])];
    opts.onStep?.(started ? 'resume training' : 'train');
    const exit = await child(args);
    if (exit.stopped || opts.stop.requested) return { status: 'stopped' };
    const bad = failureOf('training', exit, p.log);
    if (bad) throw bad;
    summary = readJson(path.join(p.runDir, 'summary.json'));
    if (summary?.reason !== 'completed') throw new TrialFailure(`training ended without a completed summary.json in ${p.runDir}; see ${p.log}`, false);
  }

  // The run scored test once, in the mode of its evalSamples; the other mode comes from `rl-run eval`.
  const own = { samples: Number(summary.testSamples ?? 0), total: Number(summary.testTotal), accuracy: Number(summary.testAccuracy) };
  const scores = new Map<number, { correct: number; total: number }>();
  if (Number.isFinite(own.accuracy) && own.total > 0) scores.set(own.samples, { correct: Math.round(own.accuracy * own.total), total: own.total });
  const backend = typeof trial.values.backend === 'string' ? trial.values.backend : 'auto';
  for (const samples of [0, mcSamples]) {
    if (scores.has(samples)) continue;
    opts.onStep?.(samples ? `test, ${samples} samples` : 'test, greedy');
    const exit = await child(['eval', '--checkpoint', p.runDir, '--split', 'test', '--samples', String(samples), '--backend', backend]);
    if (exit.stopped || opts.stop.requested) return { status: 'stopped' };
    const bad = failureOf(`test evaluation (${samples ? `${samples} samples` : 'greedy'})`, exit, p.log);
    if (bad) throw bad;
    const r = parseEvalLine(exit.stdout);
    if (!r || r.samples !== samples) throw new TrialFailure(`rl-run eval printed no test score for ${samples} samples; see ${p.log}`, false);
    scores.set(samples, r);
  }
  const err = (s: { correct: number; total: number }) => 1 - s.correct / s.total;
  const greedy = scores.get(0)!, mc = scores.get(mcSamples)!;
  const metrics = readMetrics(p.runDir);
  const result: TrialResult = {
    id: trial.id,
    configId: trial.configId,
    label: trial.label,
    seed: trial.seed,
    epochs: Number(summary.epoch),
    bestEpoch: (summary.bestEpoch as number | null) ?? null,
    bestValAccuracy: (summary.bestValAccuracy as number | null) ?? null,
    testTotal: greedy.total,
    testErrorGreedy: err(greedy),
    testErrorMC: err(mc),
    mcSamples,
    trainSeconds: metrics.trainSeconds,
    attemptSeconds: (Date.now() - t0) / 1000,
    valCurve: metrics.valCurve,
    host: os.hostname(),
  };
  fs.mkdirSync(path.dirname(p.result), { recursive: true });
  writeFileAtomic(p.result, JSON.stringify(result, null, 2) + '\n');
  return { status: 'done', result, ran: true };
}

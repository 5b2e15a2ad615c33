/**
 * The result of a sweep: per configuration, the mean and standard deviation over its seeds of the
 * best validation accuracy, the greedy and Monte-Carlo test errors and the training time; as a
 * printed table and as `results.json`. The standard deviation is the sample one (n - 1), the usual
 * spread across seeds; it is absent with one seed.
 */
import * as path from 'path';
import { writeFileAtomic } from '../atomic-write';
import type { SweepPlan } from './spec';
import type { TrialResult } from './trial';

/** Mean and sample standard deviation of some numbers (`std` null below two values). */
export interface Stat {
  mean: number | null;
  std: number | null;
  n: number;
}

/** {@link Stat} of `values`. */
export function stat(values: number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: null, std: null, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const v = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(v), n };
}

/** One row of the table: a configuration over its seeds. */
export interface ConfigSummary {
  configId: string;
  label: string;
  /** Seeds finished / planned. */
  finished: number;
  planned: number;
  bestValAccuracy: Stat;
  testErrorGreedy: Stat;
  testErrorMC: Stat;
  trainSeconds: Stat;
}

/** A trial that failed for good. */
export interface TrialFailureRecord {
  id: string;
  error: string;
}

/** What `results.json` holds. */
export interface SweepResults {
  name: string;
  dir: string;
  mcSamples: number;
  seeds: number[];
  /** True when every planned trial finished. */
  complete: boolean;
  configs: ConfigSummary[];
  /** Finished trials, in plan order. */
  trials: TrialResult[];
  failed: TrialFailureRecord[];
}

/** Aggregates finished trials per configuration, in the plan's order. */
export function summarizeSweep(plan: SweepPlan, results: TrialResult[], failed: TrialFailureRecord[] = []): SweepResults {
  const byId = new Map(results.map((r) => [r.id, r]));
  const trials = plan.trials.map((t) => byId.get(t.id)).filter((r): r is TrialResult => r !== undefined);
  const configs = plan.configs.map((c): ConfigSummary => {
    const rs = trials.filter((r) => r.configId === c.id);
    const nums = (f: (r: TrialResult) => number | null) => rs.map(f).filter((v): v is number => typeof v === 'number');
    return {
      configId: c.id,
      label: c.label,
      finished: rs.length,
      planned: plan.trials.filter((t) => t.configId === c.id).length,
      bestValAccuracy: stat(nums((r) => r.bestValAccuracy)),
      testErrorGreedy: stat(nums((r) => r.testErrorGreedy)),
      testErrorMC: stat(nums((r) => r.testErrorMC)),
      trainSeconds: stat(nums((r) => r.trainSeconds)),
    };
  });
  return { name: plan.name, dir: plan.dir, mcSamples: plan.mcSamples, seeds: plan.seeds, complete: trials.length === plan.trials.length, configs, trials, failed };
}

/** `mean ± std` with `digits` decimals of `scale * value` (`-` when there is no value). */
export function formatStat(s: Stat, scale = 1, digits = 2): string {
  if (s.mean === null) return '-';
  const m = (scale * s.mean).toFixed(digits);
  return s.std === null ? m : `${m} ± ${(scale * s.std).toFixed(digits)}`;
}

/**
 * The table of a sweep as plain text, columns padded to their widest cell: best validation
 * accuracy, test error greedy and Monte-Carlo (in %), training seconds; mean ± std over seeds.
 */
export function formatSweepTable(r: SweepResults): string {
  // Short headers keep a two-configuration table within 80 columns (README and --help say what they mean).
  const head = ['config', 'seeds', 'val acc %', 'greedy err %', `MC${r.mcSamples} err %`, 'train s'];
  const rows = r.configs.map((c) => [
    c.label,
    `${c.finished}/${c.planned}`,
    formatStat(c.bestValAccuracy, 100),
    formatStat(c.testErrorGreedy, 100),
    formatStat(c.testErrorMC, 100),
    formatStat(c.trainSeconds, 1, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const f of r.failed) out.push(`FAILED ${f.id}: ${f.error}`);
  return out.join('\n') + '\n';
}

/** Writes `results.json` of the sweep (atomically); returns its path. */
export function writeResultsJson(r: SweepResults): string {
  const file = path.join(r.dir, 'results.json');
  writeFileAtomic(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

/** What a sweep run produced (local or through the queue). */
export interface SweepRunOutcome {
  results: TrialResult[];
  failed: TrialFailureRecord[];
  /** True when a stop request ended it before every trial finished. */
  stopped: boolean;
}

/** One progress line of a finished trial. */
export function describeResult(r: TrialResult): string {
  const val = r.bestValAccuracy === null ? 'n/a' : `${(100 * r.bestValAccuracy).toFixed(2)}%`;
  return `val ${val}, err ${(100 * r.testErrorGreedy).toFixed(2)}% greedy ${(100 * r.testErrorMC).toFixed(2)}% MC${r.mcSamples}, ${r.trainSeconds.toFixed(1)} s`;
}

/**
 * The recorded evaluation of a checkpoint: `rl-run eval --record` writes what it measured to
 * `<checkpoint>/eval-<split>.json` (atomically), like a model card's results. `rl-run viz` shows it
 * in the report (a shipped model's headline test error is such a record: it averages M sampled
 * rollouts, where the training run's own test score in metrics.jsonl was greedy). A record names
 * the sha256 of the weights it scored, so a record left beside other weights is ignored.
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './atomic-write';
import type { EvalResult } from './evaluate';

/** What `rl-run eval --record` stores. */
export interface EvalRecord extends EvalResult {
  /** Split name as the runner calls it (`test`, `val`, `train`). */
  split: string;
  /** Epoch of the checkpoint scored. */
  epoch: number;
  /** sha256 of the checkpoint's weights.bin (ties the record to these weights). */
  weightsSha256: string;
  /** Backend the evaluation ran on. */
  backend: string;
  /** ISO time of the measurement. */
  recordedAt: string;
  /** The command that measured it. */
  command: string;
}

/** Path of the record of `split` in checkpoint directory `dir`. */
export function evalRecordPath(dir: string, split: string): string {
  return path.join(dir, `eval-${split}.json`);
}

/** Writes the record of `rec.split` into checkpoint directory `dir`; returns its path. */
export function writeEvalRecord(dir: string, rec: EvalRecord): string {
  const file = evalRecordPath(dir, rec.split);
  writeFileAtomic(file, JSON.stringify(rec, null, 2) + '\n');
  return file;
}

/**
 * The record of `split` in `dir` when it exists, is well formed and scored weights with sha256
 * `weightsSha256`; otherwise null.
 */
export function readEvalRecord(dir: string, split: string, weightsSha256: string): EvalRecord | null {
  const file = evalRecordPath(dir, split);
  if (!fs.existsSync(file)) return null;
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as EvalRecord;
    if (typeof r.error !== 'number' || typeof r.total !== 'number' || typeof r.samples !== 'number') return null;
    return r.weightsSha256 === weightsSha256 ? r : null;
  } catch {
    return null;
  }
}

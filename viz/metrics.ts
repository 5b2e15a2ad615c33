/**
 * Reads a run's `metrics.jsonl` (one run event per line, as runners/sinks/jsonl.ts writes it) into
 * the series the training curves plot. Only plain JSON is read; viz never imports the runner.
 */
import { readRegularTextFile } from '../io/safe-read';

/** One point of a series. */
export interface Point {
  x: number;
  y: number;
}

/** The series of a run, ready to plot. */
export interface RunSeries {
  /** Per training update: each algorithm metric against the global step. */
  batch: Record<string, Point[]>;
  /** Per epoch: the epoch-mean of each algorithm metric against the epoch. */
  epoch: Record<string, Point[]>;
  /** Per evaluated split (`val`, `test` ...): accuracy against the epoch. */
  evalAccuracy: Record<string, Point[]>;
  /** Updates per epoch (from the start event), to put epochs on the step axis; null if unknown. */
  batchesPerEpoch: number | null;
  /** The resolved run config of the last start event, or null. */
  config: Record<string, unknown> | null;
  /** Test accuracy and error of the final `done` event, or null when the run did not complete. */
  test: { accuracy: number; error: number } | null;
}

function push(into: Record<string, Point[]>, key: string, x: number, y: unknown): void {
  if (typeof y !== 'number' || !Number.isFinite(y)) return;
  (into[key] ??= []).push({ x, y });
}

/**
 * Parses JSONL text. A torn last line (a crash mid-write) is skipped; any other line that is not
 * a JSON object throws one line naming its line number.
 */
export function parseMetricsJsonl(text: string, name = 'metrics.jsonl'): RunSeries {
  const out: RunSeries = { batch: {}, epoch: {}, evalAccuracy: {}, batchesPerEpoch: null, config: null, test: null };
  const lines = text.split('\n');
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) return;
      throw new Error(`${name} line ${i + 1} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof ev !== 'object' || ev === null) throw new Error(`${name} line ${i + 1} must be a JSON object, got ${JSON.stringify(ev)}`);
    const metrics = (typeof ev.metrics === 'object' && ev.metrics !== null ? ev.metrics : {}) as Record<string, unknown>;
    switch (ev.type) {
      case 'start':
        if (typeof ev.batchesPerEpoch === 'number') out.batchesPerEpoch = ev.batchesPerEpoch;
        if (typeof ev.config === 'object' && ev.config !== null) out.config = ev.config as Record<string, unknown>;
        break;
      case 'batch':
        if (typeof ev.step === 'number') for (const [k, v] of Object.entries(metrics)) push(out.batch, k, ev.step, v);
        break;
      case 'epoch':
        if (typeof ev.epoch === 'number') for (const [k, v] of Object.entries(metrics)) push(out.epoch, k, ev.epoch, v);
        break;
      case 'eval':
        if (typeof ev.epoch === 'number' && typeof ev.split === 'string') push(out.evalAccuracy, ev.split, ev.epoch, ev.accuracy);
        break;
      case 'done':
        if (typeof ev.testAccuracy === 'number' && typeof ev.testError === 'number') out.test = { accuracy: ev.testAccuracy, error: ev.testError };
        break;
    }
  });
  return out;
}

/** Largest `metrics.jsonl` read (a 200-epoch mnist run writes about 50 MB). */
export const MAX_METRICS_BYTES = 1024 * 1024 * 1024;

/**
 * Reads and parses a `metrics.jsonl` file; one-line error when it cannot be read (only a regular
 * file of at most 1 GiB is read: a FIFO or device in a run directory cannot block `viz`).
 */
export function readMetricsJsonl(file: string): RunSeries {
  return parseMetricsJsonl(readRegularTextFile(file, { what: 'metrics file', maxBytes: MAX_METRICS_BYTES }), file);
}

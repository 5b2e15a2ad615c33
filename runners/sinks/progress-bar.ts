/**
 * Console progress of a training run. One status line (see {@link LiveLine}: redrawn in place and
 * fitted to the terminal width on a terminal; a plain line every 10 s elsewhere) with the epoch
 * and batch, a bar, samples/s, the running means of the epoch's metrics, and elapsed time and ETA
 * for the epoch and for the whole run; during validation and test the same line shows the
 * evaluation's progress. Start, epoch, evaluation and best-checkpoint lines are always printed.
 */
import type { Observer } from 'rxjs';
import type { RunEvent, StartEvent } from '../events';
import { bar, formatDuration, formatRate, fitLine, metricForms, type Field } from './fit-line';
import { LiveLine, type LiveLineOptions, type ProgressStream } from './live-line';

export type { ProgressStream } from './live-line';

/** Metrics shown first (most telling), in this order; the others follow in the event's order. */
const FIRST_METRICS = ['accuracy', 'loss', 'reward'];

function orderedMetrics(metrics: Record<string, number>): string[] {
  const names = Object.keys(metrics);
  return [...FIRST_METRICS.filter((k) => k in metrics), ...names.filter((k) => !FIRST_METRICS.includes(k))];
}

/** Fields shared by the training and evaluation status: the bar, elapsed/ETA of the part and of the run. */
function timeFields(partLabel: string, elapsed: number, eta: number | null, runElapsed: number, runEta: number | null): Field[] {
  return [
    { forms: [`${partLabel} ${formatDuration(elapsed)} ETA ${formatDuration(eta)}`, `ETA ${formatDuration(eta)}`], priority: 1 },
    { forms: [`run ${formatDuration(runElapsed)} ETA ${formatDuration(runEta)}`, `run ETA ${formatDuration(runEta)}`], priority: 2 },
  ];
}

function barField(fraction: number): Field {
  return { forms: [], priority: 8, flex: { min: 8, max: 32, render: (cells) => bar(fraction, cells) } };
}

/** The progress sink: run events in, the live status out; see {@link progressSink}. */
export interface ProgressSink extends Partial<Observer<RunEvent>> {
  /** The terminal echoed `chars` characters after the status (Ctrl-C's `^C`): see {@link LiveLine.noteEcho}. */
  noteEcho(chars: number): void;
}

/** Options of {@link progressSink} (tests: a clock and the plain-line interval). */
export type ProgressOptions = LiveLineOptions;

/** A subscriber printing progress to `stream` (default stderr); see module doc. */
export function progressSink(stream: ProgressStream = process.stderr, options: ProgressOptions = {}): ProgressSink {
  const now = options.now ?? Date.now;
  const live = new LiveLine(stream, options);
  let start: StartEvent | null = null;
  let runStart = now();
  // Training speed in this process: wall seconds of batches (evaluation excluded) and their count.
  let trainWall = 0;
  let batchesRun = 0;
  let epochStart = now();
  let lastBatchAt = now();
  let sums: Record<string, number> = {};
  let valSeconds: number | null = null;
  let evalSecondsPerItem: number | null = null;

  /** Seconds of evaluation still to come after the current point: validations of later epochs and the test. */
  const evalLeft = (epochsAfter: number, includeTest: boolean): number => {
    const items = start?.evalItems ?? {};
    const val = valSeconds ?? (evalSecondsPerItem !== null && items.val ? evalSecondsPerItem * items.val : 0);
    const test = includeTest && evalSecondsPerItem !== null && items.test ? evalSecondsPerItem * items.test : 0;
    return epochsAfter * val + test;
  };
  const secPerBatch = () => (batchesRun > 0 ? trainWall / batchesRun : null);

  return {
    next(ev) {
      switch (ev.type) {
        case 'start': {
          start = ev;
          runStart = now();
          // Which backend runs and why (issue 18), before the run's own line.
          if (ev.backendReason) live.print(`rl-run: backend ${ev.backend}: ${ev.backendReason}`);
          const evalNote = ev.evalItems ? `; scores ${ev.evalItems.val ?? 0} validation items per epoch and ${ev.evalItems.test ?? 0} test items at the end` : '';
          const M = typeof ev.config.replicas === 'number' ? ev.config.replicas : 1;
          const replicaNote = M > 1 ? ` (${ev.batchSize / M} images x ${M} replicas)` : '';
          live.print(`rl-run: ${ev.resumed ? 'resuming' : 'training'} ${ev.config.env}/${ev.config.agent}/${ev.config.algo} on backend ${ev.backend}: epochs ${ev.startEpoch}..${ev.epochs}, ${ev.batchesPerEpoch} batches of ${ev.batchSize}${replicaNote}, ${ev.numParams} parameters${evalNote} -> ${ev.runDir}`);
          break;
        }
        case 'batch': {
          const t = now();
          if (ev.batch === 1) {
            epochStart = t - ev.seconds * 1000;
            lastBatchAt = epochStart;
            sums = {};
          }
          trainWall += (t - lastBatchAt) / 1000;
          batchesRun++;
          lastBatchAt = t;
          for (const [k, v] of Object.entries(ev.metrics)) sums[k] = (sums[k] ?? 0) + v;
          const running: Record<string, number> = {};
          for (const k of Object.keys(sums)) running[k] = sums[k] / ev.batch;
          const epochs = start?.epochs ?? ev.epoch;
          const batchSize = start?.batchSize ?? 0;
          const elapsed = (t - epochStart) / 1000;
          // The current epoch's pace once it has a few batches, the run's pace before that.
          const pace = ev.batch >= 3 || secPerBatch() === null ? elapsed / ev.batch : secPerBatch()!;
          const epochEta = (ev.batchesPerEpoch - ev.batch) * pace;
          const runEta = epochEta + (epochs - ev.epoch) * ev.batchesPerEpoch * pace + evalLeft(epochs - ev.epoch + 1, true);
          const names = orderedMetrics(running);
          const fields: Field[] = [
            { forms: [`epoch ${ev.epoch}/${epochs}`, `e${ev.epoch}/${epochs}`], priority: 0 },
            { forms: [`batch ${ev.batch}/${ev.batchesPerEpoch}`, `${ev.batch}/${ev.batchesPerEpoch}`], priority: 0 },
            ...(live.tty ? [barField(ev.batch / ev.batchesPerEpoch)] : []),
            { forms: [`${Math.floor((100 * ev.batch) / ev.batchesPerEpoch)}%`], priority: 9 },
            { forms: [`${formatRate((ev.batch * batchSize) / Math.max(1e-3, elapsed))} samples/s`, `${formatRate((ev.batch * batchSize) / Math.max(1e-3, elapsed))}/s`], priority: 3 },
            ...names.map((k, i): Field => ({ forms: metricForms(k, running[k]), priority: i < 2 ? 4 + i : 10 + i })),
            ...timeFields('epoch', elapsed, epochEta, (t - runStart) / 1000, runEta),
          ];
          live.update((w) => fitLine(fields, w));
          break;
        }
        case 'epoch': {
          // On a terminal the epoch's line fits its width too (minor metrics give way; metrics.jsonl has them all).
          const rate = start ? formatRate((start.batchSize * (start.batchesPerEpoch || 0)) / Math.max(1e-3, ev.seconds)) : null;
          const names = orderedMetrics(ev.metrics);
          const fields: Field[] = [
            { forms: [`epoch ${ev.epoch}/${ev.epochs} done in ${formatDuration(ev.seconds)}`], priority: 0 },
            ...(rate ? [{ forms: [`(${rate} samples/s)`], priority: 3 }] : []),
            ...names.map((k, i): Field => ({ forms: metricForms(k, ev.metrics[k]), priority: i < 2 ? 4 + i : 10 + i })),
          ];
          live.printFitted((w) => fitLine(fields, w));
          break;
        }
        case 'evalProgress': {
          const t = now();
          const epochs = start?.epochs ?? ev.epoch;
          const eta = ev.fraction > 0 ? (ev.seconds * (1 - ev.fraction)) / ev.fraction : null;
          const left = ev.split === 'val' ? evalLeft(epochs - ev.epoch, true) + (epochs - ev.epoch) * (start?.batchesPerEpoch ?? 0) * (secPerBatch() ?? 0) : 0;
          const fields: Field[] = [
            { forms: [`epoch ${ev.epoch}/${epochs}`, `e${ev.epoch}/${epochs}`], priority: 0 },
            { forms: [`${ev.split === 'val' ? 'validation' : ev.split} ${ev.done}/${ev.total}`, `${ev.split} ${ev.done}/${ev.total}`], priority: 0 },
            ...(live.tty ? [barField(ev.fraction)] : []),
            { forms: [`${Math.floor(100 * ev.fraction)}%`], priority: 9 },
            { forms: [`${formatRate((ev.fraction * ev.total) / Math.max(1e-3, ev.seconds))} images/s`, `${formatRate((ev.fraction * ev.total) / Math.max(1e-3, ev.seconds))}/s`], priority: 3 },
            ...timeFields(ev.split === 'val' ? 'validation' : ev.split, ev.seconds, eta, (t - runStart) / 1000, eta === null ? null : eta + left),
          ];
          live.update((w) => fitLine(fields, w));
          break;
        }
        case 'eval':
          if (ev.split === 'val') valSeconds = ev.seconds;
          if (ev.total > 0) evalSecondsPerItem = ev.seconds / ev.total;
          live.print(`epoch ${ev.epoch} ${ev.split === 'val' ? 'validation' : ev.split}: accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.total}${ev.samples ? `, ${ev.samples} samples` : ', greedy'}) in ${formatDuration(ev.seconds)}`);
          break;
        case 'checkpoint':
          // `last` is rewritten every epoch (metrics.jsonl records it); a new best is news.
          if (ev.kind === 'best') live.print(`epoch ${ev.epoch}: best so far, saved ${ev.path}`);
          break;
        case 'done':
          live.close();
          break;
      }
    },
    error() {
      live.close();
    },
    complete() {
      live.close();
    },
    noteEcho(chars) {
      live.noteEcho(chars);
    },
  };
}

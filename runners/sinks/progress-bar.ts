/**
 * Console progress: on a TTY one line redrawn in place (epoch, bar, batch, chosen metrics,
 * speed); elsewhere (CI, pipes, files) plain lines every ~10% of an epoch. Epoch, evaluation and
 * checkpoint lines are always printed.
 */
import type { Observer } from 'rxjs';
import type { RunEvent } from '../events';

/** Where progress goes; `isTTY` decides between a live bar and plain lines. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

function fmt(metrics: Record<string, number>, keys?: string[]): string {
  const names = keys ?? Object.keys(metrics);
  return names
    .filter((k) => k in metrics)
    .map((k) => `${k} ${Math.abs(metrics[k]) >= 1000 || (metrics[k] !== 0 && Math.abs(metrics[k]) < 1e-3) ? metrics[k].toExponential(2) : metrics[k].toFixed(4)}`)
    .join('  ');
}

/** A subscriber printing progress to `stream` (default stderr). */
export function progressSink(stream: ProgressStream = process.stderr): Partial<Observer<RunEvent>> {
  const tty = !!stream.isTTY && !process.env.CI;
  let barShown = false;
  let epochStart = Date.now();
  const clear = () => {
    if (barShown) stream.write('\r\x1b[K');
    barShown = false;
  };
  const line = (s: string) => {
    clear();
    stream.write(s + '\n');
  };
  return {
    next(ev) {
      switch (ev.type) {
        case 'start':
          line(`rl-run: backend ${ev.backend}: ${ev.backendReason}`);
          line(`rl-run: ${ev.resumed ? 'resuming' : 'training'} ${ev.config.env}/${ev.config.agent}/${ev.config.algo} on backend ${ev.backend}: epochs ${ev.startEpoch}..${ev.epochs}, ${ev.batchesPerEpoch} batches of ${ev.batchSize}, ${ev.numParams} parameters -> ${ev.runDir}`);
          epochStart = Date.now();
          break;
        case 'batch': {
          if (ev.batch === 1) epochStart = Date.now() - ev.seconds * 1000;
          const rate = ev.batch / Math.max(1e-3, (Date.now() - epochStart) / 1000);
          const text = `epoch ${ev.epoch} ${ev.batch}/${ev.batchesPerEpoch}  ${fmt(ev.metrics)}  ${rate.toFixed(2)} batch/s`;
          if (tty) {
            const width = 20;
            const filled = Math.round((width * ev.batch) / ev.batchesPerEpoch);
            stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`);
            barShown = true;
          } else {
            const every = Math.max(1, Math.round(ev.batchesPerEpoch / 10));
            if (ev.batch % every === 0 || ev.batch === ev.batchesPerEpoch) line(text);
          }
          break;
        }
        case 'epoch':
          line(`epoch ${ev.epoch}/${ev.epochs} done in ${ev.seconds.toFixed(1)} s  ${fmt(ev.metrics)}`);
          break;
        case 'eval':
          line(`epoch ${ev.epoch} ${ev.split}: accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.total}${ev.samples ? `, ${ev.samples} samples` : ', greedy'}) in ${ev.seconds.toFixed(1)} s`);
          break;
        case 'checkpoint':
          line(`epoch ${ev.epoch}: saved ${ev.kind} checkpoint ${ev.path}`);
          break;
        case 'done':
          clear();
          break;
      }
    },
    error() {
      clear();
    },
    complete() {
      clear();
    },
  };
}

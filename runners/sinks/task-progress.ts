/**
 * Progress of one long piece of work outside training (`rl-run eval` scoring a split, `rl-run viz`
 * playing and drawing episodes), on the same {@link LiveLine} as training: in place on a terminal,
 * a plain line every 10 s elsewhere, with done/total, a bar, the rate, elapsed time and ETA.
 */
import { bar, fitLine, formatDuration, formatRate, type Field } from './fit-line';
import { LiveLine, type LiveLineOptions, type ProgressStream } from './live-line';

/** A progress display for one task; call {@link TaskProgress.close} when it ends. */
export interface TaskProgress {
  /**
   * Reports progress: `done` of `total` units (`unit`: images, episodes ...), `fraction` of the
   * work in [0, 1] (default done/total), `stage` a word on what is running now.
   */
  update(p: { done: number; total: number; fraction?: number; stage?: string }): void;
  /** Removes the status line. */
  close(): void;
}

/** A {@link TaskProgress} labelled `label` (e.g. `eval test`) counting `unit`s, on `stream`. */
export function taskProgress(stream: ProgressStream, label: string, unit: string, options: LiveLineOptions = {}): TaskProgress {
  const now = options.now ?? Date.now;
  const t0 = now();
  const live = new LiveLine(stream, options);
  return {
    update({ done, total, fraction, stage }) {
      const f = fraction ?? (total > 0 ? done / total : 1);
      const elapsed = (now() - t0) / 1000;
      const eta = f > 0 ? (elapsed * (1 - f)) / f : null;
      const rate = formatRate((f * total) / Math.max(1e-3, elapsed));
      const fields: Field[] = [
        { forms: [`${label}${stage ? `: ${stage}` : ''}`, label], priority: 0 },
        { forms: [`${done}/${total} ${unit}`, `${done}/${total}`], priority: 0 },
        ...(live.tty ? [{ forms: [], priority: 8, flex: { min: 8, max: 32, render: (cells: number) => bar(f, cells) } }] : []),
        { forms: [`${Math.floor(100 * f)}%`], priority: 4 },
        { forms: [`${rate} ${unit}/s`, `${rate}/s`], priority: 3 },
        { forms: [`elapsed ${formatDuration(elapsed)} ETA ${formatDuration(eta)}`, `ETA ${formatDuration(eta)}`], priority: 1 },
      ];
      live.update((w) => fitLine(fields, w));
    },
    close() {
      live.close();
    },
  };
}

/**
 * `metrics.jsonl`: one JSON line per run event, appended and fsynced as it happens, so a crash
 * loses at most the line being written. On resume the file is continued: lines of the epochs that
 * will be redone, the `done` line of the stopped process (and a torn last line) are dropped first,
 * so the file reads like one unbroken run.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Observer } from 'rxjs';
import { WriteError, appendLineSynced, asWriteError, writeFileAtomic } from '../atomic-write';
import type { RunEvent } from '../events';

/** Keeps the complete lines of `text` that belong to epochs before `startEpoch`, except `done` lines. */
export function truncateToEpoch(text: string, startEpoch: number): string {
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let ev: { epoch?: unknown; type?: unknown };
    try {
      ev = JSON.parse(line);
    } catch {
      continue; // torn write from a crash
    }
    if (typeof ev.epoch === 'number' && ev.epoch >= startEpoch) continue;
    // The end of the stopped process: the resumed run writes its own.
    if (ev.type === 'done') continue;
    kept.push(line);
  }
  return kept.length ? kept.join('\n') + '\n' : '';
}

/** A subscriber writing `<runDir>/metrics.jsonl` (the run dir comes from the start event). */
export function jsonlSink(): Partial<Observer<RunEvent>> {
  let file: string | null = null;
  return {
    next(ev) {
      if (ev.type === 'start') {
        file = path.join(ev.runDir, 'metrics.jsonl');
        const log = file;
        if (ev.resumed && fs.existsSync(log)) {
          const text = asWriteError(`continue ${log}`, () => {
            // A device or FIFO in its place would be read forever.
            if (!fs.statSync(log).isFile()) throw new WriteError(`cannot continue ${log}: it is not a regular file`);
            return fs.readFileSync(log, 'utf8');
          });
          writeFileAtomic(log, truncateToEpoch(text, ev.startEpoch));
        }
      }
      // Progress of an evaluation is for displays; the log keeps its result (the `eval` event).
      if (file && ev.type !== 'evalProgress') appendLineSynced(file, JSON.stringify({ time: new Date().toISOString(), ...ev }));
    },
  };
}

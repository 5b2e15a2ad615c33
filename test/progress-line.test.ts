/**
 * The console progress: the status line fits every terminal width (fields abbreviated, then
 * dropped by priority; never wrapped), follows terminal resizes, and without a terminal prints a
 * plain line by the clock (every 10 s), not every N batches. Events are fed by hand with a fake
 * clock; the real terminal is checked in tmux by test/terminal-tmux.test.ts.
 */
import { EventEmitter } from 'events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunEvent, StartEvent } from '../runners/events';
import { fitLine, formatDuration, type Field } from '../runners/sinks/fit-line';
import { plainIntervalMs } from '../runners/sinks/live-line';
import { progressSink } from '../runners/sinks/progress-bar';
import { taskProgress } from '../runners/sinks/task-progress';

const test = suite('progress-line');

/** A fake terminal: records writes, has `columns`, emits 'resize'. */
class FakeTty extends EventEmitter {
  isTTY = true;
  columns: number;
  out = '';
  constructor(columns: number) {
    super();
    this.columns = columns;
  }
  write(s: string) {
    this.out += s;
    return true;
  }
  /** Each status draw: the text after the last cursor-control sequence of each write that redraws. */
  draws(): string[] {
    return this.out
      .split('\r')
      .slice(1)
      .map((d) => d.replace(/^(\x1b\[[?\d]*[A-Za-z])+/, '').replace(/\x1b\[\?7h$/, ''))
      .filter((d) => d.length > 0 && !d.includes('\n'));
  }
}

class FakePipe {
  out = '';
  write(s: string) {
    this.out += s;
    return true;
  }
}

function startEvent(over: Partial<StartEvent> = {}): StartEvent {
  return { type: 'start', runDir: 'runs/x', backend: 'wasm', backendReason: 'asked for with --backend wasm', config: { env: 'mnist', agent: 'ram', algo: 'reinforce' }, startEpoch: 1, epochs: 10, batchesPerEpoch: 859, batchSize: 64, numParams: 1000, resumed: false, evalItems: { val: 5000, test: 10000 }, ...over };
}

const METRICS = { loss: 1.2345, nll: 1.1, reinforce: -0.0123, baselineMse: 0.15, reward: 0.55, accuracy: 0.55, baseline: 0.5, gradNorm: 1.6, lr: 0.001 };

function batch(epoch: number, b: number, n = 859): RunEvent {
  return { type: 'batch', epoch, batch: b, batchesPerEpoch: n, step: (epoch - 1) * n + b, metrics: METRICS, seconds: 0.05 };
}

test('fitLine: never wider than the width; abbreviates before dropping; priority-0 fields stay', () => {
  const fields: Field[] = [
    { forms: ['epoch 3/10', 'e3/10'], priority: 0 },
    { forms: ['batch 120/859', '120/859'], priority: 0 },
    { forms: [], priority: 8, flex: { min: 8, max: 30, render: (n) => '#'.repeat(n) } },
    { forms: ['accuracy 0.8123', 'acc 0.8123'], priority: 4 },
    { forms: ['812 samples/s', '812/s'], priority: 3 },
    { forms: ['epoch 12s ETA 43s', 'ETA 43s'], priority: 1 },
  ];
  for (let w = 10; w <= 250; w++) {
    const line = fitLine(fields, w);
    assert.ok(line.length <= w, `width ${w}: ${line}`);
    if (w >= 16) assert.match(line, /e(poch )?3\/10/);
  }
  assert.is(fitLine(fields, 200), `epoch 3/10  batch 120/859  ${'#'.repeat(30)}  accuracy 0.8123  812 samples/s  epoch 12s ETA 43s`);
  // At 60 the bar goes first (priority 8) but the ETA (priority 1) stays.
  const at60 = fitLine(fields, 60);
  assert.not.match(at60, /#/);
  assert.match(at60, /ETA 43s/);
  assert.is(fitLine(fields, Infinity).includes('#'.repeat(30)), true);
});

test('formatDuration', () => {
  assert.is(formatDuration(42.4), '42s');
  assert.is(formatDuration(185), '3m05s');
  assert.is(formatDuration(3720), '1h02m');
  assert.is(formatDuration(null), '?');
  assert.is(formatDuration(Infinity), '?');
});

test('terminal: every draw fits the current width, also after resizes; ETA, speed and metrics shown', () => {
  let t = 0;
  const tty = new FakeTty(80);
  const sink = progressSink(tty, { now: () => t, tty: true });
  sink.next!(startEvent());
  const widths: number[] = [];
  for (let b = 1; b <= 40; b++) {
    t += 50;
    if (b === 15) tty.columns = 200;
    if (b === 25) {
      tty.columns = 50;
      tty.emit('resize');
    }
    if (b === 32) tty.columns = 30;
    sink.next!(batch(1, b));
    widths.push(tty.columns);
  }
  const draws = tty.draws();
  assert.ok(draws.length >= 40, `${draws.length} draws`);
  for (const d of draws) assert.ok(d.length <= 199, `draw of ${d.length}: ${d}`);
  const at80 = draws.find((d) => d.includes('batch 6/859'))!, at200 = draws.find((d) => d.includes('batch 16/859'))!, at30 = draws[draws.length - 1];
  assert.ok(at80.length <= 79 && at80.length > 60, at80);
  assert.match(at80, /^epoch 1\/10  batch 6\/859 /);
  assert.match(at80, /ETA/);
  assert.ok(at200.length <= 199, at200);
  for (const part of ['epoch 1/10', 'batch 16/859', 'samples/s', 'accuracy 0.5500', 'loss 1.2345', 'epoch 1s ETA', 'run ', '[.']) assert.ok(at200.includes(part), `${part} in ${at200}`);
  assert.ok(at30.length <= 29, at30);
  assert.match(at30, /^e1\/10  40\/859  /);
  // The resize redrew at once (a draw without a new batch event) at the new width.
  const resized = draws.find((d) => d.includes(' 24/859') && d.length <= 49);
  assert.ok(resized, 'redrawn on resize');
  assert.is(tty.listenerCount('resize'), 1);
  // After the shrink from 200 to 50 the old, longer line may have been re-flowed onto rows: each is
  // erased with EL; ED never appears (at the top of a tmux pane it scrolls the screen into history).
  assert.match(tty.out, /\r\x1b\[\dA(\x1b\[2K\x1b\[1B)+\x1b\[2K\x1b\[\dA/);
  assert.not.ok(tty.out.includes('\x1b[J'), 'no erase-display');
  sink.complete!();
  assert.is(tty.listenerCount('resize'), 0, 'stops listening when the run ends');
});

test("terminal: Ctrl-C's echoed ^C after a full-width status makes the next erase clear both rows", () => {
  let t = 0;
  const tty = new FakeTty(80);
  const sink = progressSink(tty, { now: () => t, tty: true });
  sink.next!(startEvent());
  for (let b = 1; b <= 3; b++) {
    t += 50;
    sink.next!(batch(1, b));
  }
  const status = tty.draws().pop()!;
  tty.out = '';
  sink.noteEcho(2);
  sink.next!({ type: 'done', reason: 'stopped', epoch: 0, bestValAccuracy: null, bestEpoch: null, testAccuracy: null, testError: null, secondsPerEpoch: null, seconds: 1 });
  // The status is drawn to the usable width (79 of 80), so 79 + 2 characters wrapped at 80 columns:
  // up one row, erase both, back up.
  assert.is(status.length, 79, status);
  assert.is(tty.out, '\r\x1b[1A\x1b[2K\x1b[1B\x1b[2K\x1b[1A');
});

test('terminal: evaluation progress on the same line; permanent lines printed above it', () => {
  let t = 0;
  const tty = new FakeTty(80);
  const sink = progressSink(tty, { now: () => t, tty: true });
  sink.next!(startEvent({ batchesPerEpoch: 10 }));
  for (let b = 1; b <= 10; b++) sink.next!(batch(1, b, 10));
  sink.next!({ type: 'epoch', epoch: 1, epochs: 10, metrics: METRICS, seconds: 1 });
  t += 2000;
  sink.next!({ type: 'evalProgress', epoch: 1, split: 'val', done: 2000, total: 5000, fraction: 0.4, seconds: 2 });
  const last = tty.draws().pop()!;
  assert.match(last, /^epoch 1\/10  validation 2000\/5000 /);
  assert.match(last, /ETA 3s/);
  assert.ok(last.length <= 79);
  sink.next!({ type: 'eval', epoch: 1, split: 'val', accuracy: 0.9, error: 0.1, correct: 4500, total: 5000, samples: 0, seconds: 5 });
  sink.next!({ type: 'checkpoint', epoch: 1, kind: 'best', path: 'runs/x/checkpoints/best' });
  sink.next!({ type: 'checkpoint', epoch: 1, kind: 'last', path: 'runs/x/checkpoints/last' });
  const epochLine = tty.out.match(/epoch 1\/10 done in 1s[^\n]*/)![0];
  assert.ok(epochLine.length <= 79, `the epoch line fits the terminal too: ${epochLine}`);
  assert.match(epochLine, /accuracy 0\.5500  loss 1\.2345/);
  assert.match(tty.out, /epoch 1 validation: accuracy 90\.00% \(4500\/5000, greedy\) in 5s\n/);
  assert.match(tty.out, /epoch 1: best so far, saved runs\/x\/checkpoints\/best\n/);
  assert.not.match(tty.out, /checkpoints\/last/, 'the every-epoch last checkpoint is not news');
});

test('not a terminal: a plain line every 10 s of the clock (not every N batches), with ETA and speed', () => {
  let t = 0;
  const pipe = new FakePipe();
  const sink = progressSink(pipe, { now: () => t, tty: false, intervalMs: 10_000 });
  sink.next!(startEvent({ batchesPerEpoch: 100, epochs: 2 }));
  // 100 batches of 0.35 s: 35 s -> status lines at 10, 20 and 30 s; then the epoch line.
  for (let b = 1; b <= 100; b++) {
    t += 350;
    sink.next!(batch(1, b, 100));
  }
  sink.next!({ type: 'epoch', epoch: 1, epochs: 2, metrics: METRICS, seconds: 35 });
  const lines = pipe.out.trimEnd().split('\n');
  const status = lines.filter((l) => l.startsWith('epoch 1/2  batch'));
  assert.is(status.length, 3, pipe.out);
  assert.ok(!pipe.out.includes('\r') && !pipe.out.includes('\x1b'), 'no terminal control in a pipe');
  assert.match(status[0], /^epoch 1\/2  batch 29\/100  29%  \S+ samples\/s  accuracy 0\.5500  loss 1\.2345  reward 0\.5500 .* epoch 10s ETA 2\ds  run 10s ETA /);
  assert.match(lines[lines.length - 1], /^epoch 1\/2 done in 35s/);
  // Fast epochs: one status line per 10 s whatever the batch count.
  const pipe2 = new FakePipe();
  const sink2 = progressSink(pipe2, { now: () => t, tty: false, intervalMs: 10_000 });
  sink2.next!(startEvent({ batchesPerEpoch: 5000 }));
  for (let b = 1; b <= 5000; b++) {
    t += 1;
    sink2.next!(batch(1, b, 5000));
  }
  assert.is(pipe2.out.split('\n').filter((l) => l.startsWith('epoch 1/10  batch')).length, 0, 'five seconds of batches: no status line yet');
});

test('RL_RUN_PROGRESS_SECONDS sets the plain-line interval', () => {
  assert.is(plainIntervalMs({}), 10_000);
  assert.is(plainIntervalMs({ RL_RUN_PROGRESS_SECONDS: '0' }), 0);
  assert.is(plainIntervalMs({ RL_RUN_PROGRESS_SECONDS: '2.5' }), 2500);
  assert.is(plainIntervalMs({ RL_RUN_PROGRESS_SECONDS: 'soon' }), 10_000);
});

test('taskProgress (eval, viz): fits the terminal, ETA from the fraction done', () => {
  let t = 0;
  const tty = new FakeTty(120);
  const p = taskProgress(tty, 'eval test (50 samples)', 'images', { now: () => t, tty: true });
  t = 30_000;
  p.update({ done: 3000, total: 10000, fraction: 0.3 });
  const d = tty.draws().pop()!;
  assert.ok(d.length <= 119, d);
  assert.match(d, /^eval test \(50 samples\)  3000\/10000 images  \[#+\.+\]  30%  100 images\/s  elapsed 30s ETA 1m10s$/);
  tty.columns = 80;
  p.update({ done: 3000, total: 10000, fraction: 0.3 });
  assert.is(tty.draws().pop(), 'eval test (50 samples)  3000/10000 images  30%  100/s  elapsed 30s ETA 1m10s');
  tty.columns = 40;
  p.update({ done: 3000, total: 10000, fraction: 0.31 });
  const narrow = tty.draws().pop()!;
  assert.ok(narrow.length <= 39, narrow);
  assert.match(narrow, /eval test/);
  p.close();
  assert.ok(tty.out.endsWith('\r\x1b[K'), 'status cleared at the end');
});

test.run();

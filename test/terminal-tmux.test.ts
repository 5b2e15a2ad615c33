/**
 * What a user sees in a real terminal: `rl-run` runs inside tmux (a detached session of 80
 * columns, resized to 200 and to 50 while it runs), and the pane is captured with
 * `capture-pane` as the user would read it. The progress line must never wrap (`-J` joins
 * wrapped rows, so a wrapped status would show up as one over-long line), must follow the
 * resizes, and must leave no trace in the scrollback when the run ends; `rl-run eval` must show
 * its progress too. Set GLIMPSE_PANES_DIR to keep the captured panes as text files.
 * Skipped, loudly, only when tmux is not installed.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from './helpers/run-helpers';

const test = suite('terminal-tmux');
const root = path.join(__dirname, '..');
const TMUX = spawnSync('sh', ['-c', 'command -v tmux'], { encoding: 'utf8' }).stdout.trim();
const socket = `glimpse-test-${process.pid}`;
let dir = '';
const panesDir = process.env.GLIMPSE_PANES_DIR;

function tmux(...args: string[]): string {
  return execFileSync(TMUX, ['-L', socket, ...args], { encoding: 'utf8' });
}

/** The pane as the user reads it: wrapped rows joined (-J), trailing blanks trimmed, with history. */
function capture(session: string): string[] {
  const text = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session);
  const lines = text.split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function keep(name: string, lines: string[], width: number): void {
  if (!panesDir) return;
  fs.mkdirSync(panesDir, { recursive: true });
  fs.writeFileSync(path.join(panesDir, `${name}.txt`), `# ${name}: tmux pane of ${width} columns\n${lines.join('\n')}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the pane until its last line matches `re`; returns the capture. */
async function waitFor(session: string, re: RegExp, what: string, timeoutMs = 60_000): Promise<string[]> {
  const t0 = Date.now();
  let lines: string[] = [];
  while (Date.now() - t0 < timeoutMs) {
    lines = capture(session);
    if (lines.length && re.test(lines[lines.length - 1])) return lines;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}; pane:\n${lines.join('\n')}`);
}

/** Starts `command` in a detached session of `width` columns; the shell stays after it ends. */
function start(session: string, width: number, command: string): void {
  // No CI (plain-line mode) and no progress interval from the environment of the test run.
  const env = `env -u CI -u RL_RUN_PROGRESS_SECONDS TERM=xterm-256color`;
  tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', '30', `cd ${JSON.stringify(root)} && ${env} ${command}; echo "EXIT $?"; sleep 600`);
}

const node = `${JSON.stringify(process.execPath)} -r ${JSON.stringify(require.resolve('tsx/cjs'))}`;
const STATUS = /^epoch \d+\/\d+  batch \d+\/\d+/;

test.before(() => {
  dir = tempDir();
});
test.after(() => {
  if (TMUX) spawnSync(TMUX, ['-L', socket, 'kill-server']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('training in tmux: the status line fits 80, 200 and 50 columns, follows resizes and leaves no trace', async () => {
  if (!TMUX) {
    console.log('\n  SKIP terminal-tmux: tmux is not installed (apt-get install -y tmux); the terminal output was NOT checked\n');
    return;
  }
  const out = path.join(dir, 'run');
  start('train', 80, `FAKE_SLEEP_MS=150 ${node} test/helpers/fake-cli.ts --env fake --agent fake --algo fake-sgd --epochs 5 --batch-size 8 --backend wasm --out ${JSON.stringify(out)}`);
  // Epoch 2 under way (so the run has a pace and an ETA).
  const at80 = await waitFor('train', /^epoch 2\/5  batch [3-6]\/7/, 'epoch 2 at 80 columns');
  keep('train-80', at80, 80);
  const status80 = at80[at80.length - 1];
  assert.ok(status80.length <= 80, `status fits 80 columns: ${status80}`);
  for (const part of ['/s  ', 'ETA', 'run ']) assert.ok(status80.includes(part), `${part} in: ${status80}`);
  assert.ok(at80.filter((l) => STATUS.test(l)).length === 1, `one status line, none left in the scrollback:\n${at80.join('\n')}`);

  tmux('resize-window', '-t', 'train', '-x', '200');
  const at200 = await waitFor('train', /^epoch [3-5]\/5  batch \d\/7 .{81,}/, 'a status line wider than 80 after the resize to 200');
  keep('train-200', at200, 200);
  const status200 = at200[at200.length - 1];
  assert.ok(status200.length <= 200, status200);
  for (const part of ['samples/s', 'loss', 'epoch ', 'ETA', 'run ', '[']) assert.ok(status200.includes(part), `${part} in: ${status200}`);

  tmux('resize-window', '-t', 'train', '-x', '50');
  await sleep(300);
  const at50 = await waitFor('train', /^(epoch \d\/5  batch \d\/7|EXIT)/, 'a status line at 50 columns');
  keep('train-50', at50, 50);
  const last = at50[at50.length - 1];
  if (STATUS.test(last)) assert.ok(last.length <= 50, `status fits 50 columns: ${last}`);
  assert.ok(at50.filter((l) => STATUS.test(l)).length <= 1, `the wider status was erased after the shrink:\n${at50.join('\n')}`);

  const done = await waitFor('train', /^EXIT \d+$/, 'the end of the run');
  keep('train-end', done, 50);
  assert.is(done[done.length - 1], 'EXIT 0', done.join('\n'));
  assert.is(done.filter((l) => STATUS.test(l)).length, 0, `no status line left behind:\n${done.join('\n')}`);
  for (let e = 1; e <= 5; e++) assert.is(done.filter((l) => l.startsWith(`epoch ${e}/5 done in`)).length, 1, `epoch ${e} line once:\n${done.join('\n')}`);
  assert.ok(done.some((l) => /^test accuracy \d\.\d{4} error/.test(l)), done.join('\n'));
});

test('Ctrl-C in tmux: a status line that fills the row leaves no trace of itself or of the echoed ^C', async () => {
  if (!TMUX) {
    console.log('\n  SKIP terminal-tmux: tmux is not installed (apt-get install -y tmux); the terminal output was NOT checked\n');
    return;
  }
  const out = path.join(dir, 'stop');
  // bash with an INT trap, so that the shell outlives the Ctrl-C and prints the exit status.
  const env = `env -u CI -u RL_RUN_PROGRESS_SECONDS TERM=xterm-256color`;
  const command = `FAKE_SLEEP_MS=400 ${node} test/helpers/fake-cli.ts --env fake --agent fake --algo fake-sgd --epochs 50 --batch-size 8 --backend wasm --out ${JSON.stringify(out)}`;
  const script = `trap true INT; cd ${JSON.stringify(root)} && ${env} ${command}; echo "EXIT $?"; sleep 600`;
  tmux('new-session', '-d', '-s', 'stop', '-x', '120', '-y', '30', 'bash', '-c', script);
  // Mid-epoch, with the status drawn to the full usable width (119 of 120 columns: the terminal's
  // ^C echo then lands in the last column and wraps).
  const before = await waitFor('stop', /^epoch 2\/50  batch [2-5]\/7 /, 'epoch 2 under way at 120 columns');
  assert.is(before[before.length - 1].length, 119, `the status fills the row: ${before[before.length - 1]}`);
  tmux('send-keys', '-t', 'stop', 'C-c');
  const done = await waitFor('stop', /^EXIT \d+$/, 'the stopped run');
  keep('stop-120', done, 120);
  assert.is(done[done.length - 1], 'EXIT 130', done.join('\n'));
  assert.is(done.filter((l) => STATUS.test(l)).length, 0, `no status line left behind:\n${done.join('\n')}`);
  assert.not.ok(done.some((l) => /\^C?$/.test(l)), `no line ends with the echoed ^:\n${done.join('\n')}`);
  assert.ok(done.some((l) => l.startsWith('rl-run: stopped by SIGINT during epoch 2')), done.join('\n'));
});

test('rl-run eval in tmux: progress at 80 and 200 columns, then the result line alone', async () => {
  if (!TMUX) {
    console.log('\n  SKIP terminal-tmux: tmux is not installed; the eval progress was NOT checked in a terminal\n');
    return;
  }
  // The shipped mnist model on 2 sampled rollouts of the 5000 validation images: a few seconds.
  start('eval', 80, `${node} runners/cli.ts eval --checkpoint models/mnist --split validation --samples 2 --backend wasm`);
  const at80 = await waitFor('eval', /^eval validation \(2 samples\)  \d+\/5000/, 'eval progress at 80 columns');
  keep('eval-80', at80, 80);
  const s80 = at80[at80.length - 1];
  assert.ok(s80.length <= 80, s80);
  assert.match(s80, /ETA/);
  tmux('resize-window', '-t', 'eval', '-x', '200');
  let at200: string[] = [];
  try {
    at200 = await waitFor('eval', /^eval validation \(2 samples\)  \d+\/5000 images  \[/, 'eval progress with a bar at 200 columns', 30_000);
    keep('eval-200', at200, 200);
    assert.ok(at200[at200.length - 1].length <= 200);
  } catch (e) {
    // The evaluation may end before the resize is seen on a fast machine; the end state is checked below.
    if (!/timed out/.test(String(e))) throw e;
  }
  const done = await waitFor('eval', /^EXIT \d+$/, 'the end of the evaluation');
  keep('eval-end', done, 200);
  assert.is(done[done.length - 1], 'EXIT 0', done.join('\n'));
  assert.ok(done.some((l) => /^val accuracy \d\.\d{4} error \d\.\d{4} \(\d+\/5000, 2 samples\)/.test(l)), done.join('\n'));
  assert.is(done.filter((l) => l.startsWith('eval validation')).length, 0, `no progress left behind:\n${done.join('\n')}`);
});

test.run();

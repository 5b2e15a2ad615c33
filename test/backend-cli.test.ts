/**
 * What a user sees of backend selection: one line saying which backend runs and why (not with
 * --quiet), and `rl-run list --backends` probing and timing every backend on this machine, where
 * no libtensorflow package is installed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, runCliReal } from './helpers/cli-helpers';
import { setUpBackend, useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('backend-cli');
const setup = useBackendAndTempDir(test);

const train = ['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--epochs', '1', '--batch-size', '8', '--backend', 'auto'];
const backendLines = (s: string) => s.split('\n').filter((l) => l.startsWith('rl-run: backend '));

test('training with --backend auto prints one line: which backend and why; --quiet prints none', async () => {
  const r = await runCli([...train, '--out', path.join(setup.dir, 'loud')]);
  assert.is(r.code, 0, r.stderr);
  const lines = backendLines(r.stderr);
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], /^rl-run: backend wasm( \+ native GEMM)?: auto: no usable GPU \(@tensorflow\/tfjs-node-gpu is not installed\); wasm/);
  const events = fs.readFileSync(path.join(setup.dir, 'loud', 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.match(events[0].backendReason, /^auto: no usable GPU/);

  const quiet = await runCli([...train, '--quiet', '--out', path.join(setup.dir, 'quiet')]);
  assert.is(quiet.code, 0, quiet.stderr);
  assert.equal(backendLines(quiet.stderr), []);

  // eval names the backend in its result line (and keeps stderr for errors).
  const ev = await runCli(['eval', '--checkpoint', path.join(setup.dir, 'loud'), '--backend', 'cpu']);
  assert.is(ev.code, 0, ev.stderr);
  assert.match(ev.stdout, / backend cpu\n$/);
  assert.is(ev.stderr, '');
  await setUpBackend();
});

test('--backend tensorflow without tfjs-node(-gpu) installed: one line saying how to install, exit 2', async () => {
  const r = await runCli([...train.slice(0, -1), 'tensorflow', '--out', path.join(setup.dir, 'tf')]);
  assert.is(r.code, 2);
  assert.is(r.stderr, "rl-run: error: backend 'tensorflow' needs @tensorflow/tfjs-node-gpu (CUDA GPU) or @tensorflow/tfjs-node (CPU), and neither is installed: npm install @tensorflow/tfjs-node-gpu@4.22.0 or npm install @tensorflow/tfjs-node@4.22.0; or use --backend auto, wasm or cpu\n");
  assert.not.ok(fs.existsSync(path.join(setup.dir, 'tf')), 'nothing written');
  await setUpBackend();
});

test('rl-run list --backends: installed, loads, device and a measured step of each backend; what auto picks', async () => {
  const t0 = Date.now();
  const r = await runCliReal(['list', '--backends']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  console.log(`backend-cli: list --backends in ${((Date.now() - t0) / 1000).toFixed(1)} s:\n${r.stdout}`);
  assert.match(lines[1], /^  backend +installed +loads +device +train step +note$/);
  assert.match(lines[2], /^  tensorflow, tfjs-node-gpu +no +- +- +-$/);
  assert.match(lines[3], /^  tensorflow, tfjs-node +no +- +- +-$/);
  // The native addon is built by npm ci here; the row says why when it is not.
  assert.match(lines[4], /^  wasm \+ native GEMM +(yes +yes +CPU +\d+\.\d ms|no +- +- +- +\S.*)$/);
  assert.match(lines[5], /^  wasm \(GLIMPSE_NATIVE=0\) +yes +yes +CPU +\d+\.\d ms$/);
  assert.match(lines[6], /^  cpu +yes +yes +CPU +\d+\.\d ms$/);
  assert.is(lines[7], 'to add: npm install @tensorflow/tfjs-node-gpu@4.22.0  (Linux, CUDA GPU)');
  assert.is(lines[8], 'to add: npm install @tensorflow/tfjs-node@4.22.0  (libtensorflow, CPU)');
  assert.match(lines[9], /^--backend auto picks wasm( \+ native GEMM)?$/);
  assert.match(lines[10], /^  \(auto: no usable GPU \(@tensorflow\/tfjs-node-gpu is not installed\); wasm/);
  assert.is(lines.length, 11);
});

test.run();

/**
 * `runViz` end to end on a checkpoint written by the runner's `saveCheckpoint`: every file is
 * written and decodes, the report holds every picture and the run's test error, bad options
 * fail with one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { ArrayImageSource } from '../envs/vision/image-source';
import { GlimpseEnv } from '../envs/vision/glimpse-env';
import { saveCheckpoint } from '../runners/checkpoint';
import { decodePng } from '../viz/png';
import { runViz, type VizFactories } from '../viz/run-viz';
import { decodeGif } from './viz-helpers/gif-decoder';
import { ScriptedAgent } from './viz-helpers/scripted-agent';

const W = 24, N = 5, C = 4;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-run-'));
const runDir = path.join(tmp, 'run');
const pixels = new Uint8Array(N * W * W).map((_, i) => (i * 53) % 256);
const source = new ArrayImageSource({ width: W, height: W, numClasses: C, pixels, labels: [0, 1, 2, 3, 0] });
const made: Array<Record<string, unknown>> = [];
const factories: VizFactories = {
  makeEnv: (id, kwargs) => {
    made.push(kwargs);
    const env = new GlimpseEnv({ source, glimpses: 3, glimpseSize: 6, scales: 2, reach: 1 });
    env.spec = { id, kwargs, maxEpisodeSteps: 3 };
    return env;
  },
  makeAgent: () => new ScriptedAgent(C),
};

test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const info = {
    env: { id: 'toy', kwargs: { reach: 1 } },
    agent: { id: 'scripted', config: {} },
    algo: { id: 'reinforce', config: {} },
    run: { seed: 3, env: 'toy' },
    counters: { epoch: 2, step: 10, episodes: 80 },
    rng: { s: [1, 2, 3, 4] as [number, number, number, number], spare: null },
    bestValAccuracy: 0.5,
    bestEpoch: 2,
    metrics: {},
    optimizerScalars: {},
  };
  saveCheckpoint(path.join(runDir, 'checkpoints', 'best'), info, {}, {});
  const lines = [
    { type: 'batch', epoch: 1, step: 1, metrics: { loss: 2 } },
    { type: 'batch', epoch: 2, step: 2, metrics: { loss: 1 } },
    { type: 'eval', epoch: 2, split: 'val', accuracy: 0.5 },
    { type: 'done', testAccuracy: 0.75, testError: 0.25 },
  ];
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
});
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The one-line message `p` rejects with. */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a rejection');
}

test('runViz: writes grid, GIF, patches, curves and a report that inlines them all', async () => {
  const before = tf.memory().numTensors;
  const r = await runViz({ checkpoint: runDir, split: 'val', count: 8 }, factories);
  assert.is(tf.memory().numTensors, before);
  assert.is(r.out, path.join(runDir, 'viz'));
  assert.is(r.total, N, 'count is capped at the split size');
  assert.is(r.testError, 0.25);
  assert.is(made[0].split, 'validation', 'the runner split name is mapped to the env one');
  const grid = decodePng(fs.readFileSync(r.files.grid));
  assert.ok(grid.width > 3 * W && grid.height > 2 * W);
  const gif = decodeGif(fs.readFileSync(r.files.animation));
  assert.is(gif.frames.length, 4);
  assert.is(r.files.patches.length, N);
  for (const p of r.files.patches) assert.ok(decodePng(fs.readFileSync(p)).width > 0);
  assert.match(fs.readFileSync(r.files.curves!, 'utf8'), /^<svg /);
  const html = fs.readFileSync(r.files.report, 'utf8');
  assert.is([...html.matchAll(/<img src="data:image\//g)].length, 3 + N);
  assert.ok(html.includes('test error: 25.00%'));
  // Labels are [0, 1, 2, 3, 0] and the scripted agent names i % 4 = [0, 1, 2, 3, 0]: all right.
  assert.is(r.wrong, 0);
});

test('runViz on a shipped model directory: its metrics.jsonl, its recorded test error, output beside it', async () => {
  // A model as scripts/promote-model.sh ships it: the checkpoint files and an epoch-level log in one folder.
  const model = path.join(tmp, 'models', 'toy');
  fs.cpSync(path.join(runDir, 'checkpoints', 'best'), model, { recursive: true });
  const log = [
    { type: 'start', batchesPerEpoch: 5, config: { evalSamples: 0 } },
    { type: 'epoch', epoch: 1, metrics: { loss: 2, accuracy: 0.3, lr: 0.001 } },
    { type: 'eval', epoch: 1, split: 'val', accuracy: 0.4 },
    { type: 'epoch', epoch: 2, metrics: { loss: 1, accuracy: 0.6, lr: 0.0010000000000000007 } },
    { type: 'eval', epoch: 2, split: 'val', accuracy: 0.5 },
    { type: 'eval', epoch: 2, split: 'test', accuracy: 0.7 },
    { type: 'done', testAccuracy: 0.7, testError: 0.3 },
  ];
  fs.writeFileSync(path.join(model, 'metrics.jsonl'), log.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const sha = JSON.parse(fs.readFileSync(path.join(model, 'checkpoint.json'), 'utf8')).weights.sha256;
  const stages: string[] = [];
  let r = await runViz({ checkpoint: model, count: 2, onProgress: (p) => stages.push(p.stage) }, factories);
  assert.is(r.out, `${model}-viz`, 'default output folder beside the model');
  assert.is(r.testError, 0.3, 'the training run\'s own test error when nothing else is recorded');
  assert.ok(stages.length >= 5 && stages[stages.length - 1] === 'done', stages.join(', '));
  const svg = fs.readFileSync(r.files.curves!, 'utf8');
  assert.match(svg, />loss</, 'epoch means are plotted when the log has no per-update lines');
  assert.match(svg, /lr \(constant 0\.001\)/, 'a constant learning rate is one flat line named by its value');
  // `rl-run eval --record` wrote what it measured for these weights: that is the error shown.
  const rec = { accuracy: 0.9, error: 0.1, correct: 9, total: 10, samples: 5, seconds: 1, split: 'test', epoch: 2, weightsSha256: sha, backend: 'wasm', recordedAt: '2026-12-03T00:00:00.000Z', command: 'rl-run eval --checkpoint models/toy' };
  fs.writeFileSync(path.join(model, 'eval-test.json'), JSON.stringify(rec));
  r = await runViz({ checkpoint: model, count: 2 }, factories);
  assert.is(r.testError, 0.1);
  const html = fs.readFileSync(r.files.report, 'utf8');
  assert.ok(html.includes('test error: 10.00%'), 'recorded test error');
  assert.ok(html.includes('5 sampled rollouts averaged per image'), 'how it was measured');
  assert.ok(html.includes('30.00% (greedy)'), 'and the training run\'s own score');
  // A record of other weights is not shown.
  fs.writeFileSync(path.join(model, 'eval-test.json'), JSON.stringify({ ...rec, weightsSha256: 'f'.repeat(64) }));
  r = await runViz({ checkpoint: model, count: 2 }, factories);
  assert.is(r.testError, 0.3);
});

test('runViz: bad options and checkpoints fail with one line', async () => {
  assert.match(await rejection(runViz({ checkpoint: runDir, count: 0 }, factories)), /--count must be an integer in \[1, 1024\], got 0/);
  assert.match(await rejection(runViz({ checkpoint: runDir, split: 'dev' as 'test' }, factories)), /--split must be one of test, val, train, got 'dev'/);
  assert.match(await rejection(runViz({ checkpoint: path.join(tmp, 'nope') }, factories)), /checkpoint directory not found/);
  assert.match(await rejection(runViz({ checkpoint: path.join(runDir, 'checkpoints', 'best'), out: path.join(tmp, 'o'), count: 2 }, { ...factories, makeAgent: () => Object.assign(new ScriptedAgent(C), { id: 'other' }) })), /is from agent 'scripted', not 'other'/);
});

test.run();

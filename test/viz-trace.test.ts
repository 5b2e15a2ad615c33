/**
 * Tracing an agent over glimpse episodes through the Env/Agent interfaces: recorded locations and
 * patches are the env's, the whole image is recovered exactly (render() or replaying glimpses),
 * the agent's tensors are released, and the `--viz-every` GIF call writes a decodable GIF.
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
import { Retina, RetinaImage } from '../envs/vision/retina';
import { probeImage } from '../viz/env-image';
import { writeGlimpseGif } from '../viz/glimpse-animation';
import { traceEpisodes } from '../viz/trace';
import { epochGifPath, epochGifWriter } from '../viz/viz-every';
import { SyncVectorEnv } from '../envs/sync-vector-env';
import { decodeGif } from './viz-helpers/gif-decoder';
import { ScriptedAgent, schedule } from './viz-helpers/scripted-agent';

const W = 20, H = 16, N = 6, C = 3;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-trace-'));
const pixels = new Uint8Array(N * W * H).map((_, i) => (i * 37 + (i >> 5) * 11) % 256);
const source = new ArrayImageSource({ width: W, height: H, numClasses: C, pixels, labels: [0, 1, 2, 0, 1, 2] });
const makeEnv = (glimpses = 4, reach = 1) => new GlimpseEnv({ source, glimpses, glimpseSize: 5, scales: 2, reach });


test.before(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('traceEpisodes with a context env: the agent gets the coarse views; the context step is not recorded as a glimpse', () => {
  const indices = [2, 4];
  const envs = indices.map(() => new GlimpseEnv({ source, glimpses: 3, glimpseSize: 5, scales: 2, context: 4 }));
  const seen: number[] = [];
  const agent = new ScriptedAgent(C);
  const act = agent.act.bind(agent);
  agent.act = (obs, state, options) => {
    seen.push(obs.context?.length ?? -1);
    return act(obs, state, options);
  };
  const trace = traceEpisodes(envs, agent, { indices, seed: 3 });
  assert.equal(seen, [32, 32, 32, 32], 'four act steps (context step + 3 glimpses), each with both episodes\' 4x4 views');
  assert.is(trace.steps, 3);
  // Glimpse 1 is where the context step's action pointed, not a start glimpse at the centre.
  trace.episodes.forEach((e, i) => assert.equal(Array.from(e.locations), [0, 1, 2].flatMap((t) => schedule(t, i)).map(Math.fround)));
});

test('traceEpisodes: episode seeds are seed + i wrapped at 2^32 (a hashed eval seed near the top of the range)', () => {
  const indices = [1, 2, 3];
  const envs = indices.map(() => makeEnv());
  const seeds: unknown[] = [];
  for (const env of envs) {
    const reset = env.reset.bind(env);
    env.reset = (opts) => {
      seeds.push(opts?.seed);
      return reset(opts);
    };
  }
  const trace = traceEpisodes(envs, new ScriptedAgent(C), { indices, seed: 2 ** 32 - 2 });
  assert.equal(seeds.slice(0, 3), [2 ** 32 - 2, 2 ** 32 - 1, 0], 'episode resets');
  assert.is(trace.episodes.length, 3);
});

test('traceEpisodes: records the env locations, patches, labels, predictions and the exact image', () => {
  const before = tf.memory().numTensors;
  const indices = [5, 0, 3];
  const envs = indices.map(() => makeEnv());
  const trace = traceEpisodes(envs, new ScriptedAgent(C), { indices, seed: 11 });
  assert.is(tf.memory().numTensors, before, 'agent state released');
  assert.equal([trace.width, trace.height, trace.glimpseSize, trace.scales, trace.reach, trace.steps], [W, H, 5, 2, 1, 4]);
  const retina = new Retina({ glimpseSize: 5, scales: 2 });
  trace.episodes.forEach((e, i) => {
    const item = source.get(indices[i]);
    assert.equal(Array.from(e.image), Array.from(item.pixels), `image of item ${indices[i]} recovered exactly`);
    assert.is(e.label, item.label);
    assert.is(e.prediction, i % C);
    assert.is(e.index, indices[i]);
    // Glimpse 1 at the centre, glimpse t+1 where action t pointed (float32, as the env stores it).
    const expect = [0, 0, ...[0, 1, 2].flatMap((t) => schedule(t, i))].map(Math.fround);
    assert.equal(Array.from(e.locations), expect);
    const img = new RetinaImage().set(item.pixels, W, H, true);
    const want = new Float32Array(retina.outputSize);
    for (let t = 0; t < 4; t++) {
      retina.extract(img, expect[2 * t], expect[2 * t + 1], 1, want);
      assert.equal(Array.from(e.glimpses.subarray(t * 50, (t + 1) * 50)), Array.from(want), `patches of step ${t}`);
    }
  });
});

test('traceEpisodes: a render() method is preferred; bad requests fail with one line', () => {
  const env = makeEnv();
  const frame = { pixels: new Float32Array(W * H).fill(0.25), width: W, height: H };
  Object.assign(env, { render: () => frame });
  const trace = traceEpisodes([env], new ScriptedAgent(C), { indices: [2], seed: 0 });
  assert.equal(trace.episodes[0].image, frame.pixels);
  assert.throws(() => traceEpisodes([makeEnv()], new ScriptedAgent(C), { indices: [1, 2], seed: 0 }), /2 indices for 1 envs/);
  Object.assign(env, { render: () => ({ pixels: new Float32Array(3), width: W, height: H }) });
  assert.throws(() => traceEpisodes([env], new ScriptedAgent(C), { indices: [2], seed: 0 }), /render\(\) must return \{pixels: Float32Array\(width\*height\)/);
});

test('probeImage: needs two glimpses, full reach and a reproducible episode', () => {
  const env = makeEnv();
  const first = env.reset({ seed: 1, options: { index: 0 } }).observation.glimpse.slice();
  assert.throws(() => probeImage(makeEnv(1), { seed: 1, index: 0, firstGlimpse: first }, { width: W, height: H, reach: 1, steps: 1 }), /1-glimpse episode/);
  assert.throws(() => probeImage(makeEnv(4, 0.5), { seed: 1, index: 0, firstGlimpse: first }, { width: W, height: H, reach: 0.5, steps: 4 }), /reach 0\.5 < 1/);
  assert.throws(() => probeImage(env, { seed: 1, index: 1, firstGlimpse: first }, { width: W, height: H, reach: 1, steps: 4 }), /shows a different image when item 1 is replayed/);
});

test('writeGlimpseGif: plays the episodes and writes a GIF of T+1 frames, no tensor left', () => {
  const before = tf.memory().numTensors;
  const file = path.join(tmp, 'epoch-3.gif');
  const indices = [0, 1, 2, 3];
  const trace = writeGlimpseGif({ envs: indices.map(() => makeEnv()), agent: new ScriptedAgent(C), indices, seed: 5, file });
  assert.is(tf.memory().numTensors, before);
  const gif = decodeGif(fs.readFileSync(file));
  assert.is(gif.frames.length, trace.steps + 1);
  assert.ok(gif.width > 2 * W && gif.height > 2 * H);
});

test('epochGifWriter (--viz-every): the same validation batch every epoch, one GIF per call', () => {
  const valEnv = new SyncVectorEnv([makeEnv(), makeEnv(), makeEnv()]);
  const write = epochGifWriter({ valEnv, agent: new ScriptedAgent(C), runDir: tmp, seed: 9, count: 16 });
  assert.is(write(3), epochGifPath(tmp, 3));
  assert.is(path.basename(write(12)), 'epoch-0012.gif');
  const a = decodeGif(fs.readFileSync(epochGifPath(tmp, 3)));
  const b = decodeGif(fs.readFileSync(epochGifPath(tmp, 12)));
  assert.is(a.frames.length, 5);
  assert.equal(a.frames.map((f) => Buffer.from(f.rgb).toString('base64')), b.frames.map((f) => Buffer.from(f.rgb).toString('base64')), 'same agent, same batch, same GIF');
  assert.throws(() => epochGifWriter({ valEnv: { numEnvs: 1 } as never, agent: new ScriptedAgent(C), runDir: tmp, seed: 0 }), /needs a validation VectorEnv exposing its sub-envs/);
});

test.run();

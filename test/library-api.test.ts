/**
 * The library API does what the CLI does: the package root exports the sinks, checkpoint
 * loading, split evaluation and `loadModel`; a model loaded from a run classifies raw images
 * exactly as the env-driven greedy evaluation does (same labels, same glimpse locations).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as api from '../index';
import { GlimpseEnv } from '../envs/vision/glimpse-env';
import { SyncVectorEnv } from '../envs/sync-vector-env';
import { Rng } from '../envs/rng';
import { collectRollout } from '../runners/collect';
import { allEvents, setUpBackend, tempDir } from './helpers/run-helpers';

test('the package root exports the sinks, checkpoint loading, evaluation and loadModel', () => {
  for (const name of ['train', 'resolveConfig', 'progressSink', 'jsonlSink', 'summarySink', 'readCheckpoint', 'resolveCheckpointDir', 'evaluateSplit', 'evaluateCheckpoint', 'loadModel', 'loadPlugins', 'registerImageTask', 'resolveOptions', 'GlimpseAgentBase', 'ParamStore', 'envSizes'] as const) {
    assert.type((api as Record<string, unknown>)[name], 'function', name);
  }
});

test('loadModel(run).classify(images) gives the greedy evaluation labels and locations of the same images', async () => {
  const backend = await setUpBackend();
  const dir = tempDir('library-api-');
  try {
    const out = path.join(dir, 'run');
    const config = api.resolveConfig({ values: { env: 'shapes', agent: 'ram', epochs: 1, batchSize: 16, maxBatches: 3, valItems: 32, hidden: 32, out, backend: 'wasm', quiet: true }, origin: 'code' });
    await allEvents(api.train(config, { backend }));
    const evaluated = await api.evaluateCheckpoint(out, { split: 'val' });
    assert.is(evaluated.total, 32);
    const model = await api.loadModel(out, { backend: false });
    const before = tf.memory().numTensors;
    const n = 6;
    // The env's own test images, as a user would hand them over.
    const envs = Array.from({ length: n }, () => api.make('shapes', { split: 'test' }) as GlimpseEnv);
    const images = envs.map((e, i) => {
      e.reset({ seed: 0, options: { index: i } });
      return Float32Array.from(e.render().pixels);
    });
    assert.is(images[0].length, model.imageWidth * model.imageHeight);
    const got = model.classify(images);
    assert.is(tf.memory().numTensors, before, 'classify leaves no tensors behind');
    const { rollout } = collectRollout(new SyncVectorEnv(envs), model.agent, { greedy: true, rng: new Rng(0), reset: { seed: 0, options: envs.map((_, i) => ({ index: i })) } });
    const labels = rollout.actions[rollout.steps - 1].label as Int32Array;
    for (let i = 0; i < n; i++) {
      assert.is(got[i].label, labels[i], `image ${i} label`);
      assert.is(got[i].locations.length, rollout.steps);
      got[i].locations.forEach(([x, y], t) => {
        assert.is(x, rollout.observations[t].location[2 * i]);
        assert.is(y, rollout.observations[t].location[2 * i + 1]);
      });
      const sum = got[i].probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `probabilities sum to ${sum}`);
    }
    assert.equal(model.classify(images.slice(0, 2), { samples: 3, seed: 1 }).map((c) => c.probabilities.length), [4, 4]);
    // RAM keeps the last sampled act's activations for the update that normally follows (its act
    // tape, agents/ram/act-tape.ts): bounded, so a second call must not add to them.
    const afterSampled = tf.memory().numTensors;
    model.classify(images.slice(0, 2), { samples: 3, seed: 1 });
    assert.is(tf.memory().numTensors, afterSampled, 'sampled classify does not grow the tensor count');
    assert.throws(() => model.classify([new Float32Array(7)]), /classify: image 0 must be a Float32Array or Uint8Array of 40x40 = 1600 values, got 7/);
    model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

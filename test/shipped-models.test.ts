/**
 * The accuracy recipes and shipped models (issue 5): every `configs/<env-id>.json` is a valid
 * `rl-run --config` whose env, agent and algorithm accept its options and whose cosine schedule
 * ends with the run; every `models/<env-id>/` loads without absolute paths, is small, carries its
 * training log, and `rl-run eval --split val` reproduces the validation accuracy it was chosen by.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Box, Dict } from '../envs/spaces';
import { readCheckpoint } from '../runners/checkpoint';
import { componentOptions, readConfigFile, resolveConfig } from '../runners/config';
import { registryComponents } from '../runners/registries';
import { runCliReal } from './helpers/cli-helpers';
import { setUpBackend } from './helpers/run-helpers';

const ROOT = path.join(__dirname, '..');
const CONFIGS = path.join(ROOT, 'configs');
const MODELS = path.join(ROOT, 'models');
const TASKS = ['mnist', 'translated-mnist', 'cluttered-mnist', 'cluttered-mnist-100'];

const test = suite('shipped-models');
test.before(async () => {
  await setUpBackend();
});

test('there is one config per task', () => {
  const files = fs.readdirSync(CONFIGS).filter((f) => f.endsWith('.json')).sort();
  assert.equal(files, TASKS.map((t) => `${t}.json`).sort());
});

for (const task of TASKS) {
  test(`configs/${task}.json resolves and its components accept every option`, () => {
    const file = path.join(CONFIGS, `${task}.json`);
    const config = resolveConfig({ values: readConfigFile(file), origin: `config file '${file}'` });
    assert.is(config.env, task, 'the file is named after its env');
    assert.is(config.out, undefined, 'the run directory is chosen on the command line, not baked in');
    const algo = config.algoOptions as { schedule?: string; decayEpochs?: number };
    if (algo.schedule === 'cosine') assert.is(algo.decayEpochs, config.epochs, 'the cosine decay ends with the run');
    const before = tf.memory().numTensors;
    const c = registryComponents();
    const opts = componentOptions(config);
    const env = c.makeVector(config.env, 2, opts.envKwargs);
    try {
      // The env takes the config's glimpse settings (written out, so the checkpoint records them).
      const glimpse = (env.singleObservationSpace as Dict).spaces.glimpse as Box;
      assert.equal([...glimpse.shape], [config.scales, config.glimpseSize, config.glimpseSize]);
      const agent = c.makeAgent(config.agent, { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, opts.agentOptions);
      const algorithm = c.makeAlgorithm(config.algo, opts.algoOptions);
      algorithm.dispose?.();
      agent.dispose();
    } finally {
      env.close();
    }
    assert.is(env.spec?.maxEpisodeSteps, config.glimpses, "episodes last the config's glimpses");
    assert.is(tf.memory().numTensors, before, 'no tensors left behind');
  });
}

// `rl-run viz --checkpoint models/<task>` writes its pictures to models/<task>-viz/ (gitignored).
const models = fs.existsSync(MODELS) ? fs.readdirSync(MODELS).filter((d) => !d.startsWith('.') && !d.endsWith('-viz')).sort() : [];

test('every shipped model is one of the tasks', () => {
  for (const m of models) assert.ok(TASKS.includes(m), `models/${m} is not a task id`);
});

for (const task of models) {
  const dir = path.join(MODELS, task);
  test(`models/${task} is self-contained, small and carries its training log`, () => {
    const ckpt = readCheckpoint(dir);
    assert.is(ckpt.meta.env.id, task);
    const text = fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8');
    const absolute: string[] = [];
    (function walk(v: unknown): void {
      if (typeof v === 'string' && path.isAbsolute(v)) absolute.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
    })(JSON.parse(text));
    assert.equal(absolute, [], 'no absolute paths in checkpoint.json');
    const bytes = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
    // Weights only (Adam's moments are emptied on promotion): 0.8-1.1 MB for the rnn core, 2.6 MB for
    // the lstm core of cluttered-mnist (its gates make the core 4x wider).
    assert.ok(bytes < 3 * 1024 * 1024, `models/${task} holds ${bytes} bytes`);
    const log = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.is(log[0].type, 'start');
    const vals = log.filter((e) => e.type === 'eval' && e.split === 'val');
    assert.ok(vals.some((e) => e.epoch === ckpt.meta.bestEpoch && e.accuracy === ckpt.meta.bestValAccuracy), 'the log holds the validation score the model was chosen by');
    const provenance = JSON.parse(fs.readFileSync(path.join(dir, 'provenance.json'), 'utf8'));
    assert.is(provenance.weightsSha256, ckpt.meta.weights.sha256);
  });

  test(`rl-run eval --checkpoint models/${task} --split val reproduces the recorded validation accuracy`, async () => {
    const before = tf.memory().numTensors;
    const ckpt = readCheckpoint(dir);
    // Selection was greedy (the recipes' evalSamples 0); the model's own default may average M rollouts.
    const r = await runCliReal(['eval', '--checkpoint', dir, '--split', 'val', '--samples', '0', '--backend', 'wasm']);
    assert.is(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`val accuracy ${(ckpt.meta.bestValAccuracy as number).toFixed(4)} `), `${r.stdout.trim()} vs recorded ${ckpt.meta.bestValAccuracy}`);
    assert.is(tf.memory().numTensors, before, 'no tensors left behind');
  });
}

test.run();

/**
 * End to end on real data: the runner trains the RAM agent with REINFORCE on MNIST for a bounded
 * number of batches (well under a minute on 2 cores) and must beat chance clearly on the whole
 * test set; the run leaves no tensors behind and `rl-run eval` reproduces its test accuracy.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConfig } from '../runners/config';
import type { DoneEvent, EvalEvent } from '../runners/events';
import { defaultComponents, train } from '../runners/run';
import { runCliReal } from './helpers/cli-helpers';
import { allEvents, useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('train-mnist');
const setup = useBackendAndTempDir(test);

test('RAM on MNIST: 150 batches of 64 beat chance (0.1) clearly on the 10000 test images', async () => {
  const before = tf.memory().numTensors;
  const out = path.join(setup.dir, 'mnist');
  const config = resolveConfig({ values: { env: 'mnist', agent: 'ram', epochs: 1, batchSize: 64, maxBatches: 150, valItems: 500, lr: 3e-3, seed: 1, out, backend: 'wasm', quiet: true }, origin: 'flags' });
  const t0 = Date.now();
  const evs = await allEvents(train(config, { components: await defaultComponents(), backend: setup.backend }));
  const seconds = (Date.now() - t0) / 1000;
  const testEv = evs.find((e) => e.type === 'eval' && e.split === 'test') as EvalEvent;
  const done = evs[evs.length - 1] as DoneEvent;
  assert.is(testEv.total, 10000);
  assert.is(done.testAccuracy, testEv.accuracy);
  console.log(`train-mnist: test accuracy ${testEv.accuracy.toFixed(4)} after 150 batches, ${seconds.toFixed(1)} s`);
  // Chance is 0.1.
  assert.ok(testEv.accuracy > 0.25, `test accuracy ${testEv.accuracy}`);
  assert.is(tf.memory().numTensors, before, 'the run released all its tensors');
  const ev = await runCliReal(['eval', '--checkpoint', out, '--backend', 'wasm']);
  assert.is(ev.code, 0, ev.stderr);
  assert.ok(ev.stdout.startsWith(`test accuracy ${testEv.accuracy.toFixed(4)} `), ev.stdout);
  // `eval --backend` belongs to the subcommand (not the train flag of the same name), in a real
  // process since the backend is process-wide. --quiet: no progress lines, so stderr shows any banner.
  const cpu = spawnSync(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '..', 'runners', 'cli.ts'), 'eval', '--checkpoint', out, '--split', 'val', '--backend', 'cpu', '--quiet'], { encoding: 'utf8', timeout: 120000 });
  assert.is(cpu.status, 0, cpu.stderr);
  assert.match(cpu.stdout, /^val accuracy 0\.\d{4} error 0\.\d{4} \(\d+\/500, greedy\) .* backend cpu\n$/);
  assert.is(cpu.stderr, '', 'no banner or warning on stderr');
});

test.run();

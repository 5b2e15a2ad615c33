/**
 * Training on the generic tfjs kernels, the ones any backend without our native paths runs (the
 * `cpu` backend stands in for libtensorflow here): every registered agent with every registered
 * algorithm trains a few batches, releases every tensor, and reports the same metrics as the
 * wasm + native fast paths from the same seed. New agents and algorithms are covered by being
 * registered.
 */
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../runners/backend';
import { quickTrain, type QuickTrainOptions } from '../runners/quick-train';
import { registryComponents } from '../runners/registries';
import { nativeDenseAvailable } from '../tensor/native-dense';
import { nativeAdamAvailable } from '../tensor/native-adam';
import { setUpBackend } from './helpers/run-helpers';

const test = suite('generic-kernels');
const components = registryComponents();

test.after(async () => {
  await setUpBackend();
});

/** Tiny and fast: 3 batches of 4 episodes of 3 glimpses, hidden size 16 (run-level options every agent takes). */
const workload = (agent: string, algo: string): QuickTrainOptions => ({
  env: 'shapes', agent, algo, batchSize: 4, warmup: 0, batches: 3, seed: 3, envKwargs: { glimpses: 3 }, agentOptions: { hidden: 16 },
});

/** Every registered agent x algorithm, plus RAM's LSTM core. */
function cases(): Array<{ name: string; o: QuickTrainOptions }> {
  const out: Array<{ name: string; o: QuickTrainOptions }> = [];
  for (const a of components.listAgents()) for (const al of components.listAlgorithms()) out.push({ name: `${a.id}/${al.id}`, o: workload(a.id, al.id) });
  const lstm = workload('ram', 'reinforce');
  out.push({ name: 'ram(lstm)/reinforce', o: { ...lstm, agentOptions: { ...lstm.agentOptions, core: 'lstm' } } });
  return out;
}

function train(o: QuickTrainOptions): Record<string, number>[] {
  const before = tf.memory().numTensors;
  const { metrics } = quickTrain(components, o);
  assert.is(tf.memory().numTensors, before, 'every tensor released');
  return metrics;
}

test('every agent x algorithm trains on the cpu backend and matches the wasm + native fast path', async () => {
  const all = cases();
  assert.ok(all.length >= 7, `registered: ${all.map((c) => c.name).join(', ')}`);
  await setUpBackend();
  const fast = all.map((c) => train(c.o));

  assert.is(await initBackend('cpu'), 'cpu');
  // The native paths are off on cpu: this really runs the generic kernels.
  assert.not.ok(nativeDenseAvailable());
  assert.not.ok(nativeAdamAvailable());
  all.forEach((c, i) => {
    const generic = train(c.o);
    assert.is(generic.length, 3, c.name);
    generic.forEach((m, b) => {
      assert.equal(Object.keys(m).sort(), Object.keys(fast[i][b]).sort(), `${c.name} batch ${b + 1}: same metrics`);
      for (const [k, v] of Object.entries(m)) {
        assert.ok(Number.isFinite(v), `${c.name} batch ${b + 1}: ${k} = ${v}`);
        // Same seed, same episodes: only float summation order differs between the kernels.
        const ref = fast[i][b][k];
        assert.ok(Math.abs(v - ref) <= 1e-4 * Math.max(1, Math.abs(ref)), `${c.name} batch ${b + 1}: ${k} cpu ${v} vs wasm ${ref}`);
      }
    });
  });
});

test.run();

/**
 * The memory budget: `weightShapes` of the agents equals what they build, shipped recipes fit the
 * default limit with room to spare, and the oversized configs are far above it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agentWeightShapes, makeAgent } from '../agents';
import { makeVector } from '../envs';
import { readConfigFile, resolveConfig, type RunConfig } from '../runners/config';
import { defaultMemoryLimit } from '../runners/memory-budget';
import { trainMemoryEstimate } from '../runners/preflight';
import { registryComponents } from '../runners/registries';
import { setUpBackend } from './helpers/run-helpers';

const GIB = 1024 ** 3;

const components = registryComponents();
const estimateFor = (config: RunConfig): number => trainMemoryEstimate(config, components).estimate.total;

test.before(async () => {
  await setUpBackend();
});

test('weightShapes equals the weights ram and random-glimpse really build (rnn and lstm)', () => {
  const probe = makeVector('shapes', 1, {});
  const info = { observationSpace: probe.singleObservationSpace, actionSpace: probe.singleActionSpace, spec: probe.spec };
  for (const [id, options] of [['ram', { hidden: 24 }], ['ram', { core: 'lstm', hidden: 12, glimpseFeatures: 20 }], ['random-glimpse', { hidden: 10 }], ['random-glimpse', { core: 'lstm' }]] as const) {
    const agent = makeAgent(id, info, { ...options });
    const real = Object.fromEntries(Object.entries(agent.getWeights()).map(([k, w]) => [k, w.shape]));
    agent.dispose();
    assert.equal(agentWeightShapes(id, info, { ...options }), real, `${id} ${JSON.stringify(options)}`);
    assert.equal(Object.keys(agentWeightShapes(id, info, { ...options })!), Object.keys(real), 'same order');
  }
  probe.close();
});

test('every shipped recipe and every task default fits the default limit with room; the issue cases do not', () => {
  assert.ok(defaultMemoryLimit() <= 4 * GIB);
  const configs = fs.readdirSync('configs').filter((f) => f.endsWith('.json')).map((f) => resolveConfig({ values: readConfigFile(path.join('configs', f)), origin: f }));
  for (const env of ['mnist', 'translated-mnist', 'cluttered-mnist', 'cluttered-mnist-100', 'shapes']) configs.push(resolveConfig({ values: { env, agent: 'ram' }, origin: 'flags' }));
  for (const c of configs) {
    const bytes = estimateFor(c);
    assert.ok(bytes < 1 * GIB, `${c.env}: ${(bytes / GIB).toFixed(2)} GiB`);
  }
  assert.ok(estimateFor(resolveConfig({ values: { env: 'shapes', agent: 'ram', hidden: 65536 }, origin: 'flags' })) > 100 * GIB);
  assert.ok(estimateFor(resolveConfig({ values: { env: 'mnist', agent: 'ram', glimpseSize: 256, scales: 8 }, origin: 'flags' })) > 10 * GIB);
  assert.ok(estimateFor(resolveConfig({ values: { env: 'cluttered-mnist-100', agent: 'ram', batchSize: 32768 }, origin: 'flags' })) > 4 * GIB);
});

test.run();

/**
 * The named view of RAM's weights (agents/ram/weights.ts): it covers every trainable variable
 * exactly once (rnn and lstm cores), and flatten/unflatten are inverse.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RamAgent, resolveRamConfig } from '../agents/ram';
import { RAM_WEIGHT_COUNT, flattenRamWeights, ramWeightsOf, unflattenRamWeights } from '../agents/ram/weights';
import { glimpseEnvInfo } from './helpers/ram-rollout';
import { initBackend } from '../runners/backend';

test.before(async () => {
  await initBackend('cpu');
});

for (const core of ['rnn', 'lstm'] as const) {
  test(`${core}: the named view holds every variable once, by the name of its layer`, () => {
    const agent = new RamAgent(resolveRamConfig(glimpseEnvInfo(2, 3, 4), { glimpseHidden: 5, locationHidden: 3, glimpseFeatures: 6, hidden: 7, core }));
    const flat = flattenRamWeights(agent.weights);
    const vars = agent.trainableVariables();
    assert.is(flat.length, RAM_WEIGHT_COUNT);
    assert.is(flat.length, vars.length);
    assert.is(new Set(flat).size, flat.length, 'no variable twice');
    for (const v of vars) assert.ok(flat.includes(v), `${v.name} is in the view`);
    const keys = Object.keys(agent.getWeights());
    const byName: Record<string, string> = {
      'glimpse/what/kernel': 'what', 'glimpse/where/kernel': 'where', 'glimpse/combine/kernel': 'combine',
      'core/input/kernel': 'coreInput', 'location/kernel': 'location', 'action/kernel': 'action', 'baseline/kernel': 'baseline',
    };
    for (const [key, layer] of Object.entries(byName)) {
      const v = vars[keys.indexOf(key)];
      assert.is((agent.weights as unknown as Record<string, { kernel: unknown }>)[layer].kernel, v, `${layer} is ${key}`);
    }
    assert.is(agent.weights.coreRecurrent, vars[keys.indexOf('core/recurrent/kernel')]);
    const back = unflattenRamWeights(flat);
    assert.equal(flattenRamWeights(back), flat);
    assert.throws(() => unflattenRamWeights(flat.slice(1)), /^ram: expected 15 weight tensors, got 14$/);
    const entries = (agent as unknown as { params: { entries: Array<[string, import('@tensorflow/tfjs-core').Variable]> } }).params.entries;
    assert.throws(() => ramWeightsOf(entries.filter(([k]) => k !== 'core/recurrent/kernel')), /^ram: no variable 'core\/recurrent\/kernel'; the networks created: glimpse\/what\/kernel, /);
    agent.dispose();
  });
}

test.run();

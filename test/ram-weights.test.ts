/**
 * The named view of RAM's weights (agents/ram/weights.ts): it covers every trainable variable
 * exactly once (rnn and lstm cores), each layer of RAM_LAYERS is the variable its checkpoint key
 * names, and flatten/unflatten are inverse. Nothing here names a layer: the test follows RAM_LAYERS.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RamAgent, resolveRamConfig } from '../agents/ram';
import { RAM_LAYERS, RAM_WEIGHT_COUNT, flattenRamWeights, ramWeightsOf, unflattenRamWeights } from '../agents/ram/weights';
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
    const variable = (key: string) => {
      assert.ok(keys.includes(key), `the agent has a weight '${key}'`);
      return vars[keys.indexOf(key)];
    };
    const named = agent.weights as unknown as Record<string, { kernel: unknown; bias: unknown }>;
    for (const [name, { kind, key }] of Object.entries(RAM_LAYERS)) {
      if (kind === 'dense') {
        assert.is(named[name].kernel, variable(`${key}/kernel`), `${name}.kernel is ${key}/kernel`);
        assert.is(named[name].bias, variable(`${key}/bias`), `${name}.bias is ${key}/bias`);
      } else {
        assert.is(named[name], variable(key), `${name} is ${key}`);
      }
    }
    const back = unflattenRamWeights(flat);
    assert.equal(flattenRamWeights(back), flat);
    assert.throws(() => unflattenRamWeights(flat.slice(1)), new RegExp(`^ram: expected ${RAM_WEIGHT_COUNT} weight tensors \\(${RAM_WEIGHT_COUNT + 2} with the context layer\\), got ${RAM_WEIGHT_COUNT - 1}$`));
    const entries = (agent as unknown as { params: { entries: Array<[string, import('@tensorflow/tfjs-core').Variable]> } }).params.entries;
    assert.throws(() => ramWeightsOf(entries.filter(([k]) => k !== 'core/recurrent/kernel')), /^ram: no variable 'core\/recurrent\/kernel'; the networks created: glimpse\/what\/kernel, /);
    agent.dispose();
  });
}

test.run();

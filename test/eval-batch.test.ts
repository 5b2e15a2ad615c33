import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeAgent } from '../agents';
import { makeVector } from '../envs';
import type { VectorEnv } from '../envs/vector-env';
import { DEFAULT_EVAL_BATCH_SIZE, RESUMABLE_OVERRIDES, evalBatchWidth, resolveConfig } from '../runners/config';
import { evaluateSplit } from '../runners/evaluate';
import { makeEvalVector } from '../runners/run';
import { setUpBackend } from './helpers/run-helpers';

const test = suite('eval-batch');
test.before(async () => {
  await setUpBackend();
});

test('--eval-batch-size is validated like the other fields and may change on --resume', () => {
  const base = { env: 'mnist', agent: 'ram' };
  assert.is(resolveConfig({ values: { ...base, evalBatchSize: '250' }, origin: 'flags' }).evalBatchSize, 250);
  assert.is(resolveConfig({ values: base, origin: 'flags' }).evalBatchSize, undefined, 'unset: old run configs resume unchanged');
  assert.throws(() => resolveConfig({ values: { ...base, evalBatchSize: '0' }, origin: 'flags' }), /^--eval-batch-size must be an integer in \[1, 65536\], got '0'$/);
  assert.throws(() => resolveConfig({ values: { ...base, evalBatchSize: 2.5 }, origin: 'run.json' }), /^run.json key 'evalBatchSize' must be an integer in \[1, 65536\], got 2.5$/);
  assert.ok(RESUMABLE_OVERRIDES.includes('evalBatchSize'));
});

test('evalBatchWidth: the default 1000, capped by the items scored', () => {
  assert.is(DEFAULT_EVAL_BATCH_SIZE, 1000);
  assert.is(evalBatchWidth(undefined, 10000), 1000);
  assert.is(evalBatchWidth(undefined, 300), 300);
  assert.is(evalBatchWidth(64, 300), 64);
  assert.is(evalBatchWidth(5000, undefined), 5000);
  assert.is(evalBatchWidth(undefined, 0), 1);
});

test('makeEvalVector probes the split size with one env, then builds the capped width', () => {
  const widths: number[] = [];
  const components = {
    makeVector: (id: string, n: number, kwargs: Record<string, unknown>): VectorEnv => {
      widths.push(n);
      return makeVector(id, n, kwargs);
    },
  };
  const env = makeEvalVector(components, 'mnist', { split: 'validation' }, undefined, 120);
  assert.equal(widths, [1, 120]);
  assert.is(env.numEnvs, 120);
  env.close();
  const wide = makeEvalVector(components, 'mnist', { split: 'validation' }, 40);
  assert.is(wide.numEnvs, 40);
  wide.close();
});

test('greedy evaluation scores the same at any eval batch width', () => {
  const scores = [7, 64].map((width) => {
    const env = makeVector('mnist', width, { split: 'test' });
    const agent = makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace }, { seed: 4, hidden: 32 });
    const r = evaluateSplit(env, agent, { samples: 0, seed: 9, maxItems: 150 });
    agent.dispose();
    env.close();
    return [r.correct, r.total];
  });
  assert.equal(scores[0], scores[1]);
  assert.is(scores[0][1], 150);
});

test.run();

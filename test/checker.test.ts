import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Env } from '../envs/core';
import { Box, Discrete } from '../envs/spaces';
import { Rng } from '../envs/rng';
import { checkEnv } from '../envs/checker';
import { listEnvs, make } from '../envs/registry';
import '../envs/tasks';

test('checkEnv passes for every registered env', () => {
  const ids = listEnvs().map((e) => e.id);
  for (const id of ['mnist', 'translated-mnist', 'cluttered-mnist', 'cluttered-mnist-100']) assert.ok(ids.includes(id), `${id} registered`);
  for (const id of ids) {
    const report = checkEnv(make(id));
    assert.ok(report.episodes >= 3 && report.steps > 0, id);
    if (id === 'mnist') assert.equal(report, { episodes: 5, steps: 30 });
  }
  // The held-out splits too (fixed generated images).
  checkEnv(make('cluttered-mnist', { split: 'test', startLocation: 'random' }));
  checkEnv(make('translated-mnist', { split: 'validation', glimpses: 2 }));
});

/** A 3-step env whose faults are switched on one at a time. */
function faulty(fault: 'none' | 'outside' | 'nan-reward' | 'flag' | 'nondeterministic' | 'close-twice' | 'never-ends'): Env<Float32Array, number> {
  let t = 0, closed = false;
  const noise = new Rng(99);
  const obs = () => Float32Array.of(fault === 'outside' && t === 2 ? 5 : t / 3, fault === 'nondeterministic' ? noise.uniform() : 0);
  return {
    observationSpace: new Box(0, 1, [2]),
    actionSpace: new Discrete(2),
    spec: { id: 'faulty', kwargs: {}, maxEpisodeSteps: 3 },
    reset: () => {
      t = 0;
      return { observation: obs(), info: {} };
    },
    step: () => {
      t++;
      return {
        observation: obs(),
        reward: fault === 'nan-reward' && t === 2 ? NaN : 1,
        terminated: (fault === 'flag' ? 1 : t >= 3 && fault !== 'never-ends') as boolean,
        truncated: false,
        info: {},
      };
    },
    close: () => {
      if (closed && fault === 'close-twice') throw new Error('already closed');
      closed = true;
    },
  };
}

test('checkEnv catches each kind of violation with a one-line message', () => {
  assert.equal(checkEnv(faulty('none')), { episodes: 3, steps: 9 });
  const cases: Array<[Parameters<typeof faulty>[0], RegExp]> = [
    ['outside', /checkEnv: step 1 observation is outside the observation space/],
    ['nan-reward', /checkEnv: step 1 reward is NaN, expected a finite number/],
    ['flag', /checkEnv: step 0 terminated is 1, expected a boolean/],
    ['nondeterministic', /checkEnv: same seed 123 twice: observation 0 differs/],
    ['close-twice', /already closed/],
    ['never-ends', /checkEnv: episode did not end within spec\.maxEpisodeSteps = 3 steps/],
  ];
  for (const [fault, re] of cases) assert.throws(() => checkEnv(faulty(fault)), re, fault);
});

test('checkEnv checks that an out-of-range index is rejected when numItems is offered', () => {
  const env = { ...faulty('none'), numItems: 4 };
  assert.throws(() => checkEnv(env), /checkEnv: reset\(\{options: \{index: 4\}\}\) did not throw although numItems is 4/);
});

test.run();

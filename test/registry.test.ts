import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Env } from '../envs/core';
import { Box, Discrete } from '../envs/spaces';
import { envSpec, listEnvs, make, makeVector, register, unregister } from '../envs/registry';
import '../envs/tasks';

/** A one-step env whose observation is its `value` kwarg (to see kwargs arrive). */
function constantEnv(kwargs: Record<string, unknown>): Env<Float32Array, number> {
  const value = kwargs.value as number;
  return {
    observationSpace: new Box(-10, 10, [1]),
    actionSpace: new Discrete(2),
    reset: () => ({ observation: Float32Array.of(value), info: {} }),
    step: () => ({ observation: Float32Array.of(value), reward: 1, terminated: true, truncated: false, info: {} }),
    close: () => undefined,
  };
}

test('the four tasks are registered, in order, with descriptions', () => {
  const ids = listEnvs().map((e) => e.id);
  for (const id of ['mnist', 'translated-mnist', 'cluttered-mnist', 'cluttered-mnist-100']) assert.ok(ids.includes(id), id);
  assert.ok(ids.indexOf('mnist') < ids.indexOf('cluttered-mnist-100'));
  assert.ok(listEnvs().every((e) => e.description.length > 0));
});

test('make merges defaults, sets spec, and rejects unknown ids and keys by name', () => {
  register('test-constant', { description: 'constant', entryPoint: constantEnv, defaultKwargs: { value: 3 }, maxEpisodeSteps: 1 });
  try {
    const e = make('test-constant', { value: 5 });
    assert.equal(Array.from(e.reset().observation as Float32Array), [5]);
    assert.equal(e.spec, { id: 'test-constant', kwargs: { value: 5 }, maxEpisodeSteps: 1 });
    assert.equal(make('test-constant').spec?.kwargs, { value: 3 });
    assert.throws(() => make('nope'), /unknown env id 'nope'; registered: mnist, translated-mnist, cluttered-mnist, cluttered-mnist-100, .*test-constant/);
    assert.throws(() => make('test-constant', { valeu: 1 }), /env 'test-constant': unknown option 'valeu'; allowed: value/);
    assert.throws(() => register('test-constant', { description: '', entryPoint: constantEnv }), /env id 'test-constant' is already registered/);
    assert.throws(() => register('bad id', { description: '', entryPoint: constantEnv }), /id must be a non-empty name/);
    assert.throws(() => register('x', { description: '' } as never), /entryPoint must be a function/);
    const v = makeVector('test-constant', 3, { value: 2 });
    assert.is(v.numEnvs, 3);
    assert.equal(Array.from(v.reset().observations.value), [2, 2, 2]);
    assert.equal(v.spec?.kwargs, { value: 2 });
    assert.throws(() => makeVector('test-constant', 0), /numEnvs must be a positive integer, got 0/);
  } finally {
    assert.ok(unregister('test-constant'));
  }
  assert.not.ok(listEnvs().some((e) => e.id === 'test-constant'));
});

test('task kwargs: defaults per task, maxEpisodeSteps follows glimpses, bad values named', () => {
  assert.equal(envSpec('mnist').kwargs, { split: 'train', glimpses: 6, glimpseSize: 8, scales: 1, startLocation: 'center', reach: 1, dataSeed: 20140624, trainShift: 0, context: 0 });
  assert.equal(envSpec('cluttered-mnist-100').kwargs.scales, 4);
  assert.is(envSpec('translated-mnist', { glimpses: 4 }).maxEpisodeSteps, 4);
  assert.throws(() => make('mnist', { split: 'dev' }), /env 'mnist': split must be one of train, validation, test, got "dev"/);
  assert.throws(() => make('mnist', { glimpses: 0 }), /env 'mnist': glimpses must be an integer in \[1, 1000\], got 0/);
  assert.throws(() => make('mnist', { glimpseSize: 2.5 }), /glimpseSize must be an integer in \[1, 256\], got 2.5/);
  assert.throws(() => make('cluttered-mnist', { scales: 9 }), /scales must be an integer in \[1, 8\], got 9/);
  assert.throws(() => make('mnist', { startLocation: 'edge' }), /startLocation must be one of center, random, got "edge"/);
  assert.throws(() => make('mnist', { reach: -1 }), /reach must be a finite number > 0, got -1/);
  assert.throws(() => make('mnist', { dataSeed: 'x' }), /dataSeed must be an integer in \[0, 4294967295\], got "x"/);
  assert.throws(() => make('mnist', { seed: 1 }), /unknown option 'seed'; allowed: split, glimpses, glimpseSize, scales, startLocation, reach, dataSeed/);
  assert.throws(() => envSpec('mnist', [] as never), /kwargs must be an object/);
});

test.run();

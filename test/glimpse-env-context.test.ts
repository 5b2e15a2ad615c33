/**
 * The glimpse env's coarse `context` view (Ba et al. 2015): its values are area averages of the
 * whole image, the episode gains one context step (T + 1 steps, glimpse 1 placed by the first
 * action), seeding and the batch-writable fast path agree with the plain env, and checkEnv passes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GlimpseEnv, contextView, type GlimpseEnvOptions } from '../envs/vision/glimpse-env';
import { ArrayImageSource } from '../envs/vision/image-source';
import { RetinaImage } from '../envs/vision/retina';
import { checkEnv } from '../envs/checker';
import { envSpec, make, makeVector, unregister } from '../envs/registry';
import { registerImageTask } from '../envs/vision/image-task';
import '../envs/tasks';

/** One 6x4 image (width 6, height 4) with pixel (r, c) = (r * 6 + c) / 24, label 1. */
function ramp(): ArrayImageSource {
  const pixels = Float32Array.from({ length: 24 }, (_, i) => i / 24);
  return new ArrayImageSource({ width: 6, height: 4, numClasses: 3, pixels, labels: [1] });
}

function env(extra: Partial<GlimpseEnvOptions> = {}): GlimpseEnv {
  return new GlimpseEnv({ source: ramp(), glimpses: 2, glimpseSize: 2, scales: 1, context: 2, ...extra });
}

/** Mean of the ramp's pixels in rows [r0, r1) and columns [c0, c1), computed directly. */
function mean(r0: number, r1: number, c0: number, c1: number): number {
  let s = 0;
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += (r * 6 + c) / 24;
  return s / ((r1 - r0) * (c1 - c0));
}

test('context values are the area averages of the whole image (exact bins and uneven ones)', () => {
  const e = env();
  assert.equal(e.observationSpace.spaces.context?.toJSON(), { kind: 'box', shape: [2, 2], low: 0, high: 1 });
  const { observation } = e.reset({ options: { index: 0 } });
  // c = 2 on 6x4: 3-column by 2-row blocks.
  const want = [mean(0, 2, 0, 3), mean(0, 2, 3, 6), mean(2, 4, 0, 3), mean(2, 4, 3, 6)];
  Array.from(observation.context!).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `cell ${i}: ${v} vs ${want[i]}`));
  // c = 3 on 6x4: rows [0,1), [1,2), [2,4) (floor(i*4/3)), columns in pairs.
  const img = new RetinaImage().set(Float32Array.from({ length: 24 }, (_, i) => i / 24), 6, 4, true);
  const got = contextView(img, 3, new Float32Array(9));
  const rows = [[0, 1], [1, 2], [2, 4]], cols = [[0, 2], [2, 4], [4, 6]];
  rows.forEach(([r0, r1], i) => cols.forEach(([c0, c1], j) => assert.ok(Math.abs(got[i * 3 + j] - mean(r0, r1, c0, c1)) < 1e-6, `c=3 cell ${i},${j}`)));
  assert.throws(() => contextView(img, 5, new Float32Array(25)), /^contextView: side must be an integer in \[1, 4\], got 5$/);
});

test('an episode with context: a context step with no glimpse, then T glimpses placed by the actions, T + 1 steps', () => {
  const e = env();
  assert.is(e.episodeSteps, 3);
  const r = e.reset({ options: { index: 0 } });
  assert.equal(Array.from(r.observation.glimpse), [0, 0, 0, 0], 'no glimpse on the context step');
  assert.equal(Array.from(r.observation.location), [0, 0]);
  const s1 = e.step({ location: [1, 1], label: 0 }); // places glimpse 1 at the bottom-right corner
  assert.equal([s1.reward, s1.terminated], [0, false]);
  assert.equal(Array.from(s1.observation.location), [1, 1]);
  assert.equal(Array.from(s1.observation.glimpse), [Math.fround(23 / 24), 0, 0, 0], 'the 2x2 patch on the corner: only pixel (3, 5) is inside');
  const s2 = e.step({ location: [0, 0], label: 0 });
  assert.equal(Array.from(s2.observation.glimpse), [8, 9, 14, 15].map((v) => Math.fround(v / 24)), 'glimpse 2 at the centre');
  assert.equal(Array.from(s2.observation.context!), Array.from(r.observation.context!), 'every observation carries the same view');
  const s3 = e.step({ location: [0, 0], label: 1 });
  assert.equal([s3.reward, s3.terminated, s3.info], [1, true, { label: 1, index: 0 }]);
  assert.throws(() => e.step({ location: [0, 0], label: 0 }), /the episode ended after 3 steps/);
  assert.throws(() => env({ startLocation: 'random' }), /^GlimpseEnv: startLocation must be 'center' with context 2/);
  assert.throws(() => env({ context: 5 }), /^GlimpseEnv: context must be an integer in \[0, 4\] \(the shorter side of the 6x4 image\), got 5$/);
  assert.ok(!('context' in env({ context: 0 }).reset().observation), 'context 0: no view, no extra step');
});

test('registered tasks take the context kwarg: spec steps T + 1, checkEnv passes, seeds fix the view', () => {
  assert.is(envSpec('cluttered-mnist', { context: 12 }).maxEpisodeSteps, 9);
  assert.is(envSpec('cluttered-mnist').maxEpisodeSteps, 8);
  assert.is(envSpec('shapes', { context: 8 }).maxEpisodeSteps, 7);
  checkEnv(make('mnist', { context: 7, split: 'validation' }));
  checkEnv(make('shapes', { context: 8 }));
  const a = make('cluttered-mnist', { context: 12 }) as GlimpseEnv;
  const b = make('cluttered-mnist', { context: 12 }) as GlimpseEnv;
  const va = a.reset({ seed: 5 }).observation.context!;
  assert.is(va.length, 144);
  assert.ok(va.some((v) => v > 0) && va.every((v) => v >= 0 && v <= 1));
  assert.equal(Array.from(b.reset({ seed: 5 }).observation.context!), Array.from(va), 'same seed, same view');
  assert.not.equal(Array.from(b.reset({ seed: 6 }).observation.context!), Array.from(va), 'another seed, another image');
  assert.throws(() => make('mnist', { context: 1.5 }), /^env 'mnist': context must be an integer >= 0 \(at most the image side\), got 1.5$/);
  assert.throws(() => make('cluttered-mnist', { context: -1 }), /^env 'cluttered-mnist': context must be an integer >= 0 \(at most the image side\), got -1$/);
  assert.throws(() => make('cluttered-mnist', { context: 61 }), /^env 'cluttered-mnist': context must be an integer in \[0, 60\] \(the side of the 60x60 image\), got 61$/);
  assert.throws(() => make('mnist', { context: 29 }), /^env 'mnist': context must be an integer in \[0, 28\] \(the side of the 28x28 image\), got 29$/);
  // A user's image task: a context default of its own, overridable by the kwarg.
  const split = ramp();
  registerImageTask('test-context-task', { description: 'ramp', splits: { train: split, validation: split, test: split }, glimpses: 2, glimpseSize: 2, scales: 1, context: 2 });
  try {
    assert.is(envSpec('test-context-task').maxEpisodeSteps, 3);
    assert.is(envSpec('test-context-task', { context: 0 }).maxEpisodeSteps, 2);
    checkEnv(make('test-context-task'));
    assert.is((make('test-context-task', { context: 4 }) as GlimpseEnv).reset().observation.context!.length, 16);
    // Its bad kwargs are reported against its env id, with the (shorter) image side as the bound.
    assert.throws(() => make('test-context-task', { context: 5 }), /^env 'test-context-task': context must be an integer in \[0, 4\] \(the shorter side of the 6x4 image\), got 5$/);
    assert.throws(() => make('test-context-task', { glimpses: 0 }), /^env 'test-context-task': glimpses must be an integer in \[1, 1000\], got 0$/);
  } finally {
    unregister('test-context-task');
  }
});

test('vector env with context: rows equal single envs seeded seed + i (batch-writable path)', () => {
  const B = 3;
  const v = makeVector('cluttered-mnist', B, { glimpses: 2, context: 12 });
  const singles = Array.from({ length: B }, () => make('cluttered-mnist', { glimpses: 2, context: 12 }) as GlimpseEnv);
  const r = v.reset({ seed: 4 });
  const sr = singles.map((e, i) => e.reset({ seed: 4 + i }));
  const K = 144, G = 3 * 12 * 12;
  sr.forEach((s, i) => assert.equal(Array.from(r.observations.context.subarray(i * K, (i + 1) * K)), Array.from(s.observation.context!), `env ${i} reset`));
  for (let t = 0; t < 3; t++) {
    const location = Float32Array.from({ length: 2 * B }, (_, k) => 0.5 * Math.sin(t * 5 + k));
    const label = Int32Array.from({ length: B }, (_, i) => i);
    const s = v.step({ location, label });
    singles.forEach((e, i) => {
      const one = e.step({ location: [location[2 * i], location[2 * i + 1]], label: label[i] });
      assert.equal(Array.from(s.observations.glimpse.subarray(i * G, (i + 1) * G)), Array.from(one.observation.glimpse), `env ${i} step ${t}`);
      assert.equal(Array.from(s.observations.context.subarray(i * K, (i + 1) * K)), Array.from(one.observation.context!), `env ${i} step ${t} context`);
      assert.is(s.terminated[i], one.terminated ? 1 : 0);
    });
  }
  v.close();
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GlimpseEnv, type GlimpseEnvOptions } from '../envs/vision/glimpse-env';
import { ArrayImageSource } from '../envs/vision/image-source';
import { TranslateTransform } from '../envs/vision/transforms';
import { make } from '../envs/registry';
import '../envs/tasks';

/** 4 images of 8x8, image i is filled with (i + 1) / 8, label i. */
function source(): ArrayImageSource {
  const pixels = new Float32Array(4 * 64);
  for (let i = 0; i < 4; i++) pixels.fill((i + 1) / 8, i * 64, (i + 1) * 64);
  return new ArrayImageSource({ width: 8, height: 8, numClasses: 4, pixels, labels: [0, 1, 2, 3] });
}

function env(extra: Partial<GlimpseEnvOptions> = {}): GlimpseEnv {
  return new GlimpseEnv({ source: source(), glimpses: 3, glimpseSize: 2, scales: 2, ...extra });
}

const at = (x: number, y: number, label = 0) => ({ location: [x, y], label });

test('an episode: T steps, reward 1 only for the right label on the last step, label in info', () => {
  const e = env();
  assert.equal(e.observationSpace.toJSON(), { kind: 'dict', spaces: { glimpse: { kind: 'box', shape: [2, 2, 2], low: 0, high: 1 }, location: { kind: 'box', shape: [2], low: -1, high: 1 } } });
  assert.is(e.numItems, 4);
  const r = e.reset({ options: { index: 2 } });
  assert.equal(r.info, { index: 2 });
  assert.equal(Array.from(r.observation.location), [0, 0]);
  assert.equal(Array.from(r.observation.glimpse), new Array(8).fill(3 / 8), 'centre of a flat 3/8 image');
  const s1 = e.step(at(0.5, -0.5, 1));
  assert.equal([s1.reward, s1.terminated, s1.truncated, s1.info], [0, false, false, {}]);
  assert.equal(Array.from(s1.observation.location), [0.5, -0.5]);
  const s2 = e.step(at(0.1, 0.1, 0));
  assert.is(s2.reward, 0);
  const s3 = e.step(at(0.9, 0.9, 2));
  assert.equal([s3.reward, s3.terminated, s3.truncated, s3.info], [1, true, false, { label: 2, index: 2 }]);
  assert.equal(Array.from(s3.observation.location), [0.1, 0.1].map(Math.fround), 'terminal observation repeats the last glimpse');
  e.reset({ options: { index: 1 } });
  e.step(at(0, 0));
  e.step(at(0, 0));
  const wrong = e.step(at(0, 0, 3));
  assert.equal([wrong.reward, wrong.info.label], [0, 1]);
});

test('glimpses = 1: reset shows the glimpse, the one step reads the label', () => {
  const e = env({ glimpses: 1 });
  e.reset({ options: { index: 0 } });
  const s = e.step(at(0, 0, 0));
  assert.equal([s.reward, s.terminated], [1, true]);
});

test('locations outside [-1, 1] are clipped; the observation reports the clipped location', () => {
  const e = env();
  e.reset({ seed: 1 });
  const s = e.step({ location: new Float32Array([3, -7]), label: 0 });
  assert.equal(Array.from(s.observation.location), [1, -1]);
  assert.ok(e.observationSpace.contains(s.observation));
});

test('bad actions and bad call order throw one clear line each', () => {
  const e = env();
  assert.throws(() => e.step(at(0, 0)), /GlimpseEnv\.step: call reset\(\) before step\(\)/);
  e.reset();
  assert.throws(() => e.step(at(NaN, 0)), /action\.location must be two finite numbers, got \[NaN, 0\]/);
  assert.throws(() => e.step(at(0, Infinity)), /two finite numbers, got \[0, Infinity\]/);
  assert.throws(() => e.step({ location: [0, 0, 0], label: 0 }), /action\.location must be two numbers \[x, y\], got an array of length 3/);
  assert.throws(() => e.step({ location: undefined as never, label: 0 }), /action\.location must be two numbers \[x, y\], got undefined/);
  assert.throws(() => e.step({ location: ['0', 0] as never, label: 0 }), /two finite numbers, got \[0, 0\]/);
  assert.throws(() => e.step(at(0, 0, 4)), /action\.label must be an integer in \[0, 3\], got 4/);
  assert.throws(() => e.step(at(0, 0, -1)), /action\.label must be an integer in \[0, 3\], got -1/);
  assert.throws(() => e.step(at(0, 0, 1.5)), /action\.label must be an integer in \[0, 3\], got 1.5/);
  assert.throws(() => e.step(null as never), /action must be \{location: \[x, y\], label\}, got null/);
  for (let i = 0; i < 3; i++) e.step(at(0, 0));
  assert.throws(() => e.step(at(0, 0)), /the episode ended after 3 steps; call reset\(\) to start a new one/);
  assert.throws(() => e.reset({ options: { index: 4 } }), /options\.index must be an integer in \[0, 3\], got 4/);
  assert.throws(() => e.reset({ options: { index: 1.5 } }), /options\.index must be an integer in \[0, 3\], got 1.5/);
  assert.throws(() => e.reset({ options: { idx: 1 } }), /unknown option 'idx', allowed: index/);
  assert.throws(() => e.reset({ seed: -3 }), /seed must be an integer in \[0, 4294967295\], got -3/);
  e.close();
  e.close();
  assert.throws(() => e.reset(), /the env is closed/);
  assert.throws(() => env({ startLocation: 'corner' as never }), /startLocation must be one of center, random, got corner/);
  assert.throws(() => env({ reach: 0 }), /reach must be a finite number > 0, got 0/);
  assert.throws(() => env({ glimpses: 0 }), /glimpses must be an integer in \[1, 1000\], got 0/);
});

test('seeding: same seed, same images and start locations; random start is inside [-1, 1]^2', () => {
  const a = env({ startLocation: 'random' }), b = env({ startLocation: 'random' });
  const ra = a.reset({ seed: 42 }), rb = b.reset({ seed: 42 });
  assert.equal(ra.info, rb.info);
  assert.equal(Array.from(ra.observation.location), Array.from(rb.observation.location));
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = a.reset();
    assert.ok(a.observationSpace.contains(r.observation));
    assert.not.equal(Array.from(r.observation.location), [0, 0]);
    seen.add(String(r.info.index));
  }
  assert.ok(seen.size > 1, 'unseeded resets continue the stream over different images');
});

test('training images are re-generated per episode; fixed-seed images are a function of the index', () => {
  const mk = (fixedSeed?: number) => new GlimpseEnv({ source: source(), transform: new TranslateTransform(20, 20), glimpses: 2, glimpseSize: 4, scales: 3, fixedSeed });
  const train = mk();
  const g1 = train.reset({ seed: 1, options: { index: 3 } }).observation.glimpse;
  const differs = [2, 3, 4, 5, 6].some((s) => train.reset({ seed: s, options: { index: 3 } }).observation.glimpse.some((v, i) => v !== g1[i]));
  assert.ok(differs, 'training episodes of one index see different translations');
  const fixed = mk(99), other = mk(99);
  const f1 = fixed.reset({ seed: 1, options: { index: 3 } }).observation.glimpse;
  for (const s of [2, 3, 4]) {
    assert.equal(Array.from(fixed.reset({ seed: s, options: { index: 3 } }).observation.glimpse), Array.from(f1), 'env seed does not move a fixed image');
  }
  assert.equal(Array.from(other.reset({ options: { index: 3 } }).observation.glimpse), Array.from(f1), 'another env, same image');
});

test('registered tasks: shapes of the paper settings and validation/test fixed across envs', () => {
  const shapes: Record<string, number[]> = { mnist: [1, 8, 8], 'translated-mnist': [3, 12, 12], 'cluttered-mnist': [3, 12, 12], 'cluttered-mnist-100': [4, 12, 12] };
  for (const [id, shape] of Object.entries(shapes)) {
    const e = make(id) as GlimpseEnv;
    assert.equal((e.observationSpace.spaces.glimpse.shape as number[]), shape, id);
    assert.is(e.spec?.maxEpisodeSteps, id === 'mnist' ? 6 : 8);
    assert.is(e.numItems, 55000);
  }
  const a = make('cluttered-mnist', { split: 'test' }) as GlimpseEnv;
  const b = make('cluttered-mnist', { split: 'test' }) as GlimpseEnv;
  assert.is(a.numItems, 10000);
  assert.equal(Array.from(a.reset({ seed: 1, options: { index: 7 } }).observation.glimpse), Array.from(b.reset({ seed: 2, options: { index: 7 } }).observation.glimpse));
  const c = make('cluttered-mnist', { split: 'test', dataSeed: 5 }) as GlimpseEnv;
  assert.not.equal(Array.from(c.reset({ options: { index: 7 } }).observation.glimpse), Array.from(a.reset({ options: { index: 7 } }).observation.glimpse), 'dataSeed changes the test images');
  const m = make('mnist', { split: 'validation' }) as GlimpseEnv;
  assert.is(m.numItems, 5000);
});

test.run();

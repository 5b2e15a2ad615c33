/**
 * The `shapes` env: registered, passes checkEnv on every split, fixed held-out images, balanced
 * labels, one-line kwarg errors, and GlimpseEnv's render() (a copy of the whole current image).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkEnv, listEnvs, make, makeVector } from '../envs';
import { ShapesSource } from '../envs/tasks/shapes-source';
import { Rng } from '../envs/rng';
import type { GlimpseEnv } from '../envs/vision/glimpse-env';

test('registered with one line; checkEnv passes on every split', () => {
  const listed = listEnvs().find((e) => e.id === 'shapes');
  assert.ok(listed && !listed.description.includes('\n'));
  for (const split of ['train', 'validation', 'test']) {
    const report = checkEnv(make('shapes', { split }));
    assert.ok(report.episodes > 0 && report.steps > 0, split);
  }
  const env = make('shapes', { split: 'test' });
  assert.is(env.numItems, 2000);
  assert.is(env.spec?.maxEpisodeSteps, 6);
  assert.equal(env.observationSpace.toJSON(), { kind: 'dict', spaces: { glimpse: { kind: 'box', shape: [3, 8, 8], low: 0, high: 1 }, location: { kind: 'box', shape: [2], low: -1, high: 1 } } });
});

test('held-out item i is the same image in every env and run; training images are fresh', () => {
  const a = make('shapes', { split: 'test' }) as GlimpseEnv;
  const b = make('shapes', { split: 'test' }) as GlimpseEnv;
  a.reset({ seed: 1, options: { index: 5 } });
  b.reset({ seed: 99, options: { index: 5 } });
  assert.equal(a.render().pixels, b.render().pixels);
  const t = make('shapes', { split: 'train' }) as GlimpseEnv;
  t.reset({ seed: 1, options: { index: 5 } });
  const first = t.render().pixels;
  t.reset({ options: { index: 5 } });
  assert.not.equal(first, t.render().pixels);
  const v = make('shapes', { split: 'validation' }) as GlimpseEnv;
  v.reset({ seed: 1, options: { index: 5 } });
  assert.not.equal(v.render().pixels, a.render().pixels, 'validation and test differ');
});

test('labels are index % 4, episodes end with info.label; the four classes draw differently', () => {
  const env = makeVector('shapes', 8, { split: 'test' });
  const reset = env.reset({ seed: 3, options: Array.from({ length: 8 }, (_, i) => ({ index: 100 + i })) });
  assert.is(reset.observations.glimpse.length, 8 * 3 * 64);
  let step;
  for (let t = 0; t < 6; t++) step = env.step({ location: new Float32Array(16), label: new Int32Array(8) });
  assert.equal(step!.infos.map((i) => i.label), [0, 1, 2, 3, 0, 1, 2, 3]);
  assert.equal(Array.from(step!.terminated), [1, 1, 1, 1, 1, 1, 1, 1]);
  env.close();
  // Same rng stream, different class: the filled area differs (square > circle > triangle, cross).
  const src = new ShapesSource(4);
  const area = (label: number) => src.get(label, new Rng(7)).pixels.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
  const areas = [0, 1, 2, 3].map(area);
  assert.ok(new Set(areas).size === 4, `areas ${areas}`);
  assert.ok(areas.every((a) => a > 10 && a < 400), `areas ${areas}`);
  assert.equal(src.get(2).pixels, src.get(2).pixels, 'standalone get is seeded per index');
});

test('render(): a fresh copy of the whole 40x40 image; errors before reset and after close', () => {
  const env = make('shapes', { split: 'test' }) as GlimpseEnv;
  assert.throws(() => env.render(), /^GlimpseEnv.render: call reset\(\) before render\(\)$/);
  env.reset({ options: { index: 0 } });
  const f = env.render();
  assert.is(f.width, 40);
  assert.is(f.height, 40);
  assert.ok(f.pixels.every((v) => v >= 0 && v <= 1) && f.pixels.some((v) => v > 0));
  f.pixels.fill(0);
  assert.ok(env.render().pixels.some((v) => v > 0), 'render returns a copy');
  env.close();
  assert.throws(() => env.render(), /the env is closed/);
});

test('bad kwargs fail with one line naming the key', () => {
  assert.throws(() => make('shapes', { split: 'val' }), /^env 'shapes': split must be one of train, validation, test, got "val"$/);
  assert.throws(() => make('shapes', { colour: 1 }), /^env 'shapes': unknown option 'colour'; allowed: split, glimpses, glimpseSize, scales, distractors, dataSeed, context$/);
  assert.throws(() => make('shapes', { distractors: -1 }), /^env 'shapes': distractors must be an integer in \[0, 64\], got -1$/);
  // Bounded: every reset pastes this many crops, so 1e9 would hang the first episode.
  assert.throws(() => make('shapes', { distractors: 1e9 }), /^env 'shapes': distractors must be an integer in \[0, 64\], got 1000000000$/);
  assert.throws(() => make('shapes', { dataSeed: 1.5 }), /dataSeed must be an integer in \[0, 4294967295\], got 1.5/);
  assert.throws(() => make('shapes', { glimpses: 0 }), /glimpses must be an integer in \[1, 1000\], got 0/);
  assert.throws(() => new ShapesSource(0), /size must be a positive integer, got 0/);
  assert.throws(() => new ShapesSource(4).get(4), /shape index must be an integer in \[0, 3\], got 4/);
});

test.run();

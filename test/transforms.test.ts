import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../envs/rng';
import { ArrayImageSource } from '../envs/vision/image-source';
import { ClutterTransform, ShiftTransform, TranslateTransform, pasteMax } from '../envs/vision/transforms';
import { make } from '../envs/registry';
import '../envs/tasks';
import { mnistSource } from '../envs/vision/mnist';

/** 6 images of 10x10: image i is a filled 10x10 square of value (i + 1) / 10, label i % 3. */
function squares(): ArrayImageSource {
  const pixels = new Float32Array(6 * 100);
  for (let i = 0; i < 6; i++) pixels.fill((i + 1) / 10, i * 100, (i + 1) * 100);
  return new ArrayImageSource({ width: 10, height: 10, numClasses: 3, pixels, labels: [0, 1, 2, 0, 1, 2] });
}

function box(pixels: Float32Array, W: number): { rows: number[]; cols: number[] } {
  const rows: number[] = [], cols: number[] = [];
  pixels.forEach((v, i) => {
    if (v > 0) {
      rows.push(Math.floor(i / W));
      cols.push(i % W);
    }
  });
  return { rows: [Math.min(...rows), Math.max(...rows)], cols: [Math.min(...cols), Math.max(...cols)] };
}

test('pasteMax keeps the brighter value and rejects blocks that leave either image', () => {
  const dst = new Float32Array(16).fill(0.5);
  const src = Float32Array.from([0.2, 0.9, 0.7, 0.1]);
  pasteMax(dst, 4, 4, 1, 2, src, 2, 2, 0, 0, 2, 2);
  assert.equal(Array.from(dst.subarray(4, 12)).map((v) => +v.toFixed(2)), [0.5, 0.5, 0.5, 0.9, 0.5, 0.5, 0.7, 0.5]);
  assert.throws(() => pasteMax(dst, 4, 4, 3, 3, src, 2, 2, 0, 0, 2, 2), /2x2 block at \(3, 3\) leaves the 4x4 canvas/);
  assert.throws(() => pasteMax(dst, 4, 4, 0, 0, src, 2, 2, 1, 0, 2, 2), /leaves the 2x2 source/);
});

test('translate: the whole digit lands inside the canvas, unchanged, at seeded positions that vary', () => {
  const src = squares();
  const t = new TranslateTransform(30, 20);
  const positions = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const out = t.apply(src.get(2), src, new Rng(seed));
    assert.is(out.pixels.length, 600);
    assert.is(out.label, 2);
    const b = box(out.pixels, 30);
    assert.is(b.rows[1] - b.rows[0], 9);
    assert.is(b.cols[1] - b.cols[0], 9);
    assert.ok(Math.abs(out.pixels.reduce((a, v) => a + v, 0) - 30) < 1e-4, 'mass preserved');
    positions.add(`${b.rows[0]},${b.cols[0]}`);
    const again = t.apply(src.get(2), src, new Rng(seed));
    assert.equal(Array.from(again.pixels), Array.from(out.pixels), 'same seed, same image');
  }
  assert.ok(positions.size > 20, `only ${positions.size} distinct positions`);
  assert.throws(() => new TranslateTransform(8, 40).apply(src.get(0), src, new Rng(0)), /10x10 source images do not fit the 8x40 canvas/);
});

test('shift: moves the image by whole pixels within [-s, s], drops what leaves, covers every offset, seeded', () => {
  const W = 5;
  const pixels = new Float32Array(25);
  pixels[2 * W + 2] = 1; // one lit pixel in the centre
  const src = new ArrayImageSource({ width: W, height: W, numClasses: 1, pixels, labels: [0] });
  const t = new ShiftTransform(W, W, 2);
  const seen = new Set<string>();
  const rng = new Rng(3);
  for (let i = 0; i < 400; i++) {
    const out = t.apply(src.get(0), src, rng, 0).pixels;
    const lit = [...out.keys()].filter((k) => out[k] > 0);
    assert.is(lit.length, 1);
    const dy = Math.floor(lit[0] / W) - 2, dx = (lit[0] % W) - 2;
    assert.ok(Math.abs(dx) <= 2 && Math.abs(dy) <= 2, `offset ${dx},${dy}`);
    seen.add(`${dx},${dy}`);
  }
  assert.is(seen.size, 25);
  const a = t.apply(src.get(0), src, new Rng(9), 0).pixels, b = t.apply(src.get(0), src, new Rng(9), 0).pixels;
  assert.equal(Array.from(a), Array.from(b));
  // A full image shifted right by 2 loses its 2 right columns and gains a black left border.
  const full = new ArrayImageSource({ width: W, height: W, numClasses: 1, pixels: new Float32Array(25).fill(1), labels: [0] });
  const sum = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
  const total = sum(new ShiftTransform(W, W, 2).apply(full.get(0), full, new Rng(1), 0).pixels);
  assert.ok(total >= 9 && total <= 25);
  assert.throws(() => new ShiftTransform(W, W, 5), /maxShift must be an integer in \[0, 4\], got 5/);
});

test('mnist trainShift: shifts training digits only; tasks already translated refuse it', () => {
  const train = make('mnist', { trainShift: 2 });
  const plain = make('mnist');
  const r1 = train.reset({ seed: 4, options: { index: 7 } }) as { observation: { glimpse: Float32Array } };
  const r2 = plain.reset({ seed: 4, options: { index: 7 } }) as { observation: { glimpse: Float32Array } };
  assert.is(r1.observation.glimpse.length, r2.observation.glimpse.length);
  const val = make('mnist', { trainShift: 2, split: 'validation' }).reset({ seed: 4, options: { index: 7 } }) as { observation: { glimpse: Float32Array } };
  const valPlain = make('mnist', { split: 'validation' }).reset({ seed: 4, options: { index: 7 } }) as { observation: { glimpse: Float32Array } };
  assert.equal(Array.from(val.observation.glimpse), Array.from(valPlain.observation.glimpse));
  assert.throws(() => make('translated-mnist', { trainShift: 2 }), /trainShift must be 0 here/);
  assert.throws(() => make('mnist', { trainShift: 20 }), /trainShift must be an integer in \[0, 13\], got 20/);
});

test('clutter: the digit stays intact, k crops of OTHER images are added, deterministic by seed', () => {
  const src = squares();
  const c = new ClutterTransform({ width: 40, height: 40, distractors: 3, cropSize: 4 });
  for (let seed = 0; seed < 30; seed++) {
    const own = 5; // value 0.6: distractor values 0.1..0.5 never exceed the digit under max-blending
    const out = c.apply(src.get(own), src, new Rng(seed), own);
    const values = new Set(Array.from(out.pixels).map((v) => +v.toFixed(3)));
    assert.ok(values.has(0.6), 'the digit is there');
    assert.ok([...values].every((v) => v === 0.6 || v <= 0.5 + 1e-6), 'only the digit and distractor values');
    // The digit's 10x10 square is intact: exactly 100 pixels of 0.6.
    assert.is(Array.from(out.pixels).filter((v) => Math.abs(v - 0.6) < 1e-6).length, 100);
    // Distractor mass: between 1 and 3 crops of 16 pixels (crops may overlap each other or the digit).
    const clutter = Array.from(out.pixels).filter((v) => v > 0 && Math.abs(v - 0.6) > 1e-6).length;
    assert.ok(clutter > 0 && clutter <= 48, `clutter pixels ${clutter}`);
    assert.equal(Array.from(c.apply(src.get(own), src, new Rng(seed), own).pixels), Array.from(out.pixels));
  }
  const none = new ClutterTransform({ width: 40, height: 40, distractors: 0 });
  assert.is(none.apply(src.get(1), src, new Rng(1), 1).pixels.filter((v) => v > 0).length, 100);
  assert.throws(() => new ClutterTransform({ width: 40, height: 40, distractors: -1 }), /distractors must be an integer in \[0, 1024\], got -1/);
  assert.throws(() => new ClutterTransform({ width: 40, height: 40, distractors: 1e9 }), /distractors must be an integer in \[0, 1024\], got 1000000000/);
  assert.throws(() => new ClutterTransform({ width: 40, height: 40, distractors: 2, cropSize: 41 }), /cropSize must be an integer in \[1, 40\], got 41/);
  assert.throws(() => new ClutterTransform({ width: 40, height: 40, distractors: 2, cropSize: 12 }).apply(src.get(0), src, new Rng(0), 0), /cropSize 12 is larger than the 10x10 source/);
});

test('cluttered MNIST 60x60: values in [0,1], digit mass kept, clutter present', () => {
  const src = mnistSource('validation');
  const c = new ClutterTransform({ width: 60, height: 60, distractors: 4, cropSize: 8 });
  const rng = new Rng(11);
  let extra = 0;
  for (let i = 0; i < 20; i++) {
    const img = src.get(i);
    const out = c.apply(img, src, rng, i);
    assert.ok(out.pixels.every((v) => v >= 0 && v <= 1));
    const digitMass = img.pixels.reduce((a, v) => a + v, 0);
    const total = out.pixels.reduce((a, v) => a + v, 0);
    assert.ok(total >= digitMass - 1e-3, 'max-blending never removes digit ink');
    extra += total - digitMass;
  }
  assert.ok(extra > 0, 'distractors add ink');
});

test.run();

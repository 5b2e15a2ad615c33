import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../envs/rng';
import { Retina, RetinaImage, locationToPixel } from '../envs/vision/retina';
import { rectSum, summedAreaTable } from '../envs/vision/summed-area-table';

/** Brute-force reference of the documented geometry (no table, explicit bounds). */
function reference(px: Float32Array, W: number, H: number, g: number, scales: number, cx: number, cy: number): Float64Array {
  const out = new Float64Array(scales * g * g);
  for (let s = 0; s < scales; s++) {
    const k = 2 ** s, p = g * k;
    const r0 = Math.floor(cy - p / 2 + 0.5), c0 = Math.floor(cx - p / 2 + 0.5);
    for (let i = 0; i < g; i++) {
      for (let j = 0; j < g; j++) {
        let sum = 0;
        for (let a = 0; a < k; a++) {
          for (let b = 0; b < k; b++) {
            const r = r0 + i * k + a, c = c0 + j * k + b;
            if (r >= 0 && r < H && c >= 0 && c < W) sum += px[r * W + c];
          }
        }
        out[s * g * g + i * g + j] = sum / (k * k);
      }
    }
  }
  return out;
}

/** A 10x10 image whose pixel (r, c) is (10r + c) / 100: every patch value is predictable. */
function ramp(W = 10, H = 10): Float32Array {
  return Float32Array.from({ length: W * H }, (_, i) => (10 * Math.floor(i / W) + (i % W)) / 100);
}

function close(actual: Float32Array, expected: ArrayLike<number>, tol = 1e-6, what = ''): void {
  assert.is(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (Math.abs(actual[i] - expected[i]) > tol) assert.unreachable(`${what} value ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

test('location mapping: (-1,-1) top-left corner, (0,0) centre, reach scales the offset', () => {
  assert.is(locationToPixel(-1, 1, 60), 0);
  assert.is(locationToPixel(0, 1, 60), 30);
  assert.is(locationToPixel(1, 1, 60), 60);
  assert.is(locationToPixel(1, 0.5, 60), 45);
});

test('summed-area table: rectangle sums match brute force, clipped outside the image', () => {
  const px = ramp();
  const sat = summedAreaTable(px, 10, 10);
  assert.is(sat.length, 121);
  assert.ok(Math.abs(rectSum(sat, 10, 10, 0, 0, 10, 10) - px.reduce((a, b) => a + b, 0)) < 1e-5);
  assert.ok(Math.abs(rectSum(sat, 10, 10, 2, 3, 4, 5) - (px[23] + px[24] + px[33] + px[34])) < 1e-6);
  assert.ok(Math.abs(rectSum(sat, 10, 10, -5, -5, 1, 1) - px[0]) <= 2 ** -23, 'clipped to the one inside pixel (fixed-point rounding only)');
  assert.is(rectSum(sat, 10, 10, 20, 20, 30, 30), 0);
  assert.throws(() => summedAreaTable(px, 9, 10), /100 pixels, 9x10 needs 90/);
});

test('scale 0 at the centre of a 10x10 ramp is the exact 4x4 centre block', () => {
  const retina = new Retina({ glimpseSize: 4, scales: 1 });
  const img = new RetinaImage().set(ramp(), 10, 10, false);
  const out = new Float32Array(16);
  retina.extract(img, 0, 0, 1, out);
  // Centre pixel point (5, 5); top-left = floor(5 - 2 + 0.5) = 3: rows/cols 3..6.
  close(out, [0.33, 0.34, 0.35, 0.36, 0.43, 0.44, 0.45, 0.46, 0.53, 0.54, 0.55, 0.56, 0.63, 0.64, 0.65, 0.66]);
});

test('corners and borders are zero-padded: top-left, bottom-right, off the left edge', () => {
  const retina = new Retina({ glimpseSize: 4, scales: 1 });
  const img = new RetinaImage().set(ramp(), 10, 10, false);
  const out = new Float32Array(16);
  retina.extract(img, -1, -1, 1, out);
  // Centre (0, 0): rows/cols -2..1; only the 2x2 block of pixels (0..1, 0..1) is inside.
  close(out, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.01, 0, 0, 0.1, 0.11]);
  retina.extract(img, 1, 1, 1, out);
  // Centre (10, 10): rows/cols 8..11.
  close(out, [0.88, 0.89, 0, 0, 0.98, 0.99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // Centre column 0.5 -> cols floor(0.5 - 2 + 0.5) = -1 .. 2; row centre 5 -> rows 3..6.
  retina.extractAtPixel(img, 0.5, 5, out);
  close(out, [0, 0.3, 0.31, 0.32, 0, 0.4, 0.41, 0.42, 0, 0.5, 0.51, 0.52, 0, 0.6, 0.61, 0.62]);
  // Entirely outside: all zeros.
  retina.extractAtPixel(img, -50, 5, out);
  close(out, new Float32Array(16));
});

test('coarse scales average 2^s blocks; a half-outside block counts the outside as 0', () => {
  const retina = new Retina({ glimpseSize: 2, scales: 3 });
  const px = ramp();
  const img = new RetinaImage().set(px, 10, 10, true);
  const out = new Float32Array(12);
  retina.extract(img, 0, 0, 1, out);
  // Scale 1: side 4, rows/cols 3..6, 2x2 blocks. Scale 2: side 8, rows/cols 1..8, 4x4 blocks.
  const mean = (r: number, c: number, k: number) => {
    let s = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) s += px[(r + a) * 10 + c + b];
    return s / (k * k);
  };
  close(out, [0.44, 0.45, 0.54, 0.55, mean(3, 3, 2), mean(3, 5, 2), mean(5, 3, 2), mean(5, 5, 2), mean(1, 1, 4), mean(1, 5, 4), mean(5, 1, 4), mean(5, 5, 4)]);
  // Top-left corner at scale 2: side 8 from (-4, -4); block (0, 0) is all outside, block (1, 1)
  // covers pixels 0..3 x 0..3 (all inside); block (0, 1) only rows 0..-1 -> outside -> 0.
  retina.extract(img, -1, -1, 1, out);
  close(out.subarray(8), [0, 0, 0, mean(0, 0, 4)]);
});

test('random locations, sizes and scales agree with the brute-force reference', () => {
  const rng = new Rng(3);
  for (const [W, H, g, scales] of [[28, 28, 8, 1], [60, 60, 12, 3], [60, 60, 8, 3], [100, 100, 12, 4], [17, 23, 5, 3], [9, 9, 3, 4]]) {
    const px = Float32Array.from({ length: W * H }, () => (rng.uniform() < 0.3 ? rng.uniform() : 0));
    const img = new RetinaImage().set(px, W, H, scales > 1);
    const retina = new Retina({ glimpseSize: g, scales });
    const out = new Float32Array(retina.outputSize + 3);
    for (let n = 0; n < 60; n++) {
      const x = rng.uniformRange(-1.2, 1.2), y = rng.uniformRange(-1.2, 1.2);
      retina.extract(img, x, y, 1, out, 3);
      const ref = reference(px, W, H, g, scales, locationToPixel(x, 1, W), locationToPixel(y, 1, H));
      close(out.subarray(3), ref, 1e-6, `${W}x${H} g=${g} k=${scales} at (${x.toFixed(3)}, ${y.toFixed(3)})`);
      for (const v of out.subarray(3)) assert.ok(v >= 0 && v <= 1, `value ${v} outside [0, 1]`);
    }
  }
});

test('an all-ones image gives exactly 1 inside and exactly 0 outside at every scale', () => {
  const retina = new Retina({ glimpseSize: 4, scales: 3 });
  const img = new RetinaImage().set(new Float32Array(32 * 32).fill(1), 32, 32, true);
  const out = new Float32Array(retina.outputSize);
  retina.extract(img, 0, 0, 1, out);
  assert.ok(out.every((v) => v === 1));
  retina.extractAtPixel(img, 1000, 1000, out);
  assert.ok(out.every((v) => v === 0 && !Object.is(v, -0)));
});

test('bad configurations and calls throw one clear line', () => {
  assert.throws(() => new Retina({ glimpseSize: 0, scales: 1 }), /glimpseSize must be an integer in \[1, 1024\], got 0/);
  assert.throws(() => new Retina({ glimpseSize: 8, scales: 1.5 }), /scales must be an integer in \[1, 8\], got 1.5/);
  const retina = new Retina({ glimpseSize: 4, scales: 2 });
  const flat = new RetinaImage().set(ramp(), 10, 10, false);
  assert.throws(() => retina.extract(flat, 0, 0, 1, new Float32Array(32)), /no summed-area table/);
  const img = new RetinaImage().set(ramp(), 10, 10, true);
  assert.throws(() => retina.extract(img, 0, 0, 1, new Float32Array(31)), /out has 31 values, glimpse needs 32 at offset 0/);
  assert.throws(() => retina.extract(img, NaN, 0, 1, new Float32Array(32)), /glimpse centre must be finite/);
  assert.throws(() => new RetinaImage().set(new Float32Array(5), 2, 2, false), /5 pixels, 2x2 needs 4/);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ArrayImageSource } from '../envs/vision/image-source';

const bytes = Uint8Array.from({ length: 3 * 5 * 4 }, (_, i) => (i * 37) % 256);
const source = new ArrayImageSource({ width: 5, height: 4, numClasses: 2, pixels: bytes, labels: [0, 1, 0], start: 1 });

test('getRegion gives exactly the crop of get (bytes scaled as get scales them)', () => {
  const whole = source.get(1).pixels;
  const out = new Float32Array(6);
  source.getRegion(1, 1, 2, 2, 3, out);
  const expected = Float32Array.of(whole[7], whole[8], whole[9], whole[12], whole[13], whole[14]);
  assert.equal(Array.from(out), Array.from(expected));
});

test('getRegion on float pixels copies values', () => {
  const f = new ArrayImageSource({ width: 2, height: 2, numClasses: 1, pixels: Float32Array.of(0.1, 0.2, 0.3, 0.4), labels: [0] });
  const out = new Float32Array(2);
  f.getRegion(0, 1, 0, 1, 2, out);
  assert.equal(Array.from(out), [Math.fround(0.3), Math.fround(0.4)]);
});

test('getRegion rejects blocks outside the image, bad indices and short buffers', () => {
  assert.throws(() => source.getRegion(0, 3, 0, 2, 2, new Float32Array(4)), /2x2 block at \(3, 0\) must lie inside the 4x5 image/);
  assert.throws(() => source.getRegion(2, 0, 0, 1, 1, new Float32Array(1)), /image index must be an integer in \[0, 1\], got 2/);
  assert.throws(() => source.getRegion(0, 0, 0, 2, 2, new Float32Array(3)), /out has 3 values, a 2x2 block needs 4/);
});

test.run();

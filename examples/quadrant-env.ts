/**
 * A new visual task in a user's own package: a bright 6x6 square in one of the four quadrants of
 * a 24x24 image with faint noise; the class is the quadrant. Load it with
 * `rl-run --require ./quadrant-env.js --env quadrant`.
 */
import { ArrayImageSource, registerImageTask } from 'glimpse-gym';

const SIZE = 24;

/** `count` labelled images; a small LCG seeded by `seed` places the squares and the noise. */
function quadrantImages(count: number, seed: number): ArrayImageSource {
  const pixels = new Float32Array(count * SIZE * SIZE);
  const labels = new Int32Array(count);
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < count; i++) {
    const label = Math.floor(rand() * 4);
    labels[i] = label;
    const image = pixels.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE);
    for (let p = 0; p < image.length; p++) image[p] = 0.1 * rand();
    const top = (label >> 1) * 12 + 1 + Math.floor(rand() * 5);
    const left = (label & 1) * 12 + 1 + Math.floor(rand() * 5);
    for (let r = top; r < top + 6; r++) for (let c = left; c < left + 6; c++) image[r * SIZE + c] = 1;
  }
  return new ArrayImageSource({ width: SIZE, height: SIZE, numClasses: 4, pixels, labels });
}

registerImageTask('quadrant', {
  description: 'which quadrant of a 24x24 image holds the square (user package example)',
  splits: { train: quadrantImages(2000, 1), validation: quadrantImages(200, 2), test: quadrantImages(200, 3) },
  glimpses: 3, glimpseSize: 6, scales: 2,
});

/**
 * `shapes`: a 20x20 square, circle, triangle or cross at a random place of a 40x40 canvas, with
 * 6x6 crops of other shapes as clutter; 6 glimpses of 3x8x8. Drawn procedurally: no download.
 * Training images are fresh every episode; validation/test item i is fixed by (dataSeed, split, i).
 */
import { register } from '../registry';
import { assertSeed, hashSeed } from '../rng';
import { GlimpseEnv, glimpseEpisodeSteps } from '../vision/glimpse-env';
import { ClutterTransform } from '../vision/transforms';
import { ShapesSource } from './shapes-source';

/** Images per split (an epoch of `train` is this many episodes). */
const SPLIT_SIZES: Record<string, number> = { train: 12000, validation: 1000, test: 2000 };

register('shapes', {
  description: 'procedural squares/circles/triangles/crosses on a cluttered 40x40 canvas; 6 glimpses of 3x8x8 (no download)',
  // Every accepted kwarg with its default; `make` rejects any other key.
  defaultKwargs: { split: 'train', glimpses: 6, glimpseSize: 8, scales: 3, distractors: 4, dataSeed: 7, context: 0 },
  maxEpisodeSteps: glimpseEpisodeSteps,
  entryPoint: (kw) => {
    const split = kw.split as string;
    if (!Object.keys(SPLIT_SIZES).includes(split)) {
      throw new RangeError(`env 'shapes': split must be one of train, validation, test, got ${JSON.stringify(kw.split)}`);
    }
    assertSeed(kw.dataSeed, "env 'shapes': dataSeed");
    const d = kw.distractors;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 64) throw new RangeError(`env 'shapes': distractors must be an integer in [0, 64], got ${JSON.stringify(d)}`);
    return new GlimpseEnv({
      source: new ShapesSource(SPLIT_SIZES[split]),
      transform: new ClutterTransform({ width: 40, height: 40, distractors: d, cropSize: 6 }),
      glimpses: kw.glimpses as number,
      glimpseSize: kw.glimpseSize as number,
      scales: kw.scales as number,
      // Held-out item i always draws from Rng(hashSeed(fixedSeed, i)): the same images for everyone.
      fixedSeed: split === 'train' ? undefined : hashSeed(kw.dataSeed, split === 'validation' ? 1 : 2),
      context: kw.context as number,
      name: "env 'shapes'", // GlimpseEnv's own errors then name the env id
    });
  },
});

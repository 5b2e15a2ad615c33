/**
 * `registerImageTask(id, options)`: a glimpse-classification task from your own labelled images,
 * with separate train, validation and test images, registered so `rl-run --env <id>` and
 * `make(id, {split})` work like the built-in tasks. It accepts the kwargs the runner passes
 * (`split`) and the usual glimpse settings, each with the default you give.
 *
 * Training episodes draw the transform (translation, clutter) afresh from the env RNG;
 * validation and test item i draw it from `Rng(hashSeed(dataSeed, split, i))`, so every run
 * scores on the same held-out images.
 */
import type { Env } from '../core';
import { register, type EnvRegistration } from '../registry';
import { assertSeed, hashSeed } from '../rng';
import { GlimpseEnv, START_LOCATIONS, glimpseEpisodeSteps, type StartLocation } from './glimpse-env';
import type { ImageSource } from './image-source';
import type { ImageTransform } from './transforms';

/** The splits the runner asks for (`split` kwarg). */
export const IMAGE_TASK_SPLITS = ['train', 'validation', 'test'] as const;
/** One split name. */
export type ImageTaskSplit = (typeof IMAGE_TASK_SPLITS)[number];

/** Options of {@link imageTask} / {@link registerImageTask}. */
export interface ImageTaskOptions {
  /** One line for `rl-run list`. */
  description: string;
  /** The labelled images of each split (for example `ArrayImageSource` views with `start`/`count` of one array). */
  splits: Record<ImageTaskSplit, ImageSource>;
  /** Default glimpses per episode (kwarg `glimpses`). */
  glimpses: number;
  /** Default retina patch side in pixels (kwarg `glimpseSize`). */
  glimpseSize: number;
  /** Default retina scales (kwarg `scales`). */
  scales: number;
  /** Per-episode image transform of a split (translation, clutter ...); none when absent or undefined. */
  transform?: (split: ImageTaskSplit) => ImageTransform | undefined;
  /** Default start location (kwarg `startLocation`, default `'center'`). */
  startLocation?: StartLocation;
  /** Default reach (kwarg `reach`, default 1). */
  reach?: number;
  /** Default seed of the held-out transforms (kwarg `dataSeed`, default 0). */
  dataSeed?: number;
  /** Default side of the coarse context view (kwarg `context`, default 0 = none; see `GlimpseEnvOptions.context`). */
  context?: number;
}

/** The {@link EnvRegistration} of an image task (see module doc); {@link registerImageTask} registers it. */
export function imageTask(id: string, options: ImageTaskOptions): EnvRegistration {
  for (const split of IMAGE_TASK_SPLITS) {
    const s = options.splits?.[split];
    if (!s || typeof s.get !== 'function') throw new TypeError(`image task '${id}': splits.${split} must be an ImageSource (give train, validation and test images)`);
  }
  const { train } = options.splits;
  for (const split of ['validation', 'test'] as const) {
    const s = options.splits[split];
    if (s.width !== train.width || s.height !== train.height || s.numClasses !== train.numClasses) {
      throw new RangeError(`image task '${id}': splits.${split} is ${s.width}x${s.height} with ${s.numClasses} classes, train is ${train.width}x${train.height} with ${train.numClasses}`);
    }
  }
  return {
    description: options.description,
    defaultKwargs: {
      split: 'train',
      glimpses: options.glimpses,
      glimpseSize: options.glimpseSize,
      scales: options.scales,
      startLocation: options.startLocation ?? 'center',
      reach: options.reach ?? 1,
      dataSeed: options.dataSeed ?? 0,
      context: options.context ?? 0,
    },
    maxEpisodeSteps: glimpseEpisodeSteps,
    entryPoint: (kw): Env => {
      const split = kw.split as ImageTaskSplit;
      if (!IMAGE_TASK_SPLITS.includes(split)) throw new RangeError(`env '${id}': split must be one of ${IMAGE_TASK_SPLITS.join(', ')}, got ${JSON.stringify(kw.split)}`);
      if (!START_LOCATIONS.includes(kw.startLocation as StartLocation)) throw new RangeError(`env '${id}': startLocation must be one of ${START_LOCATIONS.join(', ')}, got ${JSON.stringify(kw.startLocation)}`);
      assertSeed(kw.dataSeed, `env '${id}': dataSeed`);
      return new GlimpseEnv({
        source: options.splits[split],
        transform: options.transform?.(split),
        glimpses: kw.glimpses as number,
        glimpseSize: kw.glimpseSize as number,
        scales: kw.scales as number,
        startLocation: kw.startLocation as StartLocation,
        reach: kw.reach as number,
        fixedSeed: split === 'train' ? undefined : hashSeed(kw.dataSeed as number, split === 'validation' ? 1 : 2),
        context: kw.context as number,
        name: `env '${id}'`,
      });
    },
  };
}

/** Registers an image task under `id` (see module doc). */
export function registerImageTask(id: string, options: ImageTaskOptions): void {
  register(id, imageTask(id, options));
}

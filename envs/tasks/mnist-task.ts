/**
 * What the four MNIST glimpse tasks share: their kwargs (validated, with per-task defaults) and
 * the builder that turns kwargs into a `GlimpseEnv` over an MNIST split.
 */
import type { Env } from '../core';
import { assertSeed, hashSeed } from '../rng';
import type { EnvKwargs, EnvRegistration } from '../registry';
import { GlimpseEnv, START_LOCATIONS, glimpseEpisodeSteps, type StartLocation } from '../vision/glimpse-env';
import type { ImageSource } from '../vision/image-source';
import { MNIST_SPLITS, mnistSource, type MnistSplit } from '../vision/mnist';
import { ShiftTransform, type ImageTransform } from '../vision/transforms';

/** Default `dataSeed`: fixes the generated validation/test images for every run and user. */
export const DEFAULT_DATA_SEED = 20140624;

/** The kwargs every MNIST glimpse task accepts. */
export interface MnistTaskKwargs {
  split: MnistSplit;
  /** Steps per episode T. */
  glimpses: number;
  /** Retina patch side g. */
  glimpseSize: number;
  /** Retina scales k. */
  scales: number;
  startLocation: StartLocation;
  /** Pixel centre = image centre + location * reach * size / 2. */
  reach: number;
  /** Seed of the generated validation/test images. */
  dataSeed: number;
  /**
   * Training augmentation for the untranslated task: each training episode's digit moves by up
   * to this many pixels in x and y ({@link ShiftTransform}). 0 (default) = none. Validation and
   * test images are never shifted.
   */
  trainShift: number;
  /**
   * Side c of the coarse view of the whole image each observation carries, with one extra
   * (context) step per episode; 0 (default) = none. See `GlimpseEnvOptions.context`.
   */
  context: number;
}

/** Per-task defaults of the paper settings. */
export type MnistTaskDefaults = Pick<MnistTaskKwargs, 'glimpses' | 'glimpseSize' | 'scales'>;

const SPLIT_CODE: Record<MnistSplit, number> = { train: 0, validation: 1, test: 2 };

function fail(task: string, key: string, allowed: string, got: unknown): never {
  throw new RangeError(`env '${task}': ${key} must be ${allowed}, got ${JSON.stringify(got) ?? String(got)}`);
}

function int(task: string, key: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(task, key, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

/** Checks full kwargs (defaults already merged) and returns them typed. */
export function parseMnistTaskKwargs(task: string, kwargs: EnvKwargs): MnistTaskKwargs {
  const { split, startLocation, reach, dataSeed, context } = kwargs;
  if (!MNIST_SPLITS.includes(split as MnistSplit)) fail(task, 'split', `one of ${MNIST_SPLITS.join(', ')}`, split);
  if (!START_LOCATIONS.includes(startLocation as StartLocation)) fail(task, 'startLocation', `one of ${START_LOCATIONS.join(', ')}`, startLocation);
  if (typeof reach !== 'number' || !Number.isFinite(reach) || reach <= 0) fail(task, 'reach', 'a finite number > 0', reach);
  // Its upper bound, the image side, is GlimpseEnv's check (it knows the transformed image).
  if (typeof context !== 'number' || !Number.isInteger(context) || context < 0) fail(task, 'context', 'an integer >= 0 (at most the image side)', context);
  try {
    assertSeed(dataSeed, 'dataSeed');
  } catch {
    fail(task, 'dataSeed', 'an integer in [0, 4294967295]', dataSeed);
  }
  return {
    split: split as MnistSplit,
    glimpses: int(task, 'glimpses', kwargs.glimpses, 1, 1000),
    glimpseSize: int(task, 'glimpseSize', kwargs.glimpseSize, 1, 256),
    scales: int(task, 'scales', kwargs.scales, 1, 8),
    startLocation: startLocation as StartLocation,
    reach,
    dataSeed: dataSeed as number,
    trainShift: int(task, 'trainShift', kwargs.trainShift, 0, 13),
    context,
  };
}

/**
 * The registration of an MNIST glimpse task: `makeTransform` (or none) builds the task image
 * from a split's source. Training images are generated afresh per episode from the env RNG;
 * validation/test images are a pure function of (dataSeed, split, index).
 */
export function mnistTask(
  id: string,
  description: string,
  defaults: MnistTaskDefaults,
  makeTransform?: (source: ImageSource) => ImageTransform,
): EnvRegistration {
  const defaultKwargs: EnvKwargs = { split: 'train', ...defaults, startLocation: 'center', reach: 1, dataSeed: DEFAULT_DATA_SEED, trainShift: 0, context: 0 };
  return {
    description,
    defaultKwargs,
    maxEpisodeSteps: glimpseEpisodeSteps,
    entryPoint: (kwargs): Env => {
      const k = parseMnistTaskKwargs(id, kwargs);
      if (makeTransform && k.trainShift > 0) {
        throw new RangeError(`env '${id}': trainShift must be 0 here (its images are already placed at random positions), got ${k.trainShift}`);
      }
      const source = mnistSource(k.split);
      const shift = k.trainShift > 0 && k.split === 'train' ? new ShiftTransform(source.width, source.height, k.trainShift) : undefined;
      const transform = makeTransform?.(source) ?? shift;
      return new GlimpseEnv({
        source,
        transform,
        glimpses: k.glimpses,
        glimpseSize: k.glimpseSize,
        scales: k.scales,
        startLocation: k.startLocation,
        reach: k.reach,
        fixedSeed: makeTransform && k.split !== 'train' ? hashSeed(k.dataSeed, SPLIT_CODE[k.split]) : undefined,
        context: k.context,
        name: `env '${id}'`,
      });
    },
  };
}

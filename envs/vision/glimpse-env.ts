/**
 * Visual classification as an episode: the agent sees an image only through retina glimpses,
 * chooses where to look next, and names the class on the last step.
 *
 * Generic over any {@link ImageSource} (plus an optional {@link ImageTransform}), so a new visual
 * task is a new source, not a new env. Episode of `glimpses` = T steps:
 * - `reset` picks an image (`options.index`, or a random one from the env RNG) and returns
 *   glimpse 1 at the start location (image centre, or uniform in [-1, 1]^2).
 * - `step` t < T-1: `action.location` is where glimpse t+2 is taken; reward 0.
 * - `step` T-1: `action.label` is the answer; reward 1 if right else 0; `terminated`; the
 *   observation repeats the last glimpse; `info.label` is the true class.
 *
 * With `context: c > 0` (the context network of Ba, Mnih, Kavukcuoglu 2015, "Multiple Object
 * Recognition with Visual Attention") every observation also carries `context`: the whole
 * (transformed) image area-averaged down to `c x c` values in [0, 1] (see {@link contextView}),
 * and the episode starts with one extra step, the context step, so it has T + 1 steps:
 * - `reset` returns the context with an all-zero glimpse at location [0, 0] (no glimpse is taken);
 * - `step` 0: `action.location` places glimpse 1; `step` t in 1..T-1 places glimpse t+1;
 * - `step` T reads the label, as above.
 * The glimpse budget T is unchanged (the context step is not a glimpse), and the agent chooses
 * every glimpse location, the first one from the coarse view (so `startLocation` must stay
 * `'center'`: there is no start glimpse).
 * Locations outside [-1, 1] are clipped (documented, not an error); a location that is not two
 * finite numbers, a label outside the classes, a step before `reset` or after the end throws.
 * `render()` returns the whole current image (for pictures; agents only ever see glimpses).
 */
import type { Env, Info, ResetOptions, ResetResult, StepResult } from '../core';
import type { BatchStepOutput, BatchWritableEnv } from '../batch-writable';
import type { MemoryFootprint } from '../memory-footprint';
import type { Batch } from '../vector-env';
import { Rng, assertSeed, hashSeed } from '../rng';
import { Box, Dict, Discrete } from '../spaces';
import { assertIndex, type ImageSource } from './image-source';
import { Retina, RetinaImage } from './retina';
import { rectSum } from './summed-area-table';
import type { ImageTransform } from './transforms';

/** Where the first glimpse of an episode is taken. */
export type StartLocation = 'center' | 'random';
/** Allowed {@link StartLocation} values. */
export const START_LOCATIONS: readonly StartLocation[] = ['center', 'random'];

/** Observation of a glimpse env. */
export interface GlimpseObservation {
  /** `scales * g * g` values in [0, 1], layout `[scale][row][col]`, scale 0 the finest. */
  glimpse: Float32Array;
  /** The (clipped) location `[x, y]` the glimpse was taken at. */
  location: Float32Array;
  /** Envs with `context: c > 0` only: the `c * c` coarse view of the whole image, row-major (see {@link contextView}). */
  context?: Float32Array;
}

/** Action of a glimpse env. */
export interface GlimpseAction {
  /** Next glimpse location `[x, y]` in [-1, 1] (clipped); unused on the last step. */
  location: Float32Array | readonly number[];
  /** Class answer; read on the last step only, but always checked. */
  label: number;
}

/** Options of {@link GlimpseEnv}. */
export interface GlimpseEnvOptions {
  /** The labelled images (one split). */
  source: ImageSource;
  /** Optional per-episode image transform (translation, clutter ...). */
  transform?: ImageTransform;
  /** Steps per episode T (glimpses seen), >= 1. */
  glimpses: number;
  /** Retina patch side g in pixels. */
  glimpseSize: number;
  /** Retina scales k, each patch twice as wide as the previous. */
  scales: number;
  /** Default `'center'`. */
  startLocation?: StartLocation;
  /** Pixel centre = image centre + location * reach * size / 2. Default 1. */
  reach?: number;
  /**
   * When given, the transform of item `i` draws from `Rng(hashSeed(fixedSeed, i))`, so item `i`
   * is the same image in every run (validation/test sets). Otherwise it draws from the env RNG
   * and every episode gets a fresh image (training augmentation).
   */
  fixedSeed?: number;
  /** Initial seed of the env RNG (default 0); `reset({seed})` reseeds. */
  seed?: number;
  /**
   * Side c of the coarse view of the whole image every observation carries (`context`), with one
   * extra step at the start of each episode (see module doc); 0 (default) = none. An integer in
   * [0, min(width, height)] of the (transformed) image.
   */
  context?: number;
  /**
   * How constructor errors name this env (default `'GlimpseEnv'`). Registered tasks pass
   * `env '<id>'`, so a bad kwarg is reported against the env id the user typed.
   */
  name?: string;
}

type GlimpseSpaces = { glimpse: Box; location: Box; context?: Box };
type ActionSpaces = { location: Box; label: Discrete };

function checkInt(name: string, what: string, v: unknown, lo: number, hi: number, bound = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name}: ${what} must be an integer in [${lo}, ${hi}]${bound}, got ${String(v)}`);
  return v;
}

/** The generic glimpse-classification environment. */
export class GlimpseEnv implements Env<GlimpseObservation, GlimpseAction>, BatchWritableEnv, MemoryFootprint {
  readonly observationSpace: Dict<GlimpseSpaces>;
  readonly actionSpace: Dict<ActionSpaces>;
  readonly numItems: number;
  readonly glimpses: number;
  readonly reach: number;
  readonly startLocation: StartLocation;
  /** Side c of the coarse `context` view (0: none; then episodes have `glimpses` steps, else one more). */
  readonly context: number;
  /** Steps per episode: `glimpses`, plus the context step when {@link context} > 0. */
  readonly episodeSteps: number;
  /** Width and height of the images glimpses are taken from (after the transform). */
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly retina: Retina;
  spec?: Env['spec'];

  private readonly source: ImageSource;
  private readonly transform?: ImageTransform;
  private readonly fixedSeed?: number;
  private readonly rng: Rng;
  private readonly itemRng = new Rng(0);
  private readonly image = new RetinaImage();
  private readonly sourceBuffer: Float32Array;
  /** Env-owned transform output (same reasoning as `sourceBuffer`). */
  private readonly canvas: Float32Array;
  /** The current episode's coarse view (`context * context` values; empty without context). */
  private readonly contextValues: Float32Array;
  private label = -1;
  private index = -1;
  /** Steps taken in the current episode; -1 before the first reset. */
  private t = -1;
  private x = 0;
  private y = 0;
  private closed = false;

  constructor(options: GlimpseEnvOptions) {
    const { source, transform } = options;
    const name = options.name ?? 'GlimpseEnv';
    if (!source || typeof source.get !== 'function') throw new TypeError(`${name}: options.source must be an ImageSource`);
    this.glimpses = checkInt(name, 'glimpses', options.glimpses, 1, 1000);
    this.retina = new Retina({ glimpseSize: options.glimpseSize, scales: options.scales });
    const start = options.startLocation ?? 'center';
    if (!START_LOCATIONS.includes(start)) throw new RangeError(`${name}: startLocation must be one of ${START_LOCATIONS.join(', ')}, got ${String(start)}`);
    this.startLocation = start;
    const reach = options.reach ?? 1;
    if (typeof reach !== 'number' || !Number.isFinite(reach) || reach <= 0) throw new RangeError(`${name}: reach must be a finite number > 0, got ${String(reach)}`);
    this.reach = reach;
    if (options.fixedSeed !== undefined) assertSeed(options.fixedSeed, `${name}: fixedSeed`);
    this.fixedSeed = options.fixedSeed;
    const seed = options.seed ?? 0;
    assertSeed(seed, `${name}: seed`);
    this.rng = new Rng(seed);
    this.source = source;
    this.transform = transform;
    this.numItems = source.size;
    this.sourceBuffer = new Float32Array(source.width * source.height);
    this.imageWidth = transform ? transform.width : source.width;
    this.imageHeight = transform ? transform.height : source.height;
    this.canvas = new Float32Array(transform ? this.imageWidth * this.imageHeight : 0);
    const [w, h] = [this.imageWidth, this.imageHeight];
    this.context = checkInt(name, 'context', options.context ?? 0, 0, Math.min(w, h), ` (the ${w === h ? 'side' : 'shorter side'} of the ${w}x${h} image)`);
    if (this.context > 0 && start !== 'center') {
      throw new RangeError(`${name}: startLocation must be 'center' with context ${this.context} (the agent places glimpse 1 from the coarse view), got ${start}`);
    }
    this.episodeSteps = this.glimpses + (this.context > 0 ? 1 : 0);
    this.contextValues = new Float32Array(this.context * this.context);
    const g = this.retina.glimpseSize;
    const spaces: GlimpseSpaces = { glimpse: new Box(0, 1, [this.retina.scales, g, g]), location: new Box(-1, 1, [2]) };
    if (this.context > 0) spaces.context = new Box(0, 1, [this.context, this.context]);
    this.observationSpace = new Dict(spaces);
    this.actionSpace = new Dict({ location: new Box(-1, 1, [2]), label: new Discrete(source.numClasses) });
  }

  /** Number of classes (the label action's range). */
  get numClasses(): number {
    return this.source.numClasses;
  }

  reset(options?: ResetOptions): ResetResult<GlimpseObservation> {
    const info = this.startEpisode(options);
    return { observation: this.observation(), info };
  }

  step(action: GlimpseAction): StepResult<GlimpseObservation> {
    if (typeof action !== 'object' || action === null) throw new TypeError(`GlimpseEnv.step: action must be {location: [x, y], label}, got ${String(action)}`);
    const loc = action.location;
    if (loc === null || typeof loc !== 'object' || loc.length !== 2) {
      throw new TypeError(`GlimpseEnv.step: action.location must be two numbers [x, y], got ${describe(loc)}`);
    }
    const { reward, terminated, info } = this.advance(loc[0], loc[1], action.label);
    return { observation: this.observation(), reward, terminated, truncated: false, info };
  }

  resetInto(options: ResetOptions | undefined, observations: Batch, i: number): Info {
    const info = this.startEpisode(options);
    this.observe(observations.glimpse as Float32Array, i * this.retina.outputSize, observations.location as Float32Array, 2 * i);
    if (this.context > 0) (observations.context as Float32Array).set(this.contextValues, i * this.contextValues.length);
    return info;
  }

  stepInto(actions: Batch, i: number, out: BatchStepOutput): Info {
    const loc = actions.location;
    const { reward, terminated, info } = this.advance(loc[2 * i], loc[2 * i + 1], actions.label[i]);
    this.observe(out.observations.glimpse as Float32Array, i * this.retina.outputSize, out.observations.location as Float32Array, 2 * i);
    // The coarse view is the same all episode: the row written at reset is still in place unless
    // the caller's batch moved, so it is written again (c*c values, small next to the glimpse).
    if (this.context > 0) (out.observations.context as Float32Array).set(this.contextValues, i * this.contextValues.length);
    out.rewards[i] = reward;
    out.terminated[i] = terminated ? 1 : 0;
    out.truncated[i] = 0;
    return info;
  }

  /**
   * The whole image of the current episode (after the transform: the canvas glimpses are taken
   * from), as a fresh copy: `width * height` grey values in [0, 1], row-major. For pictures
   * (viz draws the glimpses on it); not an observation. Throws before the first `reset` and
   * after `close`.
   */
  render(): { pixels: Float32Array; width: number; height: number } {
    if (this.closed) throw new Error('GlimpseEnv.render: the env is closed');
    if (this.t < 0) throw new Error('GlimpseEnv.render: call reset() before render()');
    return { pixels: Float32Array.from(this.image.pixels), width: this.imageWidth, height: this.imageHeight };
  }

  close(): void {
    this.closed = true;
    this.t = -1;
  }

  /** Source buffer, canvas, summed-area table (multi-scale retinas, context) and coarse view; observations are the batch's. */
  footprintBytes(): number {
    const table = this.needsTable ? (this.imageWidth + 1) * (this.imageHeight + 1) * 8 : 0;
    return this.sourceBuffer.byteLength + this.canvas.byteLength + table + this.contextValues.byteLength;
  }

  /** Whether the image needs its summed-area table: coarse retina scales or the context view read it. */
  private get needsTable(): boolean {
    return this.retina.needsTable || this.context > 0;
  }

  /** A fresh observation of the current step. */
  private observation(): GlimpseObservation {
    const observation: GlimpseObservation = { glimpse: new Float32Array(this.retina.outputSize), location: new Float32Array(2) };
    this.observe(observation.glimpse, 0, observation.location, 0);
    if (this.context > 0) observation.context = Float32Array.from(this.contextValues);
    return observation;
  }

  private startEpisode(options: ResetOptions | undefined): Info {
    if (this.closed) throw new Error('GlimpseEnv.reset: the env is closed');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`GlimpseEnv.reset: options must be {seed?, options?}, got ${String(options)}`);
    if (options?.seed !== undefined) {
      assertSeed(options.seed, 'GlimpseEnv.reset: seed');
      this.rng.seed(options.seed);
    }
    const extra = options?.options ?? {};
    for (const key of Object.keys(extra)) {
      if (key !== 'index') throw new RangeError(`GlimpseEnv.reset: unknown option '${key}', allowed: index`);
    }
    let index: number;
    if (extra.index !== undefined) {
      assertIndex(extra.index, this.numItems, 'GlimpseEnv.reset: options.index');
      index = extra.index;
    } else {
      index = this.rng.int(this.numItems);
    }
    const itemRng = this.fixedSeed === undefined ? this.rng : (this.itemRng.seed(hashSeed(this.fixedSeed, index)), this.itemRng);
    // The source image lands in an env-owned buffer: the retina (or the transform) reads it
    // only until the next reset, so no allocation per episode is needed for it.
    let image = this.source.get(index, itemRng, this.sourceBuffer);
    if (this.transform) image = this.transform.apply(image, this.source, itemRng, index, this.canvas);
    if (image.pixels.length !== this.imageWidth * this.imageHeight) {
      throw new Error(`GlimpseEnv: image ${index} has ${image.pixels.length} pixels, expected ${this.imageWidth}x${this.imageHeight}`);
    }
    this.image.set(image.pixels, this.imageWidth, this.imageHeight, this.needsTable);
    if (this.context > 0) contextView(this.image, this.context, this.contextValues);
    this.label = image.label;
    this.index = index;
    this.t = 0;
    if (this.startLocation === 'random') {
      this.x = Math.fround(this.rng.uniformRange(-1, 1));
      this.y = Math.fround(this.rng.uniformRange(-1, 1));
    } else {
      this.x = 0;
      this.y = 0;
    }
    return { index };
  }

  private advance(x: number, y: number, label: number): { reward: number; terminated: boolean; info: Info } {
    if (this.closed) throw new Error('GlimpseEnv.step: the env is closed');
    if (this.t < 0) throw new Error('GlimpseEnv.step: call reset() before step()');
    if (this.t >= this.episodeSteps) throw new Error(`GlimpseEnv.step: the episode ended after ${this.episodeSteps} steps; call reset() to start a new one`);
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new RangeError(`GlimpseEnv.step: action.location must be two finite numbers, got [${String(x)}, ${String(y)}]`);
    }
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= this.source.numClasses) {
      throw new RangeError(`GlimpseEnv.step: action.label must be an integer in [0, ${this.source.numClasses - 1}], got ${String(label)}`);
    }
    this.t++;
    if (this.t < this.episodeSteps) {
      // Locations outside [-1, 1] are clipped, as documented; fround so that the reported and the
      // used location are the same float32 number.
      this.x = Math.fround(x < -1 ? -1 : x > 1 ? 1 : x);
      this.y = Math.fround(y < -1 ? -1 : y > 1 ? 1 : y);
      return { reward: 0, terminated: false, info: {} };
    }
    return { reward: label === this.label ? 1 : 0, terminated: true, info: { label: this.label, index: this.index } };
  }

  /**
   * Writes the glimpse at the current location (and the location) into the given arrays; on the
   * context step (step 0 of an episode with context) no glimpse is taken: zeros at [0, 0].
   */
  private observe(glimpse: Float32Array, gOffset: number, location: Float32Array, lOffset: number): void {
    if (this.context > 0 && this.t === 0) glimpse.fill(0, gOffset, gOffset + this.retina.outputSize);
    else this.retina.extract(this.image, this.x, this.y, this.reach, glimpse, gOffset);
    location[lOffset] = this.x;
    location[lOffset + 1] = this.y;
  }
}

/**
 * Episode length of a glimpse task from its kwargs (a registration's `maxEpisodeSteps`):
 * `glimpses`, plus the context step when the `context` kwarg is a positive number.
 */
export function glimpseEpisodeSteps(kwargs: Record<string, unknown>): number {
  const context = kwargs.context;
  return (kwargs.glimpses as number) + (typeof context === 'number' && context > 0 ? 1 : 0);
}

/**
 * The coarse view of a whole image: `c x c` area averages written row-major into `out`. Cell
 * `(i, j)` is the mean of the pixels in rows `[floor(i H / c), floor((i+1) H / c))` and columns
 * `[floor(j W / c), floor((j+1) W / c))`: the exact block means when c divides the sides (60x60 at
 * c = 12: 5x5 blocks), near-equal integer bins otherwise. Each mean is four reads of the image's
 * summed-area table (the one the retina's coarse scales use), so `image` must have it.
 * Requires `1 <= c <= min(width, height)` (every bin holds at least one pixel).
 */
export function contextView(image: RetinaImage, c: number, out: Float32Array): Float32Array {
  const { width: W, height: H, sat } = image;
  if (!Number.isInteger(c) || c < 1 || c > Math.min(W, H)) throw new RangeError(`contextView: side must be an integer in [1, ${Math.min(W, H)}], got ${String(c)}`);
  if (out.length !== c * c) throw new RangeError(`contextView: out has ${out.length} values, ${c}x${c} needs ${c * c}`);
  if (sat.length !== (W + 1) * (H + 1)) throw new Error('contextView: image has no summed-area table; call RetinaImage.set(..., withTable=true)');
  for (let i = 0; i < c; i++) {
    const r0 = Math.floor((i * H) / c), r1 = Math.floor(((i + 1) * H) / c);
    for (let j = 0; j < c; j++) {
      const c0 = Math.floor((j * W) / c), c1 = Math.floor(((j + 1) * W) / c);
      out[i * c + j] = rectSum(sat, W, H, r0, c0, r1, c1) / ((r1 - r0) * (c1 - c0));
    }
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return `an array of length ${(v as ArrayLike<unknown>).length}`;
  return typeof v;
}

/**
 * The one thing a new visual environment has to supply: an indexed set of labelled grey images.
 * `GlimpseEnv` is generic over this interface, so a user writes a new task by implementing it
 * (or by wrapping arrays in {@link ArrayImageSource}), not by copying the env.
 */
import ndarray from 'ndarray';
import type { Rng } from '../rng';

/** One labelled image: `width * height` grey values in [0, 1], row-major. */
export interface LabelledImage {
  pixels: Float32Array;
  label: number;
}

/** An indexed, finite set of labelled images of one fixed size. */
export interface ImageSource {
  /** Number of images (valid indices are `0 .. size-1`). */
  readonly size: number;
  readonly width: number;
  readonly height: number;
  /** Labels are integers in `[0, numClasses)`. */
  readonly numClasses: number;
  /**
   * Image `index`. `rng` is for sources that generate their images (a fixed source ignores it).
   * The pixels are written into `out` when given (it must hold `width * height` values; reusing
   * one buffer spares the garbage of an allocation per episode), else into a fresh array.
   */
  get(index: number, rng?: Rng, out?: Float32Array): LabelledImage;
  /**
   * Optional fast path for sources whose images do not depend on `rng` (offering it promises
   * that `get` never draws from its `rng`): writes the `h x w` block of image `index` starting at
   * `(row, col)` into `out` (row-major, `h * w` values), the same values `get` would give there.
   * Transforms that need only a crop of an image (clutter) use it instead of converting the
   * whole image.
   */
  getRegion?(index: number, row: number, col: number, h: number, w: number, out: Float32Array): void;
}

/** A 2-D `[row, col]` ndarray view on a row-major image (no copy). */
export function imageView(pixels: Float32Array, width: number, height: number): ndarray.NdArray<Float32Array> {
  if (pixels.length !== width * height) throw new Error(`imageView: ${pixels.length} pixels, ${width}x${height} needs ${width * height}`);
  return ndarray(pixels, [height, width]);
}

/** Throws a one-line error unless `index` is an integer in `[0, size)`. */
export function assertIndex(index: unknown, size: number, what = 'index'): asserts index is number {
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`${what} must be an integer in [0, ${size - 1}], got ${String(index)}`);
  }
}

/** `k / 255` as float32 for every byte k (a table lookup is cheaper than a division per pixel). */
const BYTE_TO_UNIT = Float32Array.from({ length: 256 }, (_, k) => k / 255);

/** Options of {@link ArrayImageSource}. */
export interface ArrayImageSourceOptions {
  width: number;
  height: number;
  numClasses: number;
  /**
   * Pixels of all images, image-major then row-major. `Uint8Array` values are 0..255 and are
   * scaled by 1/255; `Float32Array` values must already lie in [0, 1].
   */
  pixels: Uint8Array | Float32Array;
  /** One integer label in `[0, numClasses)` per image. */
  labels: ArrayLike<number>;
  /** First image of the range this source exposes (default 0). */
  start?: number;
  /** Number of images exposed from `start` (default: all remaining). */
  count?: number;
}

/**
 * An {@link ImageSource} over images held in arrays: the way to plug your own data into
 * `GlimpseEnv`. A `start`/`count` range gives split views (train/validation) without copies.
 */
export class ArrayImageSource implements ImageSource {
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly numClasses: number;
  private readonly pixels: Uint8Array | Float32Array;
  private readonly labels: ArrayLike<number>;
  private readonly start: number;

  constructor(options: ArrayImageSourceOptions) {
    const { width, height, numClasses, pixels, labels } = options;
    for (const [k, v] of [['width', width], ['height', height], ['numClasses', numClasses]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`ArrayImageSource: ${k} must be a positive integer, got ${String(v)}`);
    }
    const area = width * height;
    if (pixels.length % area !== 0) throw new RangeError(`ArrayImageSource: ${pixels.length} pixels is not a whole number of ${width}x${height} images`);
    const total = pixels.length / area;
    if (labels.length !== total) throw new RangeError(`ArrayImageSource: ${labels.length} labels for ${total} images`);
    const start = options.start ?? 0;
    if (!Number.isInteger(start) || start < 0 || start >= total) throw new RangeError(`ArrayImageSource: start must be an integer in [0, ${total - 1}], got ${start}`);
    const count = options.count ?? total - start;
    if (!Number.isInteger(count) || count <= 0 || start + count > total) {
      throw new RangeError(`ArrayImageSource: count must be an integer in [1, ${total - start}], got ${count}`);
    }
    for (let i = start; i < start + count; i++) {
      const y = labels[i];
      if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new RangeError(`ArrayImageSource: label of image ${i} is ${y}, allowed 0..${numClasses - 1}`);
    }
    if (pixels instanceof Float32Array) {
      for (let i = start * area; i < (start + count) * area; i++) {
        const v = pixels[i];
        if (!(v >= 0 && v <= 1)) throw new RangeError(`ArrayImageSource: pixel ${i} is ${v}, Float32Array pixels must lie in [0, 1]`);
      }
    }
    this.width = width;
    this.height = height;
    this.numClasses = numClasses;
    this.pixels = pixels;
    this.labels = labels;
    this.start = start;
    this.size = count;
  }

  get(index: number, _rng?: Rng, out?: Float32Array): LabelledImage {
    assertIndex(index, this.size, 'image index');
    const area = this.width * this.height;
    const from = (this.start + index) * area;
    if (out === undefined) out = new Float32Array(area);
    else if (out.length !== area) throw new RangeError(`ArrayImageSource.get: out has ${out.length} values, a ${this.width}x${this.height} image needs ${area}`);
    const src = this.pixels;
    if (src instanceof Uint8Array) {
      for (let i = 0; i < area; i++) out[i] = BYTE_TO_UNIT[src[from + i]];
    } else {
      out.set(src.subarray(from, from + area));
    }
    return { pixels: out, label: this.labels[this.start + index] };
  }

  getRegion(index: number, row: number, col: number, h: number, w: number, out: Float32Array): void {
    assertIndex(index, this.size, 'image index');
    if (!Number.isInteger(row) || !Number.isInteger(col) || !Number.isInteger(h) || !Number.isInteger(w) || row < 0 || col < 0 || h < 0 || w < 0 || row + h > this.height || col + w > this.width) {
      throw new RangeError(`ArrayImageSource.getRegion: ${h}x${w} block at (${row}, ${col}) must lie inside the ${this.height}x${this.width} image`);
    }
    if (out.length < h * w) throw new RangeError(`ArrayImageSource.getRegion: out has ${out.length} values, a ${h}x${w} block needs ${h * w}`);
    const src = this.pixels;
    const bytes = src instanceof Uint8Array;
    for (let r = 0; r < h; r++) {
      let fi = (this.start + index) * this.width * this.height + (row + r) * this.width + col;
      for (let c = 0, o = r * w; c < w; c++, o++, fi++) out[o] = bytes ? BYTE_TO_UNIT[src[fi]] : src[fi];
    }
  }
}

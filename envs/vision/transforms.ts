/**
 * Image transforms that turn a source image into a task image: translation into a larger
 * canvas, and clutter (random crops of other images of the same split). A transform draws all its
 * randomness from the `rng` it is given, so the same seed gives the same image; `GlimpseEnv`
 * passes its own RNG for training (fresh augmentation per episode) and a per-item seeded RNG for
 * validation/test (fixed images).
 */
import type { Rng } from '../rng';
import type { ImageSource, LabelledImage } from './image-source';

/** Turns one source image into a task image of a fixed size. */
export interface ImageTransform {
  /** Width of the images this transform produces. */
  readonly width: number;
  /** Height of the images this transform produces. */
  readonly height: number;
  /**
   * Returns the task image for `image` (item `index` of `source`); `source` is there for
   * transforms that mix in other images of the same split. The pixels are written into `out`
   * when given (`width * height` values, overwritten entirely), else into a fresh array.
   */
  apply(image: LabelledImage, source: ImageSource, rng: Rng, index: number, out?: Float32Array): LabelledImage;
}

/**
 * Writes the `h x w` block of `src` at `(srcRow, srcCol)` into `dst` at `(row, col)`, keeping the
 * brighter value per pixel (so overlapping strokes stay in [0, 1] and a digit is never erased).
 * The block must fit inside both images.
 */
export function pasteMax(
  dst: Float32Array, dstWidth: number, dstHeight: number, row: number, col: number,
  src: Float32Array, srcWidth: number, srcHeight: number, srcRow: number, srcCol: number, h: number, w: number,
): void {
  if (row < 0 || col < 0 || row + h > dstHeight || col + w > dstWidth) {
    throw new RangeError(`pasteMax: ${h}x${w} block at (${row}, ${col}) leaves the ${dstHeight}x${dstWidth} canvas`);
  }
  if (srcRow < 0 || srcCol < 0 || srcRow + h > srcHeight || srcCol + w > srcWidth) {
    throw new RangeError(`pasteMax: ${h}x${w} block at (${srcRow}, ${srcCol}) leaves the ${srcHeight}x${srcWidth} source`);
  }
  // Plain row-major indexing: this runs several times per episode, where building ndarray
  // views cost as much as the copy itself.
  for (let r = 0; r < h; r++) {
    let ti = (row + r) * dstWidth + col, fi = (srcRow + r) * srcWidth + srcCol;
    for (let c = 0; c < w; c++, ti++, fi++) {
      const v = src[fi];
      if (v > dst[ti]) dst[ti] = v;
    }
  }
}

function assertCanvas(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${what}: canvas width and height must be positive integers, got ${width}x${height}`);
  }
}

function assertFits(what: string, image: LabelledImage, source: ImageSource, width: number, height: number): void {
  if (source.width > width || source.height > height) {
    throw new RangeError(`${what}: ${source.width}x${source.height} source images do not fit the ${width}x${height} canvas`);
  }
  if (image.pixels.length !== source.width * source.height) {
    throw new RangeError(`${what}: image has ${image.pixels.length} pixels, source size ${source.width}x${source.height} needs ${source.width * source.height}`);
  }
}

/** `out` zeroed (after a size check), or a fresh zero canvas. */
function canvasFor(what: string, width: number, height: number, out: Float32Array | undefined): Float32Array {
  if (out === undefined) return new Float32Array(width * height);
  if (out.length !== width * height) throw new RangeError(`${what}: out has ${out.length} values, the ${width}x${height} canvas needs ${width * height}`);
  return out.fill(0);
}

/** Places the image at a uniformly random position (fully inside) of a larger zero canvas. */
export class TranslateTransform implements ImageTransform {
  constructor(readonly width: number, readonly height: number) {
    assertCanvas('TranslateTransform', width, height);
  }

  apply(image: LabelledImage, source: ImageSource, rng: Rng, _index?: number, out?: Float32Array): LabelledImage {
    assertFits('TranslateTransform', image, source, this.width, this.height);
    const canvas = canvasFor('TranslateTransform', this.width, this.height, out);
    const row = rng.int(this.height - source.height + 1);
    const col = rng.int(this.width - source.width + 1);
    pasteMax(canvas, this.width, this.height, row, col, image.pixels, source.width, source.height, 0, 0, source.height, source.width);
    return { pixels: canvas, label: image.label };
  }
}

/** Most distractor crops {@link ClutterTransform} pastes per image. */
export const MAX_DISTRACTORS = 1024;

/** Options of {@link ClutterTransform}. */
export interface ClutterOptions {
  /** Canvas width in pixels. */
  width: number;
  /** Canvas height in pixels. */
  height: number;
  /** Number of distractor crops (the paper: 4 on 60x60, 8 on 100x100). */
  distractors: number;
  /** Side of each square distractor crop (the paper: 8). */
  cropSize?: number;
}

/**
 * Cluttered translated images (the RAM paper's cluttered MNIST): the image is translated as by
 * {@link TranslateTransform}, then `distractors` random `cropSize x cropSize` crops of other
 * random images of the same source are placed at random positions (max-blended).
 */
export class ClutterTransform implements ImageTransform {
  readonly width: number;
  readonly height: number;
  readonly distractors: number;
  readonly cropSize: number;
  private readonly translate: TranslateTransform;
  /** Reused buffer for distractor images (only read within one `apply`). */
  private scratch = new Float32Array(0);
  /** Reused `cropSize^2` buffer for distractor crops of sources with `getRegion`. */
  private readonly crop: Float32Array;

  constructor(options: ClutterOptions) {
    const { width, height, distractors } = options;
    const cropSize = options.cropSize ?? 8;
    assertCanvas('ClutterTransform', width, height);
    // Bounded: every episode pastes this many crops, so a huge count would stall every reset.
    if (!Number.isInteger(distractors) || distractors < 0 || distractors > MAX_DISTRACTORS) {
      throw new RangeError(`ClutterTransform: distractors must be an integer in [0, ${MAX_DISTRACTORS}], got ${String(distractors)}`);
    }
    if (!Number.isInteger(cropSize) || cropSize <= 0 || cropSize > width || cropSize > height) {
      throw new RangeError(`ClutterTransform: cropSize must be an integer in [1, ${Math.min(width, height)}], got ${String(cropSize)}`);
    }
    this.width = width;
    this.height = height;
    this.distractors = distractors;
    this.cropSize = cropSize;
    this.crop = new Float32Array(cropSize * cropSize);
    this.translate = new TranslateTransform(width, height);
  }

  apply(image: LabelledImage, source: ImageSource, rng: Rng, index: number, into?: Float32Array): LabelledImage {
    const out = this.translate.apply(image, source, rng, index, into);
    const k = this.cropSize;
    if (k > source.width || k > source.height) {
      throw new RangeError(`ClutterTransform: cropSize ${k} is larger than the ${source.width}x${source.height} source images`);
    }
    const area = source.width * source.height;
    if (this.scratch.length !== area) this.scratch = new Float32Array(area);
    for (let d = 0; d < this.distractors; d++) {
      // "Other digits": never the episode's own image (unless the source has only one).
      let other = rng.int(source.size);
      while (other === index && source.size > 1) other = rng.int(source.size);
      if (source.getRegion) {
        // A source that ignores the rng: converting only the k x k crop (not the whole image)
        // gives the same pixels and the same rng draws, at a fraction of the cost.
        const srcRow = rng.int(source.height - k + 1);
        const srcCol = rng.int(source.width - k + 1);
        const row = rng.int(this.height - k + 1);
        const col = rng.int(this.width - k + 1);
        source.getRegion(other, srcRow, srcCol, k, k, this.crop);
        pasteMax(out.pixels, this.width, this.height, row, col, this.crop, k, k, 0, 0, k, k);
        continue;
      }
      const src = source.get(other, rng, this.scratch);
      const srcRow = rng.int(source.height - k + 1);
      const srcCol = rng.int(source.width - k + 1);
      const row = rng.int(this.height - k + 1);
      const col = rng.int(this.width - k + 1);
      pasteMax(out.pixels, this.width, this.height, row, col, src.pixels, source.width, source.height, srcRow, srcCol, k, k);
    }
    return out;
  }
}

/**
 * Training augmentation: moves the image by a random whole number of pixels, `dx, dy` uniform in
 * `[-maxShift, maxShift]`, inside a canvas of the same size (pixels pushed out are dropped, the
 * uncovered border is 0). Against the over-fitting of a centred 28x28 task: the agent cannot
 * memorise where a stroke sits.
 */
export class ShiftTransform implements ImageTransform {
  constructor(readonly width: number, readonly height: number, readonly maxShift: number) {
    assertCanvas('ShiftTransform', width, height);
    if (!Number.isInteger(maxShift) || maxShift < 0 || maxShift >= Math.min(width, height)) {
      throw new RangeError(`ShiftTransform: maxShift must be an integer in [0, ${Math.min(width, height) - 1}], got ${String(maxShift)}`);
    }
  }

  apply(image: LabelledImage, source: ImageSource, rng: Rng, _index?: number, out?: Float32Array): LabelledImage {
    if (source.width !== this.width || source.height !== this.height) {
      throw new RangeError(`ShiftTransform: source images are ${source.width}x${source.height}, the transform is for ${this.width}x${this.height}`);
    }
    assertFits('ShiftTransform', image, source, this.width, this.height);
    const canvas = canvasFor('ShiftTransform', this.width, this.height, out);
    const s = this.maxShift;
    const dx = rng.int(2 * s + 1) - s;
    const dy = rng.int(2 * s + 1) - s;
    const w = this.width - Math.abs(dx), h = this.height - Math.abs(dy);
    pasteMax(canvas, this.width, this.height, Math.max(dy, 0), Math.max(dx, 0), image.pixels, this.width, this.height, Math.max(-dy, 0), Math.max(-dx, 0), h, w);
    return { pixels: canvas, label: image.label };
  }
}

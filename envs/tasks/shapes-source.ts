/**
 * Procedural shapes: an ImageSource that draws one filled square, circle, triangle or cross of
 * random size, position and brightness per image. Nothing to download; every pixel comes from the
 * `rng` the env passes, so a seed fixes the image. The label of item i is `i % 4`.
 */
import { Rng, hashSeed } from '../rng';
import { assertIndex, type ImageSource, type LabelledImage } from '../vision/image-source';

/** Class names, in label order. */
export const SHAPE_CLASSES = ['square', 'circle', 'triangle', 'cross'] as const;

/** Whether the point (x, y), in units of the shape's half-size around its centre, is inside. */
function inside(label: number, x: number, y: number): boolean {
  const ax = Math.abs(x), ay = Math.abs(y);
  switch (label) {
    case 0: return ax <= 0.85 && ay <= 0.85; // about the circle's area
    case 1: return x * x + y * y <= 1;
    case 2: return y >= -1 && y <= 1 && ax <= (y + 1) / 2; // apex up
    default: return (ax <= 0.3 && ay <= 1) || (ay <= 0.3 && ax <= 1);
  }
}

/** `size` images of `side x side` pixels, one shape each (see module doc). */
export class ShapesSource implements ImageSource {
  readonly numClasses = SHAPE_CLASSES.length;
  readonly width: number;
  readonly height: number;

  /** @param seed used only when `get` is called without an rng (standalone use). */
  constructor(readonly size: number, side = 20, private readonly seed = 0) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ShapesSource: size must be a positive integer, got ${size}`);
    if (!Number.isInteger(side) || side < 8 || side > 256) throw new RangeError(`ShapesSource: side must be an integer in [8, 256], got ${side}`);
    this.width = this.height = side;
  }

  get(index: number, rng = new Rng(hashSeed(this.seed, index)), out?: Float32Array): LabelledImage {
    assertIndex(index, this.size, 'shape index');
    const side = this.width;
    const pixels = out ?? new Float32Array(side * side);
    if (pixels.length !== side * side) throw new RangeError(`ShapesSource.get: out has ${pixels.length} values, need ${side * side}`);
    pixels.fill(0);
    const label = index % this.numClasses;
    const r = rng.uniformRange(0.35, 0.5) * side; // half-size in pixels
    const cx = rng.uniformRange(r, side - r), cy = rng.uniformRange(r, side - r);
    const ink = rng.uniformRange(0.6, 1);
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < side; col++) {
        if (inside(label, (col + 0.5 - cx) / r, (row + 0.5 - cy) / r)) pixels[row * side + col] = ink;
      }
    }
    return { pixels, label };
  }
}

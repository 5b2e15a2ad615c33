/**
 * Summed-area tables (integral images): after one O(W*H) pass, the sum over any axis-aligned
 * rectangle costs four reads, which makes the coarse retina scales O(1) per output pixel.
 */

/**
 * Fixed-point unit of the tables: a pixel value v is stored as the integer `round(v * 2^22)`.
 *
 * Integer partial sums stay exact in a Float64Array (up to 2^53, i.e. 2^31 pixels of value 1),
 * so every rectangle sum is exact and never the `-1e-17` a float table leaves on an empty block;
 * readers need no clamping in their hot loop. The quantisation error, 2^-23 per pixel, is at the
 * float32 resolution of the glimpse values. Pixels are meant to lie in [0, 1] (values up to 511
 * still quantise correctly; the int32 rounding trick used for speed overflows beyond).
 */
export const SAT_UNIT = 2 ** 22;

/**
 * Builds the summed-area table of a `width x height` row-major image, in {@link SAT_UNIT}s.
 *
 * The table has `(height + 1) * (width + 1)` entries: entry `[r * (width + 1) + c]` is the sum of
 * the pixels in rows `< r` and columns `< c` (row 0 and column 0 are zero), so a rectangle's sum
 * needs no edge cases. `out` is reused when given (it must have the right length).
 */
export function summedAreaTable(pixels: ArrayLike<number>, width: number, height: number, out?: Float64Array): Float64Array {
  if (pixels.length !== width * height) throw new RangeError(`summedAreaTable: ${pixels.length} pixels, ${width}x${height} needs ${width * height}`);
  const w1 = width + 1;
  const size = w1 * (height + 1);
  if (out && out.length !== size) throw new RangeError(`summedAreaTable: out has ${out.length} entries, needs ${size}`);
  const sat = out ?? new Float64Array(size);
  for (let c = 0; c < w1; c++) sat[c] = 0;
  for (let r = 0; r < height; r++) {
    const row = (r + 1) * w1;
    const above = r * w1;
    const src = r * width;
    // Task canvases are mostly zero (a digit and a few crops on 60x60): up to the first non-zero
    // pixel the row's entries equal the row above (the same values the sum would give), and an
    // all-zero row is one block copy.
    let c = 0;
    while (c < width && pixels[src + c] === 0) c++;
    if (c === width) {
      sat.copyWithin(row, above, above + w1);
      continue;
    }
    for (let j = 0; j <= c; j++) sat[row + j] = sat[above + j];
    let run = 0;
    for (; c < width; c++) {
      const v = pixels[src + c];
      // `(x + 0.5) | 0` rounds non-negative x like Math.round at a third of its cost here; a zero
      // pixel adds exactly 0, so it is skipped.
      if (v !== 0) run += (v * SAT_UNIT + 0.5) | 0;
      sat[row + c + 1] = sat[above + c + 1] + run;
    }
  }
  return sat;
}

/**
 * Sum of the (fixed-point rounded) pixels in rows `[r0, r1)` and columns `[c0, c1)`, with the rectangle first clipped to
 * the image (pixels outside count as zero, so an empty or outside rectangle sums to 0).
 */
export function rectSum(sat: Float64Array, width: number, height: number, r0: number, c0: number, r1: number, c1: number): number {
  const ra = clamp(r0, height), rb = clamp(r1, height);
  const ca = clamp(c0, width), cb = clamp(c1, width);
  if (rb <= ra || cb <= ca) return 0;
  const w1 = width + 1;
  return (sat[rb * w1 + cb] - sat[rb * w1 + ca] - sat[ra * w1 + cb] + sat[ra * w1 + ca]) / SAT_UNIT;
}

function clamp(v: number, hi: number): number {
  return v < 0 ? 0 : v > hi ? hi : v;
}

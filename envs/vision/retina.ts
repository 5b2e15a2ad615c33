/**
 * The glimpse sensor of the Recurrent Attention Model: `scales` square patches centred on one
 * point, the first `g x g` pixels and each next one twice as wide, every patch average-pooled
 * down to `g x g`. Patches that leave the image are zero-padded.
 *
 * Geometry (exact, so that tests and users can predict every pixel):
 * - A location `(x, y)` in [-1, 1]^2 ((-1,-1) top-left, x the column axis) maps to the continuous
 *   pixel point `cx = (x * reach + 1) / 2 * width`, `cy = (y * reach + 1) / 2 * height`, where
 *   pixel `(row r, col c)` covers `[c, c+1) x [r, r+1)`. So (0, 0) is the image centre.
 * - The patch of scale `s` has side `p = g * 2^s` and its top-left pixel is
 *   `(row, col) = (floor(cy - p/2 + 0.5), floor(cx - p/2 + 0.5))` (round half up).
 * - Output pixel `(i, j)` of scale `s` is the mean of the `2^s x 2^s` block starting at
 *   `(row + i*2^s, col + j*2^s)`, pixels outside the image counting as 0 (the divisor is always
 *   `4^s`, so a half-outside block is darker, as in the paper's zero padding).
 * - Output layout: `[scale][row][col]`, scale 0 the finest, `scales * g * g` float32 values.
 *
 * Speed: scale 0 is a copy; coarser scales read a summed-area table (exact fixed-point sums),
 * 1.25 reads per output pixel because neighbouring pixels and neighbouring rows share table
 * reads. Nothing is allocated per glimpse.
 */
import { SAT_UNIT, summedAreaTable } from './summed-area-table';

/** Maps a location coordinate in [-1, 1] to the continuous pixel coordinate of a glimpse centre. */
export function locationToPixel(loc: number, reach: number, size: number): number {
  return ((loc * reach + 1) / 2) * size;
}

/**
 * An image prepared for glimpses: its pixels plus, when coarse scales need it, its summed-area
 * table. Buffers are reused across `set` calls of same-sized images (one per env, no garbage).
 */
export class RetinaImage {
  width = 0;
  height = 0;
  pixels: Float32Array = new Float32Array(0);
  /** `(height+1) * (width+1)` summed-area table, or empty when not needed. */
  sat: Float64Array = new Float64Array(0);

  /**
   * Points this image at `pixels` (kept by reference, not copied) and builds the summed-area
   * table when `withTable` (needed for retinas with more than one scale).
   */
  set(pixels: Float32Array, width: number, height: number, withTable: boolean): this {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`RetinaImage: width and height must be positive integers, got ${width}x${height}`);
    }
    if (pixels.length !== width * height) throw new RangeError(`RetinaImage: ${pixels.length} pixels, ${width}x${height} needs ${width * height}`);
    this.width = width;
    this.height = height;
    this.pixels = pixels;
    if (withTable) {
      const size = (width + 1) * (height + 1);
      if (this.sat.length !== size) this.sat = new Float64Array(size);
      summedAreaTable(pixels, width, height, this.sat);
    } else {
      this.sat = new Float64Array(0);
    }
    return this;
  }
}

/** Options of a {@link Retina}. */
export interface RetinaOptions {
  /** Side `g` of every output patch, in pixels. */
  glimpseSize: number;
  /** Number of patches `k`, each twice as wide as the previous. */
  scales: number;
}

/** Extracts multi-resolution glimpses; one instance per env (it holds small scratch buffers). */
export class Retina {
  readonly glimpseSize: number;
  readonly scales: number;
  /** Number of float32 values of one glimpse: `scales * glimpseSize^2`. */
  readonly outputSize: number;
  private readonly rowIdx: Int32Array;
  private readonly colIdx: Int32Array;

  constructor(options: RetinaOptions) {
    const { glimpseSize, scales } = options;
    if (!Number.isInteger(glimpseSize) || glimpseSize < 1 || glimpseSize > 1024) {
      throw new RangeError(`Retina: glimpseSize must be an integer in [1, 1024], got ${String(glimpseSize)}`);
    }
    if (!Number.isInteger(scales) || scales < 1 || scales > 8) throw new RangeError(`Retina: scales must be an integer in [1, 8], got ${String(scales)}`);
    this.glimpseSize = glimpseSize;
    this.scales = scales;
    this.outputSize = scales * glimpseSize * glimpseSize;
    this.rowIdx = new Int32Array(glimpseSize + 1);
    this.colIdx = new Int32Array(glimpseSize + 1);
  }

  /** True when this retina reads a summed-area table (more than one scale). */
  get needsTable(): boolean {
    return this.scales > 1;
  }

  /**
   * Writes the glimpse at location `(x, y)` (in [-1, 1], not clipped here) into
   * `out[offset .. offset + outputSize)`.
   */
  extract(image: RetinaImage, x: number, y: number, reach: number, out: Float32Array, offset = 0): void {
    this.extractAtPixel(image, locationToPixel(x, reach, image.width), locationToPixel(y, reach, image.height), out, offset);
  }

  /** Writes the glimpse centred on the continuous pixel point `(cx, cy)` into `out` at `offset`. */
  extractAtPixel(image: RetinaImage, cx: number, cy: number, out: Float32Array, offset = 0): void {
    if (!(Number.isFinite(cx) && Number.isFinite(cy))) throw new RangeError(`Retina: glimpse centre must be finite, got (${cx}, ${cy})`);
    if (offset < 0 || offset + this.outputSize > out.length) throw new RangeError(`Retina: out has ${out.length} values, glimpse needs ${this.outputSize} at offset ${offset}`);
    if (this.scales > 1 && image.sat.length !== (image.width + 1) * (image.height + 1)) {
      throw new Error('Retina: image has no summed-area table; call RetinaImage.set(..., withTable=true) for multi-scale retinas');
    }
    const g = this.glimpseSize;
    this.copyScale0(image, Math.floor(cy - g / 2 + 0.5), Math.floor(cx - g / 2 + 0.5), out, offset);
    for (let s = 1; s < this.scales; s++) {
      const k = 1 << s;
      const half = (g * k) / 2;
      this.poolScale(image, Math.floor(cy - half + 0.5), Math.floor(cx - half + 0.5), k, out, offset + s * g * g);
    }
  }

  /** Scale 0: a plain copy; the clipped column range is found once, so rows copy without tests. */
  private copyScale0(image: RetinaImage, r0: number, c0: number, out: Float32Array, o: number): void {
    const g = this.glimpseSize, W = image.width, H = image.height, px = image.pixels;
    const ja = c0 < 0 ? -c0 : 0;
    const jb = c0 + g > W ? W - c0 : g;
    for (let i = 0; i < g; i++, o += g) {
      const r = r0 + i;
      if (r < 0 || r >= H || jb <= ja) {
        for (let j = 0; j < g; j++) out[o + j] = 0;
        continue;
      }
      for (let j = 0; j < ja; j++) out[o + j] = 0;
      // Unrolled by 4: V8 does not unroll, and the loop overhead is most of a short copy's cost.
      let a = o + ja, b = r * W + c0 + ja;
      const end4 = a + ((jb - ja) & ~3), end = o + jb;
      for (; a < end4; a += 4, b += 4) {
        out[a] = px[b];
        out[a + 1] = px[b + 1];
        out[a + 2] = px[b + 2];
        out[a + 3] = px[b + 3];
      }
      for (; a < end; a++, b++) out[a] = px[b];
      for (let j = jb; j < g; j++) out[o + j] = 0;
    }
  }

  /**
   * Scale with block side `k`. Block boundaries are clamped into the table's range, which is
   * exactly "pixels outside count as zero" (a clamped block sums only its inside part, an
   * outside one sums to 0), so borders need no branch in the pixel loop. Four output rows per
   * pass share their inner table rows (1.25 table reads per pixel instead of 2); when all columns
   * are inside the image they are read by stride instead of through `colIdx`.
   */
  private poolScale(image: RetinaImage, r0: number, c0: number, k: number, out: Float32Array, o: number): void {
    const g = this.glimpseSize, W = image.width, H = image.height, sat = image.sat;
    const w1 = W + 1;
    const rowIdx = this.rowIdx, colIdx = this.colIdx;
    for (let j = 0; j <= g; j++) {
      const c = c0 + j * k;
      colIdx[j] = c < 0 ? 0 : c > W ? W : c;
    }
    for (let i = 0; i <= g; i++) {
      const r = r0 + i * k;
      rowIdx[i] = (r < 0 ? 0 : r > H ? H : r) * w1;
    }
    const colsInside = c0 >= 0 && c0 + g * k <= W;
    // Table entries are exact integers (fixed point), so block sums are exact and >= 0.
    const inv = 1 / (k * k * SAT_UNIT);
    const g2 = 2 * g, g3 = 3 * g;
    let i = 0;
    for (; i + 3 < g; i += 4, o += 4 * g) {
      // Four output rows per pass read five table rows (1.25 reads per pixel); each pixel is the
      // difference of two neighbouring column sums of its block row.
      const r0 = rowIdx[i], r1 = rowIdx[i + 1], r2 = rowIdx[i + 2], r3 = rowIdx[i + 3], r4 = rowIdx[i + 4];
      let c = colsInside ? c0 : colIdx[0];
      let s1 = sat[r1 + c], s2 = sat[r2 + c], s3 = sat[r3 + c];
      let p1 = s1 - sat[r0 + c], p2 = s2 - s1, p3 = s3 - s2, p4 = sat[r4 + c] - s3;
      for (let j = 0; j < g; j++) {
        c = colsInside ? c + k : colIdx[j + 1];
        s1 = sat[r1 + c];
        s2 = sat[r2 + c];
        s3 = sat[r3 + c];
        const q1 = s1 - sat[r0 + c], q2 = s2 - s1, q3 = s3 - s2, q4 = sat[r4 + c] - s3;
        out[o + j] = (q1 - p1) * inv;
        out[o + g + j] = (q2 - p2) * inv;
        out[o + g2 + j] = (q3 - p3) * inv;
        out[o + g3 + j] = (q4 - p4) * inv;
        p1 = q1;
        p2 = q2;
        p3 = q3;
        p4 = q4;
      }
    }
    for (; i < g; i++, o += g) {
      // Glimpse sizes that are not a multiple of 4: the remaining rows one by one.
      const t = rowIdx[i], b = rowIdx[i + 1];
      let c = colIdx[0];
      let prev = sat[b + c] - sat[t + c];
      for (let j = 0; j < g; j++) {
        c = colIdx[j + 1];
        const cur = sat[b + c] - sat[t + c];
        out[o + j] = (cur - prev) * inv;
        prev = cur;
      }
    }
  }
}

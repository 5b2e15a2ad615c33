/**
 * An RGBA raster with the few drawing operations the glimpse pictures need: rectangles, lines,
 * grey images at an integer zoom, text in the built-in bitmap font, and grid composition.
 * Everything is opaque and drawn with exact integer geometry, so tests can check single pixels.
 * Drawing outside the raster is clipped (boxes of glimpses may leave the image).
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './font';

/** An opaque colour as `[r, g, b]` bytes. */
export type Rgb = readonly [number, number, number];

/** Colours shared by every picture (the GIF palette is built from these plus greys). */
export const COLORS = {
  background: [255, 255, 255] as Rgb,
  text: [30, 30, 30] as Rgb,
  muted: [110, 110, 110] as Rgb,
  right: [0, 140, 60] as Rgb,
  wrong: [215, 25, 28] as Rgb,
  black: [0, 0, 0] as Rgb,
  white: [255, 255, 255] as Rgb,
};

/**
 * One colour per glimpse step (cycled): a colour-blind-friendly qualitative set that stays
 * visible on both black and white digits.
 */
export const STEP_COLORS: readonly Rgb[] = [
  [255, 215, 0],
  [0, 190, 255],
  [255, 100, 200],
  [80, 230, 80],
  [255, 140, 0],
  [170, 120, 255],
  [0, 230, 200],
  [255, 80, 80],
  [190, 230, 40],
  [120, 160, 255],
];

/** {@link STEP_COLORS} at 55% brightness: the coarser scales, so the finest box stands out. */
export const DIM_STEP_COLORS: readonly Rgb[] = STEP_COLORS.map((c) => c.map((v) => Math.round(v * 0.55)) as unknown as Rgb);

/** Colour of glimpse step `t` (0-based); `dim` for the boxes of coarser scales. */
export function stepColor(t: number, dim = false): Rgb {
  return (dim ? DIM_STEP_COLORS : STEP_COLORS)[t % STEP_COLORS.length];
}

/** An opaque RGBA image in memory (row-major, 4 bytes per pixel). */
export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA bytes, `width * height * 4`, alpha always 255. */
  readonly data: Uint8Array;

  constructor(width: number, height: number, background: Rgb = COLORS.background) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width * height > 1 << 26) {
      throw new RangeError(`Raster: size must be positive integers with at most 2^26 pixels, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** The colour at `(x, y)`; throws outside the raster (reads are never clipped). */
  get(x: number, y: number): Rgb {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new RangeError(`Raster.get: (${x}, ${y}) is outside the ${this.width}x${this.height} raster`);
    }
    const o = (y * this.width + x) * 4;
    return [this.data[o], this.data[o + 1], this.data[o + 2]];
  }

  /** Sets one pixel; ignored outside the raster. */
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 4;
    this.data[o] = c[0];
    this.data[o + 1] = c[1];
    this.data[o + 2] = c[2];
    this.data[o + 3] = 255;
  }

  /** Fills the rectangle of pixels `[x, x+w) x [y, y+h)`, clipped. */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, x), y0 = Math.max(0, y);
    const x1 = Math.min(this.width, x + w), y1 = Math.min(this.height, y + h);
    for (let yy = y0; yy < y1; yy++) {
      let o = (yy * this.width + x0) * 4;
      for (let xx = x0; xx < x1; xx++, o += 4) {
        this.data[o] = c[0];
        this.data[o + 1] = c[1];
        this.data[o + 2] = c[2];
        this.data[o + 3] = 255;
      }
    }
  }

  /**
   * Outlines the rectangle `[x, x+w) x [y, y+h)`: its outermost `thickness` rings of pixels are
   * painted, nothing outside it, so the outline marks exactly the covered pixels' border.
   */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, thickness = 1): void {
    const t = Math.min(thickness, Math.ceil(w / 2), Math.ceil(h / 2));
    this.fillRect(x, y, w, t, c);
    this.fillRect(x, y + h - t, w, t, c);
    this.fillRect(x, y + t, t, h - 2 * t, c);
    this.fillRect(x + w - t, y + t, t, h - 2 * t, c);
  }

  /** A one-pixel line from `(x0, y0)` to `(x1, y1)` (integer Bresenham), clipped. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    x0 = Math.round(x0);
    y0 = Math.round(y0);
    x1 = Math.round(x1);
    y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0), dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.set(x0, y0, c);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }

  /**
   * Draws a grey image (`w * h` values in [0, 1], row-major) with its top-left at `(x, y)`, each
   * pixel as a `zoom x zoom` block (nearest neighbour, so pixels stay visible).
   */
  drawGrey(pixels: ArrayLike<number>, w: number, h: number, x: number, y: number, zoom = 1): void {
    if (pixels.length !== w * h) throw new RangeError(`Raster.drawGrey: ${pixels.length} values, ${w}x${h} needs ${w * h}`);
    if (!Number.isInteger(zoom) || zoom < 1) throw new RangeError(`Raster.drawGrey: zoom must be an integer >= 1, got ${zoom}`);
    for (let r = 0; r < h; r++) {
      for (let col = 0; col < w; col++) {
        const v = greyByte(pixels[r * w + col]);
        this.fillRect(x + col * zoom, y + r * zoom, zoom, zoom, [v, v, v]);
      }
    }
  }

  /** Copies `src` with its top-left at `(x, y)`, clipped. */
  blit(src: Raster, x: number, y: number): void {
    for (let r = 0; r < src.height; r++) {
      const yy = y + r;
      if (yy < 0 || yy >= this.height) continue;
      const c0 = Math.max(0, -x), c1 = Math.min(src.width, this.width - x);
      if (c1 <= c0) continue;
      const from = (r * src.width + c0) * 4;
      this.data.set(src.data.subarray(from, from + (c1 - c0) * 4), (yy * this.width + x + c0) * 4);
    }
  }

  /** Draws `text` with its top-left at `(x, y)` in the 5x7 font at integer `scale`; returns its width. */
  text(text: string, x: number, y: number, c: Rgb, scale = 1): number {
    let cx = x;
    for (const ch of text) {
      const cols = glyph(ch);
      for (let i = 0; i < GLYPH_WIDTH; i++) {
        for (let j = 0; j < GLYPH_HEIGHT; j++) if ((cols[i] >> j) & 1) this.fillRect(cx + i * scale, y + j * scale, scale, scale, c);
      }
      cx += (GLYPH_WIDTH + 1) * scale;
    }
    return textWidth(text, scale);
  }

  /** Draws `text` on a filled box one pixel wider on each side (readable over any image). */
  label(text: string, x: number, y: number, c: Rgb, back: Rgb, scale = 1): void {
    this.fillRect(x - 1, y - 1, textWidth(text, scale) + 2, GLYPH_HEIGHT * scale + 2, back);
    this.text(text, x, y, c, scale);
  }
}

/** A value in [0, 1] as a grey byte (values outside are clamped, NaN is black). */
export function greyByte(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  return Math.round(v * 255);
}

/** Options of {@link composeGrid}. */
export interface GridOptions {
  /** Tiles per row. */
  columns: number;
  /** Pixels between tiles and around the grid. */
  gap?: number;
  background?: Rgb;
  /** Cell size; default the largest tile (fix it to keep animation frames the same size). */
  cellWidth?: number;
  cellHeight?: number;
}

/**
 * Lays `tiles` out row by row, `columns` per row, each in a cell as large as the largest tile
 * (or the given cell size).
 * Returns the composed raster.
 */
export function composeGrid(tiles: readonly Raster[], options: GridOptions): Raster {
  const { columns } = options;
  const gap = options.gap ?? 8;
  if (tiles.length === 0) throw new RangeError('composeGrid: needs at least one tile');
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`composeGrid: columns must be an integer >= 1, got ${columns}`);
  const cols = Math.min(columns, tiles.length);
  const rows = Math.ceil(tiles.length / cols);
  const cw = Math.max(options.cellWidth ?? 0, ...tiles.map((t) => t.width));
  const ch = Math.max(options.cellHeight ?? 0, ...tiles.map((t) => t.height));
  const out = new Raster(gap + cols * (cw + gap), gap + rows * (ch + gap), options.background ?? COLORS.background);
  // Tiles are centred horizontally in their cell.
  tiles.forEach((t, i) => out.blit(t, gap + (i % cols) * (cw + gap) + Math.floor((cw - t.width) / 2), gap + Math.floor(i / cols) * (ch + gap)));
  return out;
}

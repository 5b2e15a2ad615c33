/// <reference path="./gifenc.d.ts" />
/**
 * Animated GIFs of {@link Raster} frames, encoded by `gifenc` with one fixed global palette: the
 * picture colours ({@link COLORS}, {@link STEP_COLORS}, {@link DIM_STEP_COLORS}) exactly, and the rest of the 256 entries
 * greys. Our frames are grey images with a few flat colours, so this needs no quantizer, keeps
 * those colours exact, and is deterministic.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GIFEncoder, nearestColorIndex } from 'gifenc';

/**
 * A palette: up to 256 `[r, g, b]` byte triples (gifenc's `Palette`, restated here so the
 * published declarations never name the untyped `gifenc` module and a user's project
 * type-checks with `skipLibCheck: false`).
 */
export type Palette = number[][];
import { COLORS, DIM_STEP_COLORS, STEP_COLORS, type Raster } from './raster';

/** The fixed palette: named colours first, then evenly spaced greys up to 256 entries. */
export const GIF_PALETTE: Palette = buildPalette();

function buildPalette(): Palette {
  const seen = new Set<number>();
  const out: Palette = [];
  const add = (c: readonly number[]) => {
    const key = (c[0] << 16) | (c[1] << 8) | c[2];
    if (seen.has(key)) return;
    seen.add(key);
    out.push([c[0], c[1], c[2]]);
  };
  for (const c of [...Object.values(COLORS), ...STEP_COLORS, ...DIM_STEP_COLORS]) add(c);
  // Greys fill the rest; duplicates of named colours (black, white) are skipped, so <= 256 entries.
  const greys = 256 - out.length;
  for (let i = 0; i < greys; i++) {
    const v = Math.round((i * 255) / (greys - 1));
    add([v, v, v]);
  }
  return out;
}

/** Maps RGBA pixels onto {@link GIF_PALETTE}: exact for palette colours, nearest otherwise. */
class PaletteMapper {
  private readonly cache = new Map<number, number>();

  constructor(private readonly palette: Palette) {
    palette.forEach((c, i) => this.cache.set((c[0] << 16) | (c[1] << 8) | c[2], i));
  }

  map(rgba: Uint8Array): Uint8Array {
    const n = rgba.length / 4;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = rgba[i * 4], g = rgba[i * 4 + 1], b = rgba[i * 4 + 2];
      const key = (r << 16) | (g << 8) | b;
      let idx = this.cache.get(key);
      if (idx === undefined) {
        idx = nearestColorIndex(this.palette, [r, g, b]);
        this.cache.set(key, idx);
      }
      out[i] = idx;
    }
    return out;
  }
}

/** Options of {@link encodeGif}. */
export interface GifOptions {
  /** Delay of each frame in ms (one number for all, or one per frame). Default 600. */
  delayMs?: number | readonly number[];
  /** 0 loops forever (default), -1 plays once, n > 0 repeats n times. */
  repeat?: number;
}

/** Encodes same-sized frames as an animated GIF and returns its bytes. */
export function encodeGif(frames: readonly Raster[], options: GifOptions = {}): Uint8Array {
  if (frames.length === 0) throw new RangeError('encodeGif: needs at least one frame');
  const { width, height } = frames[0];
  const bad = frames.findIndex((f) => f.width !== width || f.height !== height);
  if (bad >= 0) throw new RangeError(`encodeGif: frame ${bad} is ${frames[bad].width}x${frames[bad].height}, frame 0 is ${width}x${height}; all frames must match`);
  const delays = typeof options.delayMs === 'object' ? options.delayMs : frames.map(() => (options.delayMs as number | undefined) ?? 600);
  if (delays.length !== frames.length) throw new RangeError(`encodeGif: ${delays.length} delays for ${frames.length} frames`);
  for (const d of delays) if (!Number.isFinite(d) || d < 0) throw new RangeError(`encodeGif: delays must be finite numbers >= 0 ms, got ${d}`);
  const repeat = options.repeat ?? 0;
  if (!Number.isInteger(repeat) || repeat < -1) throw new RangeError(`encodeGif: repeat must be -1, 0 or a positive integer, got ${repeat}`);
  const mapper = new PaletteMapper(GIF_PALETTE);
  const gif = GIFEncoder();
  frames.forEach((f, i) => gif.writeFrame(mapper.map(f.data), width, height, { palette: i === 0 ? GIF_PALETTE : undefined, delay: delays[i], repeat }));
  gif.finish();
  return gif.bytes();
}

/** Writes frames to `file` as an animated GIF, creating the directory; returns the path. */
export function writeGif(file: string, frames: readonly Raster[], options: GifOptions = {}): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodeGif(frames, options));
  return file;
}

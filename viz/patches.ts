/**
 * What the agent actually saw: for one episode, the patches of every glimpse (columns: steps,
 * rows: scales, finest on top), each `g x g` patch upscaled with nearest-neighbour blocks so the
 * pooled pixels stay visible, framed in the step's colour as in the glimpse grid.
 */
import { GLYPH_HEIGHT, textWidth } from './font';
import { COLORS, Raster, stepColor } from './raster';
import type { EpisodeTrace, GlimpseTrace } from './trace';

/** Options of {@link renderPatches}. */
export interface PatchesOptions {
  /** Integer zoom of each patch; default: about 48 pixels per patch side. */
  zoom?: number;
}

const PAD = 6;
const FRAME = 2;

/** Layout of a patches picture, exported so tests can find patch `(t, s)` exactly. */
export interface PatchesLayout {
  zoom: number;
  /** Side of one patch on the picture (`g * zoom`). */
  cell: number;
  /** Left x of column t: `left + t * (cell + gap)`; top y of row s: `top + s * (cell + gap)`. */
  left: number;
  top: number;
  gap: number;
  width: number;
  height: number;
}

/** The layout {@link renderPatches} uses for `trace` (see {@link PatchesLayout}). */
export function patchesLayout(trace: GlimpseTrace, options: PatchesOptions = {}): PatchesLayout {
  const g = trace.glimpseSize;
  const zoom = options.zoom ?? Math.max(1, Math.ceil(48 / g));
  if (!Number.isInteger(zoom) || zoom < 1) throw new RangeError(`renderPatches: zoom must be an integer >= 1, got ${zoom}`);
  const cell = g * zoom;
  const gap = PAD + 2 * FRAME;
  const left = PAD + FRAME + textWidth('S0') + PAD;
  const top = PAD + 2 * (GLYPH_HEIGHT + PAD) + FRAME;
  const width = left + trace.steps * (cell + gap) - gap + FRAME + PAD;
  const height = top + trace.scales * (cell + gap) - gap + FRAME + PAD;
  return { zoom, cell, left, top, gap, width, height };
}

/** The patches picture of `episode` (see module doc). */
export function renderPatches(trace: GlimpseTrace, episode: EpisodeTrace, options: PatchesOptions = {}): Raster {
  const L = patchesLayout(trace, options);
  const g = trace.glimpseSize, S = trace.scales, T = trace.steps;
  const G = S * g * g;
  if (episode.glimpses.length !== T * G) throw new RangeError(`renderPatches: episode has ${episode.glimpses.length} glimpse values, ${T} steps x ${S}x${g}x${g} need ${T * G}`);
  const title = `IMAGE ${episode.index}  PRED ${episode.prediction}  TRUE ${episode.label}`;
  const out = new Raster(Math.max(L.width, PAD * 2 + textWidth(title)), L.height, COLORS.background);
  out.text(title, PAD, PAD, episode.prediction === episode.label ? COLORS.right : COLORS.wrong);
  for (let t = 0; t < T; t++) {
    const x = L.left + t * (L.cell + L.gap);
    const step = `${t + 1}`;
    out.text(step, x + Math.floor((L.cell - textWidth(step)) / 2), PAD + GLYPH_HEIGHT + PAD, COLORS.text);
    for (let s = 0; s < S; s++) {
      const y = L.top + s * (L.cell + L.gap);
      if (t === 0) out.text(`S${s}`, PAD, y + Math.floor((L.cell - GLYPH_HEIGHT) / 2), COLORS.muted);
      out.strokeRect(x - FRAME, y - FRAME, L.cell + 2 * FRAME, L.cell + 2 * FRAME, stepColor(t), FRAME);
      const from = t * G + s * g * g;
      out.drawGrey(episode.glimpses.subarray(from, from + g * g), g, g, x, y, L.zoom);
    }
  }
  return out;
}

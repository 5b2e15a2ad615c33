/**
 * The main picture: each image with the box of every glimpse's finest scale, coloured and
 * numbered by step, the path between glimpse centres, and the predicted and true label underneath
 * (wrong ones in red, framed and marked `X`). The coarser scales' boxes (dimmer) are an option:
 * with 8 glimpses of 3 scales they are 24 boxes per image, which hides the path.
 */
import { GLYPH_HEIGHT, textWidth } from './font';
import { glimpseBoxes, glimpseCentre } from './geometry';
import { COLORS, Raster, composeGrid, stepColor, type Rgb } from './raster';
import type { EpisodeTrace, GlimpseTrace } from './trace';

/** Zoom that makes an image about `target` pixels on its long side (integer, at least 1). */
export function autoZoom(width: number, height: number, target = 240): number {
  return Math.max(1, Math.ceil(target / Math.max(width, height)));
}

/** Options of {@link drawGlimpses}. */
export interface DrawGlimpsesOptions {
  /** Integer zoom of the image. */
  zoom: number;
  /** Steps (0-based) whose boxes are drawn; default all. */
  boxSteps?: readonly number[];
  /** Draw the path and the numbers of steps `0..pathUpTo`; default the last step. */
  pathUpTo?: number;
  /** Boxes of every scale (`all`) or of the finest only (`finest`, the default). */
  scales?: ScaleBoxes;
}

/** Which glimpse scales get a box: the finest only, or all of them. */
export type ScaleBoxes = 'finest' | 'all';

/**
 * The image of `episode` at `zoom` with its glimpses drawn on it. Image pixel `(r, c)` is the
 * block `[c*zoom, (c+1)*zoom) x [r*zoom, (r+1)*zoom)`; the box of a glimpse scale outlines
 * exactly the blocks of the pixels that scale covers (clipped at the image edge).
 */
export function drawGlimpses(trace: GlimpseTrace, episode: EpisodeTrace, options: DrawGlimpsesOptions): Raster {
  const { zoom } = options;
  const T = trace.steps;
  const pathUpTo = options.pathUpTo ?? T - 1;
  const boxSteps = options.boxSteps ?? Array.from({ length: T }, (_, t) => t);
  for (const t of [...boxSteps, pathUpTo]) {
    if (!Number.isInteger(t) || t < 0 || t >= T) throw new RangeError(`drawGlimpses: step ${t} is outside 0..${T - 1}`);
  }
  const img = new Raster(trace.width * zoom, trace.height * zoom, COLORS.black);
  img.drawGrey(episode.image, trace.width, trace.height, 0, 0, zoom);
  const centre = (t: number) => {
    const { cx, cy } = glimpseCentre(episode.locations[2 * t], episode.locations[2 * t + 1], trace);
    return { x: Math.floor(cx * zoom), y: Math.floor(cy * zoom) };
  };
  for (let t = 1; t <= pathUpTo; t++) {
    const a = centre(t - 1), b = centre(t);
    img.line(a.x, a.y, b.x, b.y, COLORS.white);
  }
  // Coarse scales first so the finest box of a step stays on top.
  for (const t of boxSteps) {
    const boxes = glimpseBoxes(episode.locations[2 * t], episode.locations[2 * t + 1], trace);
    for (let s = options.scales === 'all' ? boxes.length - 1 : 0; s >= 0; s--) {
      const b = boxes[s];
      img.strokeRect(b.left * zoom, b.top * zoom, b.side * zoom, b.side * zoom, stepColor(t, s > 0));
    }
  }
  for (let t = 0; t <= pathUpTo; t++) {
    const c = centre(t);
    const text = String(t + 1);
    img.label(text, c.x - Math.floor(textWidth(text) / 2), c.y - Math.floor(GLYPH_HEIGHT / 2), stepColor(t), COLORS.black);
  }
  return img;
}

/** Options of {@link renderEpisodeTile}. */
export interface TileOptions extends DrawGlimpsesOptions {
  /** Caption under the image; default `PRED p  TRUE y` (and ` X` when wrong). */
  caption?: string;
  /** Colour of the caption; default green when right, red when wrong. */
  captionColor?: Rgb;
  /** Frame wrong predictions in red (default true). */
  markWrong?: boolean;
}

/** Caption scale and paddings of a tile (pixels). */
const PAD = 4;
const CAPTION_SCALE = 2;

/** One image with its glimpses and its caption (see module doc). */
export function renderEpisodeTile(trace: GlimpseTrace, episode: EpisodeTrace, options: TileOptions): Raster {
  const img = drawGlimpses(trace, episode, options);
  const wrong = episode.prediction !== episode.label;
  const caption = options.caption ?? `PRED ${episode.prediction}  TRUE ${episode.label}${wrong ? '  X' : ''}`;
  const color = options.captionColor ?? (wrong ? COLORS.wrong : COLORS.right);
  const captionH = GLYPH_HEIGHT * CAPTION_SCALE;
  const w = Math.max(img.width, textWidth(caption, CAPTION_SCALE)) + 2 * PAD;
  const tile = new Raster(w, img.height + captionH + 3 * PAD, COLORS.background);
  const x = Math.floor((w - img.width) / 2);
  if (wrong && (options.markWrong ?? true)) tile.strokeRect(x - 3, PAD - 3, img.width + 6, img.height + 6, COLORS.wrong, 2);
  tile.blit(img, x, PAD);
  tile.text(caption, Math.floor((w - textWidth(caption, CAPTION_SCALE)) / 2), img.height + 2 * PAD, color, CAPTION_SCALE);
  return tile;
}

/** Options of {@link renderGlimpseGrid}. */
export interface GlimpseGridOptions {
  /** Tiles per row; default `ceil(sqrt(n))`. */
  columns?: number;
  /** Image zoom; default {@link autoZoom}. */
  zoom?: number;
  /** Boxes of the finest scale only (default) or of all scales. */
  scales?: ScaleBoxes;
}

/** The grid of every episode of `trace`, all glimpses drawn (the picture `rl-run viz` writes first). */
export function renderGlimpseGrid(trace: GlimpseTrace, options: GlimpseGridOptions = {}): Raster {
  const zoom = options.zoom ?? autoZoom(trace.width, trace.height);
  const tiles = trace.episodes.map((e) => renderEpisodeTile(trace, e, { zoom, scales: options.scales }));
  return composeGrid(tiles, { columns: options.columns ?? Math.ceil(Math.sqrt(tiles.length)) });
}

/**
 * The glimpse path as an animated GIF: frame t shows, on every image of a batch at once, the
 * boxes of glimpse t and the path so far; a last, longer frame shows all glimpses and the
 * prediction. `--viz-every N` writes one per N epochs on a fixed validation batch.
 */
import type { Agent } from '../agents/agent';
import type { Env } from '../envs/core';
import { writeGif } from './gif';
import { autoZoom, renderEpisodeTile, type ScaleBoxes } from './glimpse-grid';
import { COLORS, composeGrid, type Raster } from './raster';
import { traceEpisodes, type FrameOf, type GlimpseTrace } from './trace';

/** Options of {@link renderGlimpseFrames} and {@link writeTraceGif}. */
export interface AnimationOptions {
  /** Tiles per row; default `ceil(sqrt(n))`. */
  columns?: number;
  /** Image zoom; default {@link autoZoom}. */
  zoom?: number;
  /** Delay of each step frame (default 500 ms); the final frame stays 4x as long. */
  stepDelayMs?: number;
  /** Boxes of the finest scale only (default) or of all scales. */
  scales?: ScaleBoxes;
}

/** The frames of the animation: one per step, then the summary frame (see module doc). */
export function renderGlimpseFrames(trace: GlimpseTrace, options: AnimationOptions = {}): Raster[] {
  const zoom = options.zoom ?? autoZoom(trace.width, trace.height);
  const T = trace.steps;
  const perFrame: Raster[][] = [];
  for (let t = 0; t < T; t++) {
    perFrame.push(trace.episodes.map((e) => renderEpisodeTile(trace, e, { zoom, scales: options.scales, boxSteps: [t], pathUpTo: t, caption: `STEP ${t + 1}/${T}`, captionColor: COLORS.text, markWrong: false })));
  }
  perFrame.push(trace.episodes.map((e) => renderEpisodeTile(trace, e, { zoom, scales: options.scales })));
  // One cell size for every frame: a GIF's frames must all have the size of the first.
  const cellWidth = Math.max(...perFrame.flat().map((r) => r.width));
  const cellHeight = Math.max(...perFrame.flat().map((r) => r.height));
  const columns = options.columns ?? Math.ceil(Math.sqrt(trace.episodes.length));
  return perFrame.map((tiles) => composeGrid(tiles, { columns, cellWidth, cellHeight }));
}

/** Writes the animation of `trace` to `file` (GIF); returns the path. */
export function writeTraceGif(trace: GlimpseTrace, file: string, options: AnimationOptions = {}): string {
  const frames = renderGlimpseFrames(trace, options);
  const step = options.stepDelayMs ?? 500;
  return writeGif(file, frames, { delayMs: frames.map((_, i) => (i === frames.length - 1 ? 4 * step : step)) });
}

/** What {@link writeGlimpseGif} needs: envs, agent, which items, and where to write. */
export interface GlimpseGifRequest extends AnimationOptions {
  /** One env per episode (for example `make(id, {...kwargs, split: 'val'})` each). */
  envs: readonly Env[];
  agent: Agent;
  /** Item index of each episode; keep them fixed across epochs to watch the policy improve. */
  indices: readonly number[];
  /** Reset seed (episode i uses `seed + i`). */
  seed: number;
  /** Output GIF path. */
  file: string;
  /** The env's reach when `spec.kwargs.reach` is absent. */
  reach?: number;
  /** How to get each whole image; default {@link envImage} (render() or probing). */
  frameOf?: FrameOf;
}

/**
 * Plays the episodes greedily and writes their glimpse GIF: the one call the train loop makes for
 * `--viz-every N`. Returns the trace (for example to report its accuracy).
 */
export function writeGlimpseGif(request: GlimpseGifRequest): GlimpseTrace {
  const trace = traceEpisodes(request.envs, request.agent, { indices: request.indices, seed: request.seed, reach: request.reach, frameOf: request.frameOf });
  writeTraceGif(trace, request.file, request);
  return trace;
}

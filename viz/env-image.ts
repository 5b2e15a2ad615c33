/**
 * The whole image of a glimpse episode, which the pictures draw the glimpses on. It comes from the
 * env's `render()` ({@link GreyFrame}); `GlimpseEnv`, and so every built-in task, has one.
 *
 * Fallback for third-party envs without `render()`: the image is recovered through the Env
 * interface alone. The finest retina scale is an exact pixel copy (envs/vision/retina.ts), so
 * replaying the same episode (same reset seed and item index) and looking at a grid of tiles
 * reads every pixel. Each replay gives T-1 tiles (one per non-final step). It checks that each
 * replay starts with the same first glimpse, so a non-reproducible env fails loudly instead of
 * giving a wrong picture.
 */
import type { Env } from '../envs/core';
import { Box, Dict } from '../envs/spaces';

/** A grey image, `width * height` values in [0, 1], row-major. */
export interface GreyFrame {
  pixels: Float32Array;
  width: number;
  height: number;
}

/**
 * The image of a glimpse env's current episode through its `render()` method, which must return
 * a {@link GreyFrame}; a one-line error otherwise.
 */
export function renderFrame(env: Env): GreyFrame {
  const render = (env as unknown as { render?: () => unknown }).render;
  if (typeof render !== 'function') throw new Error(`env ${env.spec?.id ?? '(unregistered)'} has no render() method; viz needs it to draw the whole image`);
  const f = render.call(env) as Partial<GreyFrame> | null;
  if (!f || !(f.pixels instanceof Float32Array) || !Number.isInteger(f.width) || !Number.isInteger(f.height) || f.pixels.length !== f.width! * f.height!) {
    throw new Error(`env ${env.spec?.id ?? '(unregistered)'}: render() must return {pixels: Float32Array(width*height), width, height}`);
  }
  return f as GreyFrame;
}

/** Reads `[scales, g, g]` from a glimpse env's observation space; one-line error for other spaces. */
export function glimpseShape(env: Env): { scales: number; glimpseSize: number } {
  const space = env.observationSpace;
  const glimpse = space instanceof Dict ? (space.spaces as Record<string, unknown>).glimpse : undefined;
  const location = space instanceof Dict ? (space.spaces as Record<string, unknown>).location : undefined;
  if (!(glimpse instanceof Box) || glimpse.shape.length !== 3 || glimpse.shape[1] !== glimpse.shape[2] || !(location instanceof Box) || location.size !== 2) {
    throw new Error(`env ${env.spec?.id ?? '(unregistered)'} is not a glimpse env: viz needs observation Dict{glimpse: Box[scales, g, g], location: Box[2]}`);
  }
  return { scales: glimpse.shape[0], glimpseSize: glimpse.shape[1] };
}


/** The episode to replay. */
export interface ProbeEpisode {
  /** Reset seed and item index the episode was played with. */
  seed: number;
  index: number;
  /** Its first glimpse, to check that the replays show the same image. */
  firstGlimpse: Float32Array;
}

/** The settings probing needs besides the env. */
export interface ProbeGeometry {
  width: number;
  height: number;
  reach: number;
  /** Steps per episode T (at least 2). */
  steps: number;
}

/** Top-left pixels of tiles of side `g` covering `[0, size)` (the last one flush with the edge). */
function tileStarts(size: number, g: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < size; p += g) out.push(Math.min(p, Math.max(0, size - g)));
  return [...new Set(out)];
}

/** Location coordinate whose finest patch starts at pixel `p` (centre `p + g/2`, see retina). */
function locationFor(p: number, g: number, size: number, reach: number): number {
  return ((2 * (p + g / 2)) / size - 1) / reach;
}

/** Reads the whole image of `episode` from `env` by replaying it (see module doc). */
export function probeImage(env: Env, episode: ProbeEpisode, geo: ProbeGeometry): GreyFrame {
  const { width: W, height: H, reach, steps: T } = geo;
  const { glimpseSize: g } = glimpseShape(env);
  if (T < 2) throw new Error(`cannot read the image of a ${T}-glimpse episode through glimpses; give the env a render() method`);
  const tiles: Array<[number, number, number, number]> = [];
  for (const py of tileStarts(H, g)) {
    for (const px of tileStarts(W, g)) {
      const x = locationFor(px, g, W, reach), y = locationFor(py, g, H, reach);
      if (Math.abs(x) > 1 || Math.abs(y) > 1) throw new Error(`cannot read the image through glimpses with reach ${reach} < 1 (the image edges are out of sight); give the env a render() method`);
      tiles.push([px, py, x, y]);
    }
  }
  const pixels = new Float32Array(W * H);
  for (let k = 0; k < tiles.length; k += T - 1) {
    const first = env.reset({ seed: episode.seed, options: { index: episode.index } }).observation as { glimpse: Float32Array };
    const g0 = episode.firstGlimpse;
    if (first.glimpse.length !== g0.length || first.glimpse.some((v, i) => v !== g0[i])) {
      throw new Error(`env ${env.spec?.id ?? '(unregistered)'} shows a different image when item ${episode.index} is replayed with seed ${episode.seed}; viz needs a render() method for it`);
    }
    for (let t = 0; t < T - 1; t++) {
      const tile = tiles[k + t];
      const loc = tile ? [tile[2], tile[3]] : [0, 0];
      const obs = env.step({ location: Float32Array.from(loc), label: 0 }).observation as { glimpse: Float32Array };
      if (!tile) continue;
      const [px, py] = tile;
      for (let i = 0; i < g && py + i < H; i++) for (let j = 0; j < g && px + j < W; j++) pixels[(py + i) * W + px + j] = obs.glimpse[i * g + j];
    }
    env.step({ location: new Float32Array(2), label: 0 });
  }
  return { pixels, width: W, height: H };
}

/** The episode an image is asked for, after it was played (see {@link envImage}). */
export interface PlayedEpisode extends ProbeEpisode {
  /** Steps per episode T. */
  steps: number;
  /** The env's reach. */
  reach: number;
}

/**
 * Returns the whole image of a played episode. Called after the episode ended (probing replays
 * it, so it must not run mid-episode).
 */
export type FrameOf = (env: Env, episode: PlayedEpisode) => GreyFrame;

/**
 * The default {@link FrameOf}: `env.render()` (GlimpseEnv has it); for an env without one that
 * exposes its image size as `imageWidth`/`imageHeight`, the {@link probeImage} fallback; else a
 * one-line error.
 */
export function envImage(env: Env, episode: PlayedEpisode): GreyFrame {
  if (typeof (env as unknown as { render?: unknown }).render === 'function') return renderFrame(env);
  const { imageWidth, imageHeight } = env as unknown as { imageWidth?: unknown; imageHeight?: unknown };
  if (typeof imageWidth !== 'number' || typeof imageHeight !== 'number' || !Number.isInteger(imageWidth) || !Number.isInteger(imageHeight)) {
    throw new Error(`env ${env.spec?.id ?? '(unregistered)'} has neither render() nor imageWidth/imageHeight; viz cannot get the whole image`);
  }
  return probeImage(env, episode, { width: imageWidth, height: imageHeight, reach: episode.reach, steps: episode.steps });
}

/**
 * `--viz-every N`: during training, the glimpse GIF of one fixed validation batch (the first
 * `count` validation items, same reset seed every time) every N epochs, written to
 * `<run dir>/viz/epoch-NNNN.gif`, so users can watch the policy improve. It reuses the sub-envs
 * of the run's validation VectorEnv between evaluations (they are reset by every evaluation
 * anyway) and acts greedily with its own RNG, so training results do not change.
 */
import * as path from 'path';
import type { Agent } from '../agents/agent';
import type { Env } from '../envs/core';
import type { VectorEnv } from '../envs/vector-env';
import { writeGlimpseGif } from './glimpse-animation';

/** Options of {@link epochGifWriter}. */
export interface EpochGifOptions {
  /** The run's validation env: a vector env exposing its sub-envs as `envs` (SyncVectorEnv). */
  valEnv: VectorEnv;
  agent: Agent;
  runDir: string;
  /** Reset seed of the pictured batch (fixed for the whole run). */
  seed: number;
  /** Images pictured; default 16, at most the vector env's width and the split size. */
  count?: number;
}

/** Path of the GIF of `epoch`. */
export function epochGifPath(runDir: string, epoch: number): string {
  return path.join(runDir, 'viz', `epoch-${String(epoch).padStart(4, '0')}.gif`);
}

/**
 * Returns the function the train loop calls after validating epoch `e`: it writes
 * {@link epochGifPath}`(runDir, e)` and returns the path. Throws one line at once when the env
 * cannot be pictured (no sub-envs).
 */
export function epochGifWriter(options: EpochGifOptions): (epoch: number) => string {
  const subEnvs = (options.valEnv as unknown as { envs?: readonly Env[] }).envs;
  if (!Array.isArray(subEnvs) || subEnvs.length === 0) throw new Error('--viz-every needs a validation VectorEnv exposing its sub-envs (SyncVectorEnv.envs)');
  const count = options.count ?? 16;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`--viz-every: count must be an integer >= 1, got ${count}`);
  const n = Math.min(count, subEnvs.length, options.valEnv.numItems ?? Infinity);
  const envs = subEnvs.slice(0, n);
  const indices = Array.from({ length: n }, (_, i) => i);
  return (epoch) => {
    const file = epochGifPath(options.runDir, epoch);
    writeGlimpseGif({ envs, agent: options.agent, indices, seed: options.seed, file });
    return file;
  };
}

/**
 * `loadModel(dir)`: a trained agent ready to classify a user's own images, from a checkpoint or
 * run directory. The images go through the same glimpse env the model was trained on (glimpse
 * count, retina size and scales, reach, start location, context view read from an env made with the
 * checkpoint's kwargs), over an {@link ArrayImageSource} of the given images, so a prediction
 * here is what `rl-run eval` would score for the same image.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Agent } from '../agents/agent';
import { Rng } from '../envs/rng';
import type { Env } from '../envs/core';
import { SyncVectorEnv } from '../envs/sync-vector-env';
import { GlimpseEnv } from '../envs/vision/glimpse-env';
import { ArrayImageSource } from '../envs/vision/image-source';
import { initBackend } from './backend';
import { assertCompatible, readCheckpoint, resolveCheckpointDir, type CheckpointMeta } from './checkpoint';
import { collectRollout } from './collect';
import { ConfigError } from './config';
import { splitKwargs } from './run';
import { loadPlugins } from './plugins';

/** One image to classify: `width * height` grey values, row-major; bytes 0..255 or floats in [0, 1]. */
export type ImageInput = Float32Array | Uint8Array;

/** What the model says about one image. */
export interface Classification {
  /** The predicted class. */
  label: number;
  /** Class probabilities (sum 1): the final step's softmax, averaged over samples when `samples > 0`. */
  probabilities: Float32Array;
  /** Glimpse centres in [-1, 1]^2 (x right, y down), one per glimpse, in the order taken. */
  locations: Array<[number, number]>;
}

/** Options of {@link LoadedModel.classify}. */
export interface ClassifyOptions {
  /** 0 (default): greedy glimpse locations; M > 0: M sampled rollouts, probabilities averaged. */
  samples?: number;
  /** Seed of the sampled locations (and of a random start location). Default 0. */
  seed?: number;
  /** Images per batch (default 256). */
  batchSize?: number;
}

/** A trained agent and the glimpse settings it was trained with. */
export interface LoadedModel {
  readonly agent: Agent;
  /** The checkpoint's metadata (env, agent and algorithm ids and configs, run config, counters). */
  readonly meta: CheckpointMeta;
  /** Size every image passed to {@link classify} must have. */
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly numClasses: number;
  /** Classifies each image (see {@link Classification}). */
  classify(images: readonly ImageInput[], options?: ClassifyOptions): Classification[];
  /** Frees the agent's tensors. */
  dispose(): void;
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Tensor backend to initialise (default `auto`); pass false when the caller has initialised one. */
  backend?: string | false;
  /** Load the modules the run recorded (`--require`), resolved from `cwd` (default true). */
  loadRequired?: boolean;
  cwd?: string;
}

/**
 * Loads the checkpoint in `dir` (a checkpoint directory, or a run directory: its best, else last,
 * checkpoint) and returns a {@link LoadedModel}. The env and agent it names must be registered
 * (built-ins, or the modules the run recorded, loaded here).
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const ckptDir = resolveCheckpointDir(dir);
  const ckpt = readCheckpoint(ckptDir);
  if (options.backend !== false) await initBackend(options.backend ?? 'auto');
  const recorded = Array.isArray(ckpt.meta.run.require) ? (ckpt.meta.run.require as string[]) : [];
  if (options.loadRequired !== false && recorded.length) await loadPlugins(recorded, options.cwd ?? process.cwd());
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { make, makeAgent } = require('../index') as typeof import('../index');
  let probe: Env | null = null;
  let agent: Agent | null = null;
  try {
    probe = make(ckpt.meta.env.id, splitKwargs(ckpt.meta.env.kwargs, 'test'));
    if (!(probe instanceof GlimpseEnv)) throw new ConfigError(`loadModel: env '${ckpt.meta.env.id}' is not a GlimpseEnv, so there is no image size to classify at`);
    const template = probe;
    const runSeed = typeof ckpt.meta.run.seed === 'number' ? ckpt.meta.run.seed : 0;
    agent = makeAgent(ckpt.meta.agent.id, { observationSpace: probe.observationSpace, actionSpace: probe.actionSpace, spec: probe.spec }, { ...(ckpt.meta.agent.config ?? {}) }, { seed: runSeed });
    assertCompatible(ckpt, agent.id, agent.getWeights());
    agent.setWeights(ckpt.weights);
    const model = agent;
    const numClasses = template.actionSpace.spaces.label.n;
    return {
      agent: model,
      meta: ckpt.meta,
      imageWidth: template.imageWidth,
      imageHeight: template.imageHeight,
      numClasses,
      classify: (images, opts = {}) => classifyImages(model, template, numClasses, images, opts),
      dispose: () => model.dispose(),
    };
  } catch (e) {
    agent?.dispose();
    throw e;
  } finally {
    probe?.close();
  }
}

function classifyImages(agent: Agent, template: GlimpseEnv, numClasses: number, images: readonly ImageInput[], opts: ClassifyOptions): Classification[] {
  const samples = opts.samples ?? 0;
  if (!Number.isInteger(samples) || samples < 0 || samples > 1000) throw new RangeError(`classify: samples must be an integer in [0, 1000], got ${String(samples)}`);
  const batch = opts.batchSize ?? 256;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`classify: batchSize must be a positive integer, got ${String(batch)}`);
  const W = template.imageWidth;
  const H = template.imageHeight;
  const area = W * H;
  images.forEach((im, i) => {
    if (!(im instanceof Float32Array || im instanceof Uint8Array) || im.length !== area) {
      throw new RangeError(`classify: image ${i} must be a Float32Array or Uint8Array of ${W}x${H} = ${area} values, got ${im?.length ?? typeof im}`);
    }
  });
  const out: Classification[] = [];
  const rng = new Rng(opts.seed ?? 0);
  for (let start = 0; start < images.length; start += batch) {
    const chunk = images.slice(start, start + batch);
    const floats = chunk.every((im) => im instanceof Uint8Array) ? new Uint8Array(chunk.length * area) : new Float32Array(chunk.length * area);
    chunk.forEach((im, i) => floats.set(floats instanceof Uint8Array ? (im as Uint8Array) : im instanceof Uint8Array ? Float32Array.from(im, (v) => v / 255) : im, i * area));
    const source = new ArrayImageSource({ width: W, height: H, numClasses, pixels: floats, labels: new Array(chunk.length).fill(0) });
    const envs = chunk.map(() => new GlimpseEnv({
      source, glimpses: template.glimpses, glimpseSize: template.retina.glimpseSize, scales: template.retina.scales,
      reach: template.reach, startLocation: template.startLocation, context: template.context,
    }));
    // With a context view, step 0 is the context step: no glimpse, so no glimpse location.
    const firstGlimpse = template.context > 0 ? 1 : 0;
    const vec = new SyncVectorEnv(envs);
    try {
      const reset = { seed: opts.seed ?? 0, options: chunk.map((_, i) => ({ index: i })) };
      const probs = new Float32Array(chunk.length * numClasses);
      let locations: Array<Array<[number, number]>> = [];
      let labels: Int32Array | null = null;
      for (let m = 0; m < Math.max(1, samples); m++) {
        const { rollout } = collectRollout(vec, agent, { greedy: samples === 0, rng, reset });
        if (m === 0) {
          locations = chunk.map((_, i) => rollout.observations.slice(firstGlimpse).map((o) => [o.location[2 * i], o.location[2 * i + 1]] as [number, number]));
          const last = rollout.actions[rollout.steps - 1].label;
          if (samples === 0 && last instanceof Int32Array) labels = last;
        }
        const p = tf.tidy(() => tf.exp(agent.evaluate(rollout).classLogProbs));
        const data = p.dataSync();
        p.dispose();
        for (let j = 0; j < probs.length; j++) probs[j] += data[j] / Math.max(1, samples);
      }
      chunk.forEach((_, i) => {
        const pr = probs.slice(i * numClasses, (i + 1) * numClasses);
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (pr[c] > pr[best]) best = c;
        out.push({ label: labels ? labels[i] : best, probabilities: pr, locations: locations[i] });
      });
    } finally {
      vec.close();
    }
  }
  return out;
}

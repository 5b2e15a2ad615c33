/**
 * Records what an agent does on a batch of glimpse episodes: for each episode the full image, the
 * location and patches of every glimpse, the predicted and the true class. It drives plain `Env`s
 * (one per episode, stepped together as one agent batch) through the Env and Agent interfaces
 * only, greedily (mean locations), so a picture shows the policy itself rather than its noise.
 * Envs whose observations carry a coarse `context` view (GlimpseEnv's `context` option) pass it to
 * the agent; their first step, the context step, shows no glimpse and is not recorded as one.
 */
import type { Agent, AgentState } from '../agents/agent';
import type { Env } from '../envs/core';
import { Rng } from '../envs/rng';
import { consecutiveSeeds, type Batch } from '../envs/vector-env';
import { envImage, glimpseShape, type FrameOf, type GreyFrame } from './env-image';
import type { RetinaGeometry } from './geometry';

export type { FrameOf, GreyFrame } from './env-image';

/** One recorded episode. */
export interface EpisodeTrace {
  /** Item index of the episode in its split (as passed to `reset({options: {index}})`). */
  index: number;
  /** The whole image the episode was played on. */
  image: Float32Array;
  /** True class (the terminal `info.label`). */
  label: number;
  /** Class the agent named on the last step. */
  prediction: number;
  /** `steps * 2` values: `(x, y)` of glimpse t, as the env reported it (after clipping). */
  locations: Float32Array;
  /** `steps * scales * g * g` values: the patches of glimpse t, `[step][scale][row][col]`. */
  glimpses: Float32Array;
}

/** A recorded batch: the sensor geometry, the episode length and every episode. */
export interface GlimpseTrace extends RetinaGeometry {
  /** Glimpses per episode T. */
  steps: number;
  episodes: EpisodeTrace[];
}

/** Options of {@link traceEpisodes}. */
export interface TraceOptions {
  /** Item index of episode i (passed as `reset({options: {index}})`). */
  indices: readonly number[];
  /** Reset seed of episode i is `seed + i` mod 2^32 (Gymnasium's vector rule); fixes env noise. */
  seed: number;
  /** The env's `reach`; default `env.spec.kwargs.reach`, else the env's own `reach` field. */
  reach?: number;
  /** How to get the whole image (asked after the episodes ended); default {@link envImage}. */
  frameOf?: FrameOf;
  /** Safety cap on the episode length (default `spec.maxEpisodeSteps`, else 1000). */
  maxSteps?: number;
}

function reachOf(env: Env, given: number | undefined): number {
  const reach = given ?? env.spec?.kwargs.reach ?? (env as unknown as { reach?: unknown }).reach;
  if (typeof reach !== 'number' || !Number.isFinite(reach) || reach <= 0) {
    throw new Error(`viz needs the env's reach (a number > 0) to place boxes; got ${String(reach)} (pass options.reach or make the env through the registry)`);
  }
  return reach;
}

/**
 * Plays one episode per env in `envs` (episode i on item `indices[i]`), all as one greedy agent
 * batch, and records them. Disposes the agent state it made; never closes the envs.
 */
export function traceEpisodes(envs: readonly Env[], agent: Agent, options: TraceOptions): GlimpseTrace {
  const B = envs.length;
  if (B === 0) throw new RangeError('traceEpisodes: needs at least one env');
  if (options.indices.length !== B) throw new RangeError(`traceEpisodes: ${options.indices.length} indices for ${B} envs; give one per env`);
  const { scales, glimpseSize } = glimpseShape(envs[0]);
  const G = scales * glimpseSize * glimpseSize;
  const reach = reachOf(envs[0], options.reach);
  const frameOf = options.frameOf ?? envImage;
  const maxSteps = options.maxSteps ?? envs[0].spec?.maxEpisodeSteps ?? 1000;

  // Gymnasium's seed + i, wrapped at 2^32 as training's batches are: a hashed evaluation seed can
  // lie within B of the top of the seed range.
  const seeds = consecutiveSeeds(options.seed, B);
  const resets = envs.map((env, i) => env.reset({ seed: seeds[i], options: { index: options.indices[i] } }));
  let obs = resets.map((r) => r.observation as { glimpse: Float32Array; location: Float32Array; context?: Float32Array });
  const K = obs[0].context instanceof Float32Array ? obs[0].context.length : 0;
  const locs: number[][] = envs.map(() => []);
  const patches: Float32Array[][] = envs.map(() => []);
  const predictions = new Int32Array(B).fill(-1);
  const labels = new Int32Array(B).fill(-1);
  // Greedy acting draws no noise; the RNG is only there because the contract asks for one.
  const rng = new Rng(options.seed);
  let state: AgentState = agent.initialState(B);
  try {
    for (let t = 0; ; t++) {
      if (t >= maxSteps) throw new Error(`traceEpisodes: episodes did not end within ${maxSteps} steps`);
      const batch: Batch = { glimpse: new Float32Array(B * G), location: new Float32Array(B * 2) };
      if (K > 0) batch.context = new Float32Array(B * K);
      obs.forEach((o, i) => {
        batch.glimpse.set(o.glimpse, i * G);
        batch.location.set(o.location, i * 2);
        if (K > 0) batch.context.set(o.context!, i * K);
        if (K > 0 && t === 0) return; // the context step: no glimpse was taken
        locs[i].push(o.location[0], o.location[1]);
        patches[i].push(Float32Array.from(o.glimpse));
      });
      const res = agent.act(batch, state, { greedy: true, rng });
      state = res.state;
      const { location, label } = res.action;
      const steps = envs.map((env, i) => env.step({ location: Float32Array.from(location.subarray(i * 2, i * 2 + 2)), label: label[i] }));
      const ended = steps.filter((s) => s.terminated || s.truncated).length;
      if (ended === 0) {
        obs = steps.map((s) => s.observation as { glimpse: Float32Array; location: Float32Array; context?: Float32Array });
        continue;
      }
      if (ended !== B) throw new Error(`traceEpisodes: only ${ended} of ${B} episodes ended at step ${t + 1}; glimpse episodes must have one length`);
      steps.forEach((s, i) => {
        predictions[i] = label[i];
        const y = s.info.label;
        if (typeof y !== 'number' || !Number.isInteger(y)) throw new Error(`traceEpisodes: env gave no integer info.label on the last step of episode ${i}`);
        labels[i] = y;
      });
      break;
    }
  } finally {
    agent.disposeState(state);
  }
  const T = locs[0].length / 2;
  // Images are asked for only now: probing an env replays its episode.
  const frames: GreyFrame[] = envs.map((env, i) =>
    frameOf(env, { seed: seeds[i], index: options.indices[i], firstGlimpse: patches[i][0], steps: T, reach }),
  );
  const { width, height } = frames[0];
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new Error(`traceEpisodes: image ${i} is ${f.width}x${f.height}, image 0 is ${width}x${height}`);
  });
  const episodes: EpisodeTrace[] = envs.map((_, i) => {
    const glimpses = new Float32Array(T * G);
    patches[i].forEach((p, t) => glimpses.set(p, t * G));
    return { index: options.indices[i], image: Float32Array.from(frames[i].pixels), label: labels[i], prediction: predictions[i], locations: Float32Array.from(locs[i]), glimpses };
  });
  return { width, height, glimpseSize, scales, reach, steps: T, episodes };
}

/**
 * Scores an agent on a whole split exactly once: items are visited in order through
 * `reset({options: {index}})` per sub-env, the last partial batch is padded (repeating the last
 * item) and the padding masked out. Locations are greedy, or M sampled rollouts of the same
 * episodes whose class probabilities are averaged (Mnih et al.'s Monte-Carlo evaluation). The
 * class probabilities are those `act` computed at the last step (`rollout.outputs`); only an
 * agent that keeps no outputs has its rollouts replayed for them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Agent } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import { Rng, hashSeed } from '../envs/rng';
import { consecutiveSeeds, type VectorEnv } from '../envs/vector-env';
import { collectRollout } from './collect';

/** Options of {@link evaluateSplit}. */
export interface EvaluateOptions {
  /** 0: greedy locations and the agent's label action; M > 0: M sampled rollouts averaged. */
  samples: number;
  /** Seeds env noise per chunk and the location samples, so a re-evaluation gives the same number. */
  seed: number;
  /** Score only the first N items (all when unset). */
  maxItems?: number;
}

/** Result of {@link evaluateSplit}. */
export interface EvalResult {
  accuracy: number;
  error: number;
  correct: number;
  total: number;
  /** 0 for greedy locations, M for M sampled rollouts averaged. */
  samples: number;
  seconds: number;
}

function argmax(a: Float32Array | Int32Array, from: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[from + j] > a[from + best]) best = j;
  return best;
}

/** How far an evaluation has got (yielded by {@link evaluateSplitSteps}). */
export interface EvalProgress {
  /** Items fully scored so far. */
  done: number;
  /** Items to score. */
  total: number;
  /** Share of the work done in [0, 1] (counts each of the M sampled rollouts of a batch). */
  fraction: number;
  /** Seconds since the evaluation began. */
  seconds: number;
}

/**
 * Evaluates `agent` on every item of `env`'s split (see module doc); `onProgress` is called after
 * every rollout batch (a long evaluation reports where it is).
 */
export function evaluateSplit(env: VectorEnv, agent: Agent, options: EvaluateOptions & { onProgress?: (p: EvalProgress) => void }): EvalResult {
  const steps = evaluateSplitSteps(env, agent, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    options.onProgress?.(r.value);
  }
}

/**
 * {@link evaluateSplit} that gives the event loop a turn after every rollout batch, so a long
 * evaluation stays responsive (signals, terminal resizes) while it reports progress.
 */
export async function evaluateSplitAsync(env: VectorEnv, agent: Agent, options: EvaluateOptions & { onProgress?: (p: EvalProgress) => void }): Promise<EvalResult> {
  const steps = evaluateSplitSteps(env, agent, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    options.onProgress?.(r.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * {@link evaluateSplit} as a generator: yields an {@link EvalProgress} after every rollout batch
 * and returns the result, so an async caller (the train loop) can pass progress on as events.
 */
export function* evaluateSplitSteps(env: VectorEnv, agent: Agent, options: EvaluateOptions): Generator<EvalProgress, EvalResult, void> {
  const t0 = Date.now();
  if (env.numItems === undefined) throw new Error(`env ${env.spec?.id ?? '?'} has no numItems; evaluation needs a finite indexed split`);
  if (!Number.isInteger(options.samples) || options.samples < 0) throw new Error(`evaluation samples must be an integer >= 0, got ${options.samples}`);
  const n = Math.min(env.numItems, options.maxItems ?? Infinity);
  const B = env.numEnvs;
  const rng = new Rng(hashSeed(options.seed, 0x5eed));
  let correct = 0;
  const rolloutsPerChunk = Math.max(1, options.samples);
  const work = Math.ceil(n / B) * rolloutsPerChunk;
  const progress = (chunk: number, rollouts: number, done: number): EvalProgress => ({
    done,
    total: n,
    fraction: work > 0 ? (chunk * rolloutsPerChunk + rollouts) / work : 1,
    seconds: (Date.now() - t0) / 1000,
  });
  for (let start = 0, chunk = 0; start < n; start += B, chunk++) {
    const valid = Math.min(B, n - start);
    const perEnv = Array.from({ length: B }, (_, i) => ({ index: start + Math.min(i, valid - 1) }));
    const reset = { seed: consecutiveSeeds(hashSeed(options.seed, chunk), B), options: perEnv };
    if (options.samples === 0) {
      const { rollout } = collectRollout(env, agent, { greedy: true, rng, reset });
      const last = rollout.actions[rollout.steps - 1];
      const labels = last.label;
      for (let i = 0; i < valid; i++) {
        const hit = labels ? labels[i] === rollout.targets[i] : rollout.returns[i] > 0;
        if (hit) correct++;
      }
      yield progress(chunk + 1, 0, start + valid);
      continue;
    }
    let probs: Float32Array | null = null;
    let targets: Int32Array | null = null;
    let C = 0;
    for (let m = 0; m < options.samples; m++) {
      const { rollout } = collectRollout(env, agent, { greedy: false, rng, reset });
      targets = rollout.targets;
      const p = tf.tidy(() => tf.exp(finalClassLogProbs(agent, rollout)));
      C = p.shape[1] as number;
      const data = p.dataSync() as Float32Array;
      p.dispose();
      if (!probs) probs = new Float32Array(data.length);
      for (let j = 0; j < data.length; j++) probs[j] += data[j];
      if (m < options.samples - 1) yield progress(chunk, m + 1, start);
    }
    for (let i = 0; i < valid; i++) if (argmax(probs!, i * C, C) === targets![i]) correct++;
    yield progress(chunk + 1, 0, start + valid);
  }
  const accuracy = n > 0 ? correct / n : 0;
  return { accuracy, error: 1 - accuracy, correct, total: n, samples: options.samples, seconds: (Date.now() - t0) / 1000 };
}

/**
 * `[B, C]` class log-probabilities at the last step of `rollout`: the logSoftmax of the logits
 * `act` kept (the op the replay applies to the same logits: the same values), else a replay.
 */
function finalClassLogProbs(agent: Agent, rollout: Rollout): tf.Tensor2D {
  const last = rollout.outputs?.[rollout.steps - 1];
  if (last === undefined) return agent.evaluate(rollout).classLogProbs;
  const B = rollout.batchSize;
  return tf.logSoftmax(tf.tensor2d(last.classLogits, [B, last.classLogits.length / B]));
}

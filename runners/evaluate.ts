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
import type { VectorEnv } from '../envs/vector-env';
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

/** Evaluates `agent` on every item of `env`'s split (see module doc). */
export function evaluateSplit(env: VectorEnv, agent: Agent, options: EvaluateOptions): EvalResult {
  const steps = evaluationSteps(env, agent, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link evaluateSplit} that gives the event loop a turn after every rollout and gives up (null)
 * when `shouldStop()` turns true, so a stop request (Ctrl-C) is honoured within one rollout even
 * during a long evaluation. Same result as {@link evaluateSplit} when it runs to the end.
 */
export async function evaluateSplitInterruptible(env: VectorEnv, agent: Agent, options: EvaluateOptions, shouldStop: () => boolean): Promise<EvalResult | null> {
  const steps = evaluationSteps(env, agent, options);
  for (;;) {
    if (shouldStop()) {
      steps.return(null as never);
      return null;
    }
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The evaluation as a generator that yields after each rollout (no tensor is alive at a yield). */
function* evaluationSteps(env: VectorEnv, agent: Agent, options: EvaluateOptions): Generator<void, EvalResult> {
  const t0 = Date.now();
  if (env.numItems === undefined) throw new Error(`env ${env.spec?.id ?? '?'} has no numItems; evaluation needs a finite indexed split`);
  if (!Number.isInteger(options.samples) || options.samples < 0) throw new Error(`evaluation samples must be an integer >= 0, got ${options.samples}`);
  const n = Math.min(env.numItems, options.maxItems ?? Infinity);
  const B = env.numEnvs;
  const rng = new Rng(hashSeed(options.seed, 0x5eed));
  let correct = 0;
  for (let start = 0, chunk = 0; start < n; start += B, chunk++) {
    const valid = Math.min(B, n - start);
    const perEnv = Array.from({ length: B }, (_, i) => ({ index: start + Math.min(i, valid - 1) }));
    const reset = { seed: hashSeed(options.seed, chunk), options: perEnv };
    if (options.samples === 0) {
      const { rollout } = collectRollout(env, agent, { greedy: true, rng, reset });
      const last = rollout.actions[rollout.steps - 1];
      const labels = last.label;
      for (let i = 0; i < valid; i++) {
        const hit = labels ? labels[i] === rollout.targets[i] : rollout.returns[i] > 0;
        if (hit) correct++;
      }
      yield;
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
      yield;
    }
    for (let i = 0; i < valid; i++) if (argmax(probs!, i * C, C) === targets![i]) correct++;
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

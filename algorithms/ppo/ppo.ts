/**
 * PPO for the RAM hybrid loss: the location policy is trained by the clipped surrogate over
 * several epochs of the same rollout (optionally in shuffled minibatches), the classifier by the
 * supervised NLL and the baseline by its MSE, as in reinforce. The rollout policy's log-probs and
 * the advantages `R - b` are held fixed (no gradient): they are what `act` computed while
 * collecting (`rollout.outputs`), or, for an agent that keeps none, one replay before the epochs.
 * Every pass replays the stored trajectories through `agent.evaluate` (the first can reuse the
 * rollout's activation cache: the weights have not moved yet).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Agent, Evaluation } from '../../agents/agent';
import type { Rollout } from '../../agents/rollout';
import { Rng, hashSeed } from '../../envs/rng';
import type { Metrics } from '../algorithm';
import { OPTIMIZER_DEFAULTS, PolicyGradientBase, resolveAlgorithmOptions, type OptimizerOptions } from '../policy-gradient-base';
import { baselineMse, classificationNll } from '../reinforce/losses';
import { approxKl, clipFraction, clippedSurrogateLoss } from './losses';
import { minibatchIndices, selectEpisodes } from './minibatch';

/** Hyper-parameters of {@link Ppo}: the optimizer's plus PPO's own. */
export interface PpoOptions extends OptimizerOptions {
  /** Passes over each rollout (each pass is `minibatches` Adam steps). */
  epochs: number;
  /** Clipping radius eps of the probability ratio. */
  clip: number;
  /** Shuffled minibatches per pass (1: the whole rollout per step). */
  minibatches: number;
  /** Weight of the clipped surrogate; 0.01 like reinforce's `reinforceWeight` (same gradient scale at ratio 1). */
  policyWeight: number;
  /** Weight of the baseline (value) MSE. */
  valueWeight: number;
  /** Seed of the minibatch shuffles (combined with the optimizer step, so a resume replays them). */
  seed: number;
}

/** Defaults of {@link PpoOptions}. */
export const PPO_DEFAULTS: Readonly<PpoOptions> = Object.freeze({
  ...OPTIMIZER_DEFAULTS,
  epochs: 4,
  clip: 0.2,
  minibatches: 1,
  policyWeight: 0.01,
  valueWeight: 1,
  seed: 0,
});

/** Validates `options` over {@link PPO_DEFAULTS}; one-line errors name the bad key or value. */
export function resolvePpoOptions(options: Record<string, unknown> = {}): PpoOptions {
  return resolveAlgorithmOptions('ppo', PPO_DEFAULTS, options, (num) => {
    num('epochs', (x) => Number.isInteger(x) && x >= 1 && x <= 100, 'an integer in [1, 100]');
    num('clip', (x) => x > 0 && x < 1, 'a number in (0, 1)');
    num('minibatches', (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
    num('policyWeight', (x) => x >= 0, 'a number >= 0');
    num('valueWeight', (x) => x >= 0, 'a number >= 0');
    num('seed', (x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff, 'an integer in [0, 4294967295]');
  });
}

/** Per-step metrics averaged over the epochs and minibatches of one update, in order. */
const STEP_METRICS = ['loss', 'nll', 'policy', 'baselineMse', 'clipFraction', 'approxKl'] as const;

/** Clipped-surrogate policy gradient + classification NLL + baseline MSE, Adam. */
export class Ppo extends PolicyGradientBase<PpoOptions> {
  readonly id = 'ppo';

  update(agent: Agent, rollout: Rollout): Metrics {
    const vars = agent.trainableVariables();
    this.checkMoments(vars);
    const { epochs, clip, minibatches, policyWeight, valueWeight, seed } = this.options;
    const B = rollout.batchSize;
    if (minibatches > B) throw new Error(`ppo: minibatches=${minibatches} is more than the ${B} episodes of the rollout; lower it or raise --batch-size`);
    // The rollout policy's quantities, fixed for every pass: computed outside any gradient tape.
    const old = tf.tidy(() => {
      const ev = actingPolicy(rollout) ?? agent.evaluate(rollout);
      const rewards = tf.tensor1d(rollout.returns);
      const advantages = ev.baselines ? tf.sub(rewards, ev.baselines) : tf.mul(tf.onesLike(ev.logProbs), rewards);
      const correct = tf.equal(tf.argMax(ev.classLogProbs, 1), tf.tensor1d(rollout.targets, 'int32'));
      const baseline = ev.baselines ? tf.mean(ev.baselines) : tf.scalar(0);
      const stats = tf.stack([tf.mean(rewards), tf.mean(tf.cast(correct, 'float32')), baseline]);
      return { logProbs: ev.logProbs, advantages: advantages as tf.Tensor2D, stats };
    });
    const [reward, accuracy, baseline] = old.stats.dataSync();
    // Seeded by the optimizer's step count, which checkpoints keep: a resumed run shuffles alike.
    const rng = new Rng(hashSeed(seed, this.optimizer.iterations));
    const sums = new Float64Array(STEP_METRICS.length);
    let gradNorm = 0;
    let steps = 0;
    try {
      for (let e = 0; e < epochs; e++) {
        const groups = minibatches === 1 ? [null] : minibatchIndices(B, minibatches, rng);
        for (const idx of groups) {
          const part = idx ? selectEpisodes(rollout, idx) : rollout;
          const oldLogProbs = idx ? (tf.gather(old.logProbs, idx, 1) as tf.Tensor2D) : old.logProbs;
          const advantages = idx ? (tf.gather(old.advantages, idx, 1) as tf.Tensor2D) : old.advantages;
          try {
            const r = this.adamStep(vars, () => {
              const ev = agent.evaluate(part);
              const rewards = tf.tensor1d(part.returns);
              const nll = classificationNll(ev.classLogProbs, part.targets);
              const policy = clippedSurrogateLoss(ev.logProbs, oldLogProbs, advantages, ev.decisionMask, clip);
              const value = ev.baselines ? baselineMse(ev.baselines, rewards, ev.decisionMask) : tf.scalar(0);
              const loss = tf.add(nll, tf.add(tf.mul(policy, policyWeight), tf.mul(value, valueWeight))) as tf.Scalar;
              const fraction = clipFraction(ev.logProbs, oldLogProbs, ev.decisionMask, clip);
              const kl = approxKl(ev.logProbs, oldLogProbs, ev.decisionMask);
              return { loss, stats: [loss, nll, policy, value, fraction, kl] };
            }, agent);
            r.stats.forEach((v, i) => (sums[i] += v));
            gradNorm += r.gradNorm;
            steps++;
          } finally {
            if (idx) tf.dispose([oldLogProbs, advantages]);
          }
        }
      }
    } finally {
      tf.dispose([old.logProbs, old.advantages, old.stats]);
    }
    const metrics: Metrics = {};
    STEP_METRICS.forEach((k, i) => (metrics[k] = sums[i] / steps));
    Object.assign(metrics, { reward, accuracy, baseline, gradNorm: gradNorm / steps, lr: this.lr });
    return metrics;
  }
}

/**
 * The acting policy's log-probs, baselines and final class log-probs as tensors, from what `act`
 * kept (`rollout.outputs`; the same values a replay gives), or null when the rollout has none.
 */
function actingPolicy(rollout: Rollout): Pick<Evaluation, 'logProbs' | 'baselines' | 'classLogProbs'> | null {
  const { outputs, steps: T, batchSize: B } = rollout;
  if (outputs === undefined || outputs.length !== T) return null;
  const logProbs = new Float32Array(T * B);
  const hasBaseline = outputs.every((o) => o.baseline !== null);
  const baselines = hasBaseline ? new Float32Array(T * B) : null;
  for (let t = 0; t < T; t++) {
    const o = outputs[t];
    if (o.logProb.length !== B || (o.baseline !== null && o.baseline.length !== B)) {
      throw new Error(`ppo: rollout.outputs[${t}] has ${o.logProb.length} log-probs, the rollout batch is ${B}`);
    }
    logProbs.set(o.logProb, t * B);
    if (baselines !== null) baselines.set(o.baseline!, t * B);
  }
  const logits = outputs[T - 1].classLogits;
  if (logits.length % B !== 0 || logits.length === 0) throw new Error(`ppo: rollout.outputs[${T - 1}].classLogits has ${logits.length} values, not B=${B} rows`);
  return {
    logProbs: tf.tensor2d(logProbs, [T, B]),
    baselines: baselines === null ? null : tf.tensor2d(baselines, [T, B]),
    classLogProbs: tf.logSoftmax(tf.tensor2d(logits, [B, logits.length / B])),
  };
}

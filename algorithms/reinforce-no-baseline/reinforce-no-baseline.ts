/**
 * The baseline ablation of the RAM hybrid loss: REINFORCE with advantage = episode reward (no
 * learned baseline subtracted, the baseline network never trained) + classification NLL, Adam.
 * Same losses, defaults and optimizer as `reinforce`; only the baseline is gone.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Agent } from '../../agents/agent';
import type { Rollout } from '../../agents/rollout';
import type { Metrics } from '../algorithm';
import { OPTIMIZER_DEFAULTS, PolicyGradientBase, resolveAlgorithmOptions, type OptimizerOptions } from '../policy-gradient-base';
import { classificationNll, reinforceLoss } from '../reinforce/losses';
import { REINFORCE_DEFAULTS } from '../reinforce/reinforce';

/** Hyper-parameters of {@link ReinforceNoBaseline}: the optimizer's plus the REINFORCE weight. */
export interface ReinforceNoBaselineOptions extends OptimizerOptions {
  /** Weight of the REINFORCE term (default: reinforce's, 0.01). */
  reinforceWeight: number;
}

/** Defaults of {@link ReinforceNoBaselineOptions}: reinforce's, without `baselineWeight`. */
export const REINFORCE_NO_BASELINE_DEFAULTS: Readonly<ReinforceNoBaselineOptions> = Object.freeze({
  ...OPTIMIZER_DEFAULTS,
  reinforceWeight: REINFORCE_DEFAULTS.reinforceWeight,
});

/** Validates `options` over {@link REINFORCE_NO_BASELINE_DEFAULTS}; one-line errors name the bad key or value. */
export function resolveReinforceNoBaselineOptions(options: Record<string, unknown> = {}): ReinforceNoBaselineOptions {
  return resolveAlgorithmOptions('reinforce-no-baseline', REINFORCE_NO_BASELINE_DEFAULTS, options, (num) => {
    num('reinforceWeight', (x) => x >= 0, 'a number >= 0');
  });
}

/** Metric names returned by {@link ReinforceNoBaseline.update}, in order. */
const METRIC_NAMES = ['loss', 'nll', 'reinforce', 'reward', 'accuracy'] as const;

/** REINFORCE without a baseline + classification NLL. */
export class ReinforceNoBaseline extends PolicyGradientBase<ReinforceNoBaselineOptions> {
  readonly id = 'reinforce-no-baseline';

  update(agent: Agent, rollout: Rollout): Metrics {
    const vars = agent.trainableVariables();
    this.checkMoments(vars);
    const { reinforceWeight } = this.options;
    const { stats, gradNorm } = this.adamStep(vars, () => {
      const ev = agent.evaluate(rollout);
      const rewards = tf.tensor1d(rollout.returns);
      const nll = classificationNll(ev.classLogProbs, rollout.targets);
      // null baseline: the advantage is the reward itself; the baseline network gets no gradient.
      const rf = reinforceLoss(ev.logProbs, rewards, null, ev.decisionMask);
      const loss = tf.add(nll, tf.mul(rf, reinforceWeight)) as tf.Scalar;
      const correct = tf.equal(tf.argMax(ev.classLogProbs, 1), tf.tensor1d(rollout.targets, 'int32'));
      return { loss, stats: [loss, nll, rf, tf.mean(rewards), tf.mean(tf.cast(correct, 'float32'))] };
    }, agent);
    const metrics: Metrics = {};
    METRIC_NAMES.forEach((k, i) => (metrics[k] = stats[i]));
    metrics.gradNorm = gradNorm;
    metrics.lr = this.lr;
    return metrics;
  }
}

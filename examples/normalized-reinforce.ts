/**
 * A new algorithm in a user's own package: REINFORCE on whitened returns (each batch's returns
 * standardised to mean 0 and std 1, the batch mean acting as the baseline) plus the
 * classification NLL, on the Adam optimizer, schedule and checkpointable state that
 * glimpse-gym's algorithms share. Load it with `rl-run --require ./normalized-reinforce.js --algo normalized-reinforce`.
 */
import {
  OPTIMIZER_DEFAULTS, PolicyGradientBase, classificationNll, registerAlgorithm, resolveAlgorithmOptions, tf, withOptimizerOptions,
  type Agent, type Metrics, type OptimizerOptions, type Rollout,
} from 'glimpse-gym';

export interface NormalizedReinforceOptions extends OptimizerOptions {
  /** Weight of the policy-gradient term against the NLL. */
  policyWeight: number;
}

const DEFAULTS: Readonly<NormalizedReinforceOptions> = Object.freeze({ ...OPTIMIZER_DEFAULTS, policyWeight: 0.01 });

export class NormalizedReinforce extends PolicyGradientBase<NormalizedReinforceOptions> {
  readonly id = 'normalized-reinforce';

  update(agent: Agent, rollout: Rollout): Metrics {
    // Whitened returns are constants of the loss: computed here, outside the gradient tape.
    const R = rollout.returns;
    const mean = R.reduce((a, b) => a + b, 0) / R.length;
    const std = Math.sqrt(R.reduce((a, b) => a + (b - mean) ** 2, 0) / R.length) + 1e-6;
    const advantages = R.map((r) => (r - mean) / std);
    const { stats, gradNorm } = this.adamStep(agent.trainableVariables(), () => {
      const ev = agent.evaluate(rollout);
      const nll = classificationNll(ev.classLogProbs, rollout.targets);
      // -sum_t,b mask * logp * A_b / sum(mask): A_b broadcasts over the T decision steps.
      const weighted = tf.mul(tf.mul(ev.logProbs, tf.tensor2d(advantages, [1, R.length])), ev.decisionMask);
      const policy = tf.neg(tf.div(tf.sum(weighted), tf.maximum(tf.sum(ev.decisionMask), 1))) as tf.Scalar;
      const loss = tf.add(nll, tf.mul(policy, this.options.policyWeight)) as tf.Scalar;
      return { loss, stats: [loss, nll, policy] };
    });
    return { loss: stats[0], nll: stats[1], policy: stats[2], reward: mean, gradNorm, lr: this.lr };
  }
}

registerAlgorithm('normalized-reinforce', {
  description: 'REINFORCE on whitened returns + classification NLL, Adam (user package example)',
  options: withOptimizerOptions(DEFAULTS, { policyWeight: { type: 'number', min: 0, help: 'weight of the policy-gradient term' } }),
  create: (options) => new NormalizedReinforce(resolveAlgorithmOptions('normalized-reinforce', DEFAULTS, options, (num) => num('policyWeight', (x) => x >= 0, 'a number >= 0'))),
});

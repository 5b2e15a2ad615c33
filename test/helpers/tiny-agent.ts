/**
 * A hand-checkable agent for algorithm tests: its Evaluation is made of its own variables
 * (class logits `[B, C]`, location log-probs `[T, B]`, baselines `[T, B]`) and a fixed decision
 * mask, so every loss term of an update can be computed by hand from the numbers given.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ActResult, Agent, AgentState, Evaluation, NamedWeights } from '../../agents/agent';
import type { Rollout } from '../../agents/rollout';

/** The numbers a {@link TinyAgent} starts from (row-major nested arrays). */
export interface TinyAgentInit {
  logits: number[][];
  logProbs: number[][];
  /** Omit for an agent without a baseline. */
  baselines?: number[][];
  mask: number[][];
  /** The log-probs are constants, not variables: an agent without a policy gradient (random-glimpse style). */
  constantLogProbs?: boolean;
}

let count = 0;

/** See module doc. `act` is not used by algorithms and throws. */
export class TinyAgent implements Agent {
  readonly id = 'tiny';
  readonly config = {};
  readonly logits: tf.Variable;
  readonly logProbs: tf.Variable;
  readonly baselines: tf.Variable | null;
  private readonly mask: number[][];
  private readonly constantLogProbs: boolean;

  constructor(init: TinyAgentInit) {
    const n = ++count;
    this.logits = tf.variable(tf.tensor2d(init.logits), true, `tiny${n}/logits`);
    this.logProbs = tf.variable(tf.tensor2d(init.logProbs), true, `tiny${n}/logProbs`);
    this.baselines = init.baselines ? tf.variable(tf.tensor2d(init.baselines), true, `tiny${n}/baselines`) : null;
    this.mask = init.mask;
    this.constantLogProbs = init.constantLogProbs === true;
  }

  initialState(): AgentState {
    return { tensors: [] };
  }
  act(): ActResult {
    throw new Error('TinyAgent.act is not used by algorithm tests');
  }
  disposeState(): void {}
  evaluate(_rollout: Rollout): Evaluation {
    return {
      logProbs: this.constantLogProbs ? tf.tensor2d(this.logProbs.arraySync() as number[][]) : (tf.add(this.logProbs, 0) as tf.Tensor2D),
      baselines: this.baselines ? (tf.add(this.baselines, 0) as tf.Tensor2D) : null,
      classLogProbs: tf.logSoftmax(this.logits as tf.Tensor2D),
      decisionMask: tf.tensor2d(this.mask),
    };
  }
  trainableVariables(): tf.Variable[] {
    const vars = [this.logits, ...(this.constantLogProbs ? [] : [this.logProbs]), ...(this.baselines ? [this.baselines] : [])];
    return vars;
  }
  getWeights(): NamedWeights {
    const out: NamedWeights = {};
    for (const v of this.trainableVariables()) out[v.name] = { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
    return out;
  }
  setWeights(): void {
    throw new Error('TinyAgent.setWeights is not used');
  }
  dispose(): void {
    tf.dispose([this.logits, this.logProbs, ...(this.baselines ? [this.baselines] : [])]);
  }
}

/** A rollout of `B` episodes of `T` steps carrying only returns and targets (TinyAgent reads nothing else). */
export function tinyRollout(returns: number[], targets: number[], T: number): Rollout {
  const B = returns.length;
  const empty = Array.from({ length: T }, () => ({}));
  return {
    batchSize: B,
    steps: T,
    observations: empty,
    actions: empty.map(() => ({})),
    records: empty.map(() => ({})),
    rewards: Array.from({ length: T }, (_, t) => (t === T - 1 ? Float32Array.from(returns) : new Float32Array(B))),
    returns: Float32Array.from(returns),
    targets: Int32Array.from(targets),
  };
}

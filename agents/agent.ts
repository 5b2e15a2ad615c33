/**
 * The agent contract: what algorithms and runners may rely on. Algorithms see only this
 * interface (never a concrete agent), runners see it plus envs and algorithms.
 *
 * An agent is batched and recurrent: `initialState(B)`, then `act` once per env step with the
 * batched observation; `evaluate` replays a stored {@link Rollout} inside a gradient tape and
 * returns the differentiable quantities the algorithms need.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../envs/vector-env';
import type { Space } from '../envs/spaces';
import type { EnvSpec } from '../envs/core';
import type { Rng } from '../envs/rng';
import type { Rollout, RolloutCache } from './rollout';

/** Opaque recurrent state owned by the agent (tensors it keeps alive until `disposeState`). */
export type AgentState = { readonly tensors: tf.Tensor[] } & Record<string, unknown>;

/** Options for one {@link Agent.act} call. */
export interface ActOptions {
  /** Greedy (mean) actions instead of samples; used for evaluation. */
  greedy: boolean;
  /** Source of sampling noise (the runner's RNG, whose state is checkpointed). */
  rng: Rng;
  /**
   * The cache of the rollout this step belongs to, made by {@link ActivationCaching.createRolloutCache}
   * of this agent when the caller keeps one (training); the agent records into it what its
   * replay of the rollout can reuse. Absent: record nothing.
   */
  cache?: RolloutCache;
}

/**
 * What one {@link Agent.act} step computed that learning needs, per episode of the batch, as
 * fresh plain arrays (the caller may keep them); the rollout keeps them (`Rollout.outputs`) so algorithms and evaluation need not
 * replay the rollout to get them (the quantities of SB3's `evaluate_actions`, computed once).
 */
export interface ActOutputs {
  /** `[B]` log-probability of the policy (location) action sampled at this step. */
  logProb: Float32Array;
  /** `[B]` learned baseline (value estimate) at this step, or null for an agent without one. */
  baseline: Float32Array | null;
  /**
   * `[B*C]` class logits after this step, row-major; `logSoftmax` of a row is that episode's class
   * log-probabilities. Logits, not log-probabilities, so a consumer computes them with the same
   * tfjs op as the replay (`tf.logSoftmax`) and gets the replay's values bit for bit.
   */
  classLogits: Float32Array;
}

/** The result of one {@link Agent.act} call. */
export interface ActResult {
  /** Batched action in the env's action-space batching (glimpse envs: `location`, `label`). */
  action: Batch;
  /** Next recurrent state. The previous state is disposed by `act`. */
  state: AgentState;
  /**
   * Per-step numbers the agent wants back in `evaluate` (for example the Gaussian noise used), and
   * scalars for logging. Plain typed arrays only, never tensors.
   */
  record?: Batch;
  /** What this step computed that learning needs (see {@link ActOutputs}); absent if the agent keeps none. */
  outputs?: ActOutputs;
}

/** Differentiable quantities from replaying a rollout (all created inside the caller's tape). */
export interface Evaluation {
  /** `[T, B]` log-probability of each policy (location) action taken, per decision step. */
  logProbs: tf.Tensor2D;
  /** `[T, B]` learned baseline per decision step (computed from stop-gradient features), or null. */
  baselines: tf.Tensor2D | null;
  /** `[B, C]` log-probabilities of the classes at the final step. */
  classLogProbs: tf.Tensor2D;
  /** `[T, B]` mask: 1 where decision t influenced the episode (later glimpses exist), else 0. */
  decisionMask: tf.Tensor2D;
}

/** Everything a factory needs to build an agent for an env. */
export interface AgentEnvInfo {
  observationSpace: Space;
  actionSpace: Space;
  spec?: EnvSpec;
}

/** A pluggable, batched, recurrent agent with trainable tfjs variables. */
export interface Agent {
  /** Registry id, e.g. `ram`. */
  readonly id: string;
  /** Full JSON-serialisable config (what `create` needs to rebuild the same network). */
  readonly config: Record<string, unknown>;
  /** Fresh state for `batchSize` new episodes. */
  initialState(batchSize: number): AgentState;
  /** One decision step without gradient: returns the batched action and the next state. */
  act(observation: Batch, state: AgentState, options: ActOptions): ActResult;
  /** Frees the tensors of a state that will not be passed to `act` again. */
  disposeState(state: AgentState): void;
  /**
   * Replays `rollout` (observations and actions taken) and returns differentiable tensors.
   * Must be called inside a gradient scope (`tf.variableGrads`) by an algorithm.
   */
  evaluate(rollout: Rollout): Evaluation;
  /** Trainable variables, in a stable order. */
  trainableVariables(): tf.Variable[];
  /** Named weights as plain arrays (for checkpoints). */
  getWeights(): NamedWeights;
  /** Loads named weights; throws a clear error on a missing name or a shape mismatch. */
  setWeights(weights: NamedWeights): void;
  /**
   * Tells the agent its trainable variables changed (an optimizer step): anything it computed
   * under the old weights (an activation cache) is stale. Algorithms call it after each step.
   */
  weightsChanged?(): void;
  dispose(): void;
}

/**
 * An optional capability of an {@link Agent}: it can keep, during a rollout, what its replay of
 * that rollout would otherwise recompute (for RAM: the forward activations). The caller that
 * collects a rollout for training creates one cache per rollout, passes it to every `act` step
 * (`ActOptions.cache`), stores it in the rollout (`Rollout.cache`) and disposes it with the
 * rollout. Generic code that ignores the capability loses only the speed.
 */
export interface ActivationCaching {
  /** A new, empty cache for one rollout of `batchSize` episodes. */
  createRolloutCache(batchSize: number): RolloutCache;
}

/** Whether `agent` offers {@link ActivationCaching}. */
export function hasActivationCaching(agent: Agent): agent is Agent & ActivationCaching {
  return typeof (agent as Partial<ActivationCaching>).createRolloutCache === 'function';
}

/** Named float32 arrays with their shapes, the checkpoint format of weights. */
export type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

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
import type { Rollout } from './rollout';

/** Opaque recurrent state owned by the agent (tensors it keeps alive until `disposeState`). */
export type AgentState = { readonly tensors: tf.Tensor[] } & Record<string, unknown>;

/** Options for one {@link Agent.act} call. */
export interface ActOptions {
  /** Greedy (mean) actions instead of samples; used for evaluation. */
  greedy: boolean;
  /** Source of sampling noise (the runner's RNG, whose state is checkpointed). */
  rng: Rng;
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
  dispose(): void;
}

/** Named float32 arrays with their shapes, the checkpoint format of weights. */
export type NamedWeights = Record<string, { shape: number[]; data: Float32Array }>;

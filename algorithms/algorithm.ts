/**
 * The learning-algorithm contract. An algorithm sees only the {@link Agent} interface and
 * {@link Rollout}s; swapping algorithms is one registry id (`--algo`).
 */
import type { Agent } from '../agents/agent';
import type { Rollout } from '../agents/rollout';
import type { NamedWeights } from '../agents/agent';

/** Scalar training metrics of one update (numbers only, for the event stream). */
export type Metrics = Record<string, number>;

/** Serialisable algorithm state for checkpoints (optimizer slots as named arrays plus scalars). */
export interface AlgorithmState {
  /** Optimizer slot variables (Adam moments ...), by name. */
  weights: NamedWeights;
  /** Scalars such as the optimizer step count and current learning rate. */
  scalars: Record<string, number>;
}

export interface Algorithm {
  /** Registry id, e.g. `reinforce`. */
  readonly id: string;
  /** JSON-serialisable hyper-parameters. */
  readonly config: Record<string, unknown>;
  /** One learning step on a rollout; returns scalar metrics (losses, reward, accuracy ...). */
  update(agent: Agent, rollout: Rollout): Metrics;
  /** Called by the runner at each epoch start (learning-rate schedules). */
  onEpochStart?(epoch: number): void;
  getState(): AlgorithmState;
  setState(state: AlgorithmState): void;
  dispose(): void;
}

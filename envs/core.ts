/**
 * The environment contract, shaped like Gymnasium's `Env`: `reset` then `step` until `terminated`
 * or `truncated`, each observation inside `observationSpace`, each action inside `actionSpace`.
 * Environments never import agents, algorithms or runners.
 */
import type { Space } from './spaces';

/** Free-form per-step information (for example the true `label` on a terminal step). */
export type Info = Record<string, unknown>;

/** Options accepted by {@link Env.reset}. */
export interface ResetOptions {
  /** Reseeds the env's RNG when given; otherwise the stream continues. */
  seed?: number;
  /** Env-specific options (for example `{index: 7}` to pick image 7 of the split). */
  options?: Record<string, unknown>;
}

/** What {@link Env.reset} returns. */
export interface ResetResult<Obs> {
  observation: Obs;
  info: Info;
}

/** What {@link Env.step} returns. */
export interface StepResult<Obs> {
  observation: Obs;
  reward: number;
  /** The episode reached a terminal state of the task (the label was read). */
  terminated: boolean;
  /** The episode was cut short by a time limit or similar, not by the task. */
  truncated: boolean;
  info: Info;
}

/** Static description of an environment, as registered. */
export interface EnvSpec {
  /** Registry id, e.g. `cluttered-mnist`. */
  id: string;
  /** Fixed episode length, when the env has one (glimpse envs: the number of glimpses). */
  maxEpisodeSteps?: number;
  /** The options the env was made with (after defaults), JSON-serialisable. */
  kwargs: Record<string, unknown>;
}

/** A single environment. Synchronous by design: stepping is cheap CPU work on typed arrays. */
export interface Env<Obs = unknown, Act = unknown> {
  readonly observationSpace: Space<Obs>;
  readonly actionSpace: Space<Act>;
  /** Set by `make`; hand-built envs may leave it undefined. */
  spec?: EnvSpec;
  /**
   * For envs whose episodes come from a finite indexed set (the images of a split): how many
   * there are. Such envs accept `reset({options: {index}})` to run the episode of item `index`,
   * which lets runners make shuffled epochs and evaluate a whole test set exactly once.
   */
  readonly numItems?: number;
  reset(options?: ResetOptions): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  /** Releases resources. Safe to call more than once. */
  close(): void;
}

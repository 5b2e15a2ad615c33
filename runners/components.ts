/**
 * The factories a run builds its pieces with. The CLI uses the registries (see `registries.ts`);
 * tests pass fakes. Runners depend only on this interface and the Env/Agent/Algorithm contracts.
 */
import type { Agent, AgentEnvInfo } from '../agents/agent';
import type { AgentContext } from '../agents/registry';
import type { OptionSchema } from '../options/schema';
import type { Algorithm } from '../algorithms/algorithm';
import type { VectorEnv } from '../envs/vector-env';

/** An id with its one-line description, as `rl-run list` prints it. */
export interface Listed {
  id: string;
  description: string;
}

/** Factories and listings of envs, agents and algorithms. */
export interface Components {
  listEnvs(): Listed[];
  listAgents(): Listed[];
  listAlgorithms(): Listed[];
  /** A vector env of `numEnvs` copies of env `id` made with `kwargs`. */
  makeVector(id: string, numEnvs: number, kwargs: Record<string, unknown>): VectorEnv;
  /** `context.seed` is the run seed (the agent's weight init follows it unless its options set one). */
  makeAgent(id: string, env: AgentEnvInfo, options: Record<string, unknown>, context?: AgentContext): Agent;
  makeAlgorithm(id: string, options: Record<string, unknown>): Algorithm;
  /**
   * Optional: the weight shapes agent `id` would have (see `AgentEntry.weightShapes`), or null
   * when it cannot say. Lets runners bound memory and check checkpoints before building agents.
   */
  agentWeightShapes?(id: string, env: AgentEnvInfo, options: Record<string, unknown>): Record<string, number[]> | null;
  /** The option schema an agent declares (`rl-run list --agent <id>`); undefined: unknown id or not offered. */
  agentOptions?(id: string): OptionSchema | undefined;
  /** The option schema an algorithm declares (`rl-run list --algo <id>`). */
  algorithmOptions?(id: string): OptionSchema | undefined;
  /** The keyword options env `id` accepts, with their defaults (`rl-run list --env <id>`); undefined: not offered. */
  envKwargs?(id: string): Record<string, unknown> | undefined;
}

/** Env splits a run uses: train for updates, val each epoch, test at the end. */
export type Split = 'train' | 'val' | 'test';

/**
 * The factories a run builds its pieces with. The CLI uses the registries (see `registries.ts`);
 * tests pass fakes. Runners depend only on this interface and the Env/Agent/Algorithm contracts.
 */
import type { Agent, AgentEnvInfo } from '../agents/agent';
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
  makeAgent(id: string, env: AgentEnvInfo, options: Record<string, unknown>): Agent;
  makeAlgorithm(id: string, options: Record<string, unknown>): Algorithm;
  /**
   * Optional: the weight shapes agent `id` would have (see `AgentEntry.weightShapes`), or null
   * when it cannot say. Lets runners bound memory and check checkpoints before building agents.
   */
  agentWeightShapes?(id: string, env: AgentEnvInfo, options: Record<string, unknown>): Record<string, number[]> | null;
}

/** Env splits a run uses: train for updates, val each epoch, test at the end. */
export type Split = 'train' | 'val' | 'test';

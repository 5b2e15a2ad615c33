/**
 * The agent registry: `--agent <id>` picks a factory registered here.
 */
import type { Agent, AgentEnvInfo } from './agent';

/** How to build one kind of agent. */
export interface AgentEntry {
  /** One line for `rl-run list`. */
  description: string;
  /** Builds the agent for an env; rejects unknown or bad options with a one-line Error. */
  create: (env: AgentEnvInfo, options: Record<string, unknown>) => Agent;
  /**
   * Optional: the name and shape of every weight `create(env, options)` would make, computed
   * without allocating anything (options validated as `create` validates them). Lets runners
   * bound a run's memory and check a checkpoint's declared shapes before building the agent.
   */
  weightShapes?: (env: AgentEnvInfo, options: Record<string, unknown>) => Record<string, number[]>;
}

const agents = new Map<string, AgentEntry>();

/** Registers an agent factory under `id`; registering an id twice is an error. */
export function registerAgent(id: string, entry: AgentEntry): void {
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`agent id '${id}' must be lower-case letters, digits and '-'`);
  if (agents.has(id)) throw new Error(`agent '${id}' is already registered`);
  agents.set(id, entry);
}

/** Builds the agent `id` for `env`; an unknown id is an error listing the registered ones. */
export function makeAgent(id: string, env: AgentEnvInfo, options: Record<string, unknown> = {}): Agent {
  const entry = agents.get(id);
  if (!entry) throw new Error(`unknown agent '${id}'; registered: ${[...agents.keys()].join(', ') || '(none)'}`);
  return entry.create(env, options);
}

/**
 * The weight shapes agent `id` would have for `env` and `options` (its entry's `weightShapes`),
 * or null when the agent does not offer them. Throws like {@link makeAgent} on bad input.
 */
export function agentWeightShapes(id: string, env: AgentEnvInfo, options: Record<string, unknown> = {}): Record<string, number[]> | null {
  const entry = agents.get(id);
  if (!entry) throw new Error(`unknown agent '${id}'; registered: ${[...agents.keys()].join(', ') || '(none)'}`);
  return entry.weightShapes ? entry.weightShapes(env, options) : null;
}

/** Registered agents, sorted by id. */
export function listAgents(): Array<{ id: string; description: string }> {
  return [...agents.entries()].map(([id, e]) => ({ id, description: e.description })).sort((a, b) => a.id.localeCompare(b.id));
}

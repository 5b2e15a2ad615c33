/**
 * The agent registry: `--agent <id>` picks a factory registered here. An entry carries the
 * agent's option schema, so the runner and the CLI can list, parse and map options without
 * knowing any agent's fields.
 */
import type { OptionSchema } from '../options/schema';
import type { Agent, AgentEnvInfo } from './agent';

/** What the runner tells every agent factory, beside the agent's own options. */
export interface AgentContext {
  /**
   * The run seed. An agent that initialises weights seeds them from it unless its own options
   * set a seed (so `--seed` changes the initial weights, and a saved agent config keeps them).
   */
  seed: number;
}

/** How to build one kind of agent. */
export interface AgentEntry {
  /** One line for `rl-run list`. */
  description: string;
  /** The agent's options (names, types, defaults, help); `rl-run list --agent <id>` prints them. */
  options?: OptionSchema;
  /**
   * Builds the agent for an env; rejects unknown or bad options with a one-line Error. `options`
   * may also hold what the agent itself wrote into `agent.config` (a checkpoint's saved config).
   */
  create: (env: AgentEnvInfo, options: Record<string, unknown>, context: AgentContext) => Agent;
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
  if (!entry || typeof entry.create !== 'function') throw new TypeError(`registerAgent('${id}'): create must be a function (env, options, context) => Agent`);
  agents.set(id, entry);
}

/** Builds the agent `id` for `env`; an unknown id is an error listing the registered ones. */
export function makeAgent(id: string, env: AgentEnvInfo, options: Record<string, unknown> = {}, context: AgentContext = { seed: 0 }): Agent {
  const entry = agents.get(id);
  if (!entry) throw new Error(`unknown agent '${id}'; registered: ${[...agents.keys()].join(', ') || '(none)'}`);
  return entry.create(env, options, context);
}

/** The option schema agent `id` declares (empty when it declares none); undefined for an unknown id. */
export function agentOptionSchema(id: string): OptionSchema | undefined {
  const entry = agents.get(id);
  return entry ? (entry.options ?? {}) : undefined;
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
export function listAgents(): Array<{ id: string; description: string; options: OptionSchema }> {
  return [...agents.entries()].map(([id, e]) => ({ id, description: e.description, options: e.options ?? {} })).sort((a, b) => a.id.localeCompare(b.id));
}

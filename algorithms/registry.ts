/**
 * The algorithm registry: `--algo <id>` picks a factory registered here. An entry carries the
 * algorithm's option schema (see agents/registry.ts for why).
 */
import type { OptionSchema } from '../options/schema';
import type { Algorithm } from './algorithm';

/** How to build one learning algorithm. */
export interface AlgorithmEntry {
  /** One line for `rl-run list`. */
  description: string;
  /** The algorithm's options (names, types, defaults, help); `rl-run list --algo <id>` prints them. */
  options?: OptionSchema;
  /** Builds the algorithm; rejects unknown or bad options with a one-line Error. */
  create: (options: Record<string, unknown>) => Algorithm;
}

const algorithms = new Map<string, AlgorithmEntry>();

/** Registers an algorithm factory under `id`; registering an id twice is an error. */
export function registerAlgorithm(id: string, entry: AlgorithmEntry): void {
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`algorithm id '${id}' must be lower-case letters, digits and '-'`);
  if (algorithms.has(id)) throw new Error(`algorithm '${id}' is already registered`);
  if (!entry || typeof entry.create !== 'function') throw new TypeError(`registerAlgorithm('${id}'): create must be a function (options) => Algorithm`);
  algorithms.set(id, entry);
}

/** Builds the algorithm `id`; an unknown id is an error listing the registered ones. */
export function makeAlgorithm(id: string, options: Record<string, unknown> = {}): Algorithm {
  const entry = algorithms.get(id);
  if (!entry) throw new Error(`unknown algorithm '${id}'; registered: ${[...algorithms.keys()].join(', ') || '(none)'}`);
  return entry.create(options);
}

/** The option schema algorithm `id` declares (empty when it declares none); undefined for an unknown id. */
export function algorithmOptionSchema(id: string): OptionSchema | undefined {
  const entry = algorithms.get(id);
  return entry ? (entry.options ?? {}) : undefined;
}

/** Registered algorithms, sorted by id. */
export function listAlgorithms(): Array<{ id: string; description: string; options: OptionSchema }> {
  return [...algorithms.entries()].map(([id, e]) => ({ id, description: e.description, options: e.options ?? {} })).sort((a, b) => a.id.localeCompare(b.id));
}

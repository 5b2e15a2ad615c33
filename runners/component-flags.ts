/**
 * The run config's bridge to the options that agents and algorithms declare (their option
 * schemas in the registries): which top-level keys/flags a component contributes (RAM's `std`,
 * `hidden`, `core`; the algorithms' `lr`), where a shorthand value goes, and the typing of
 * option values given as strings (`--set agent.hidden=512`). The runner knows no component's
 * fields: everything here is read from the registered schemas.
 */
import { agentOptionSchema, listAgents } from '../agents/registry';
import { algorithmOptionSchema, listAlgorithms } from '../algorithms/registry';
import { coerceOption, type OptionSchema, type OptionSpec } from '../options/schema';

/** Which component section a shorthand key feeds. */
export type ComponentSection = 'agentOptions' | 'algoOptions';

/** One shorthand key a registered component contributes. */
export interface ComponentFlag {
  /** The top-level config key (`std`); the CLI flag is its kebab-case (`--std`). */
  key: string;
  /** `agent` or `algorithm`, and the ids of the components that declare it. */
  kind: 'agent' | 'algorithm';
  owners: string[];
  /** The option it sets (usually the same name). */
  option: string;
  spec: OptionSpec;
}

/** Every shorthand key declared by a registered agent or algorithm, first declaration's spec. */
export function componentFlags(): ComponentFlag[] {
  const out = new Map<string, ComponentFlag>();
  const add = (kind: 'agent' | 'algorithm', id: string, schema: OptionSchema) => {
    for (const [option, spec] of Object.entries(schema)) {
      if (!spec.flag) continue;
      const have = out.get(spec.flag);
      if (have) {
        if (!have.owners.includes(id)) have.owners.push(id);
      } else out.set(spec.flag, { key: spec.flag, kind, owners: [id], option, spec });
    }
  };
  for (const a of listAgents()) add('agent', a.id, a.options);
  for (const a of listAlgorithms()) add('algorithm', a.id, a.options);
  return [...out.values()];
}

/** The schema of the chosen agent or algorithm; undefined when it is not in the registries (test fakes). */
export function sectionSchema(section: ComponentSection, id: string): OptionSchema | undefined {
  return section === 'agentOptions' ? agentOptionSchema(id) : algorithmOptionSchema(id);
}

/**
 * Where shorthand `key` goes for the chosen agent and algorithm: the section and option name,
 * or null when neither declares it.
 */
export function routeFlag(key: string, agent: string | undefined, algo: string | undefined): { section: ComponentSection; option: string; spec: OptionSpec } | null {
  for (const [section, id] of [['agentOptions', agent], ['algoOptions', algo]] as const) {
    if (id === undefined) continue;
    const schema = sectionSchema(section, id);
    if (!schema) continue;
    for (const [option, spec] of Object.entries(schema)) if (spec.flag === key) return { section, option, spec };
  }
  return null;
}

/**
 * Types the values of one section by the chosen component's schema (strings from the command
 * line become numbers or booleans; a bad value is one line naming where it came from). A key a
 * non-empty schema does not declare is an error here, before the run directory is touched; a
 * component that declares no schema checks its options itself.
 */
export function typeSectionValues(section: ComponentSection, id: string, values: Record<string, unknown>, where: (key: string) => string): Record<string, unknown> {
  const schema = sectionSchema(section, id);
  if (!schema) return values;
  const out: Record<string, unknown> = {};
  const declared = Object.keys(schema);
  for (const [k, v] of Object.entries(values)) {
    if (declared.length > 0 && !declared.includes(k)) {
      const kind = section === 'agentOptions' ? 'agent' : 'algorithm';
      throw new Error(`${where(k)} is not an option of ${kind} '${id}'; its options: ${declared.join(', ')}`);
    }
    out[k] = Object.prototype.hasOwnProperty.call(schema, k) && v !== undefined ? coerceOption(schema[k], v, where(k)) : v;
  }
  return out;
}

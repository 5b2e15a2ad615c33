/**
 * Option schemas: how an agent or an algorithm declares its own options (name, type, default,
 * one-line help), in the spirit of SB3's `policy_kwargs` and Acme's per-agent `config.py`. The
 * runner and the CLI know no component's fields: they read the schema of the chosen agent and
 * algorithm to list options (`rl-run list --agent ram`), to turn command-line strings into typed
 * values (`--set agent.hidden=512`, `--algo-options '{"clip":0.1}'`) and to map the shorthand
 * flags a component contributes (`--std`, `--lr`) onto its options.
 */

/** The value types an option may have; `json` is any JSON value (arrays, objects) checked by the component. */
export type OptionType = 'integer' | 'number' | 'boolean' | 'string' | 'json';

/** One declared option. */
export interface OptionSpec {
  type: OptionType;
  /** One line for `rl-run list --agent <id>` and `--help`. */
  help: string;
  /** The value used when the option is not given; absent: required, or filled by the component (say so in `help`). */
  default?: unknown;
  /** Allowed values of a `string` option. */
  choices?: readonly string[];
  /** Inclusive bounds of a number or integer option. */
  min?: number;
  max?: number;
  /** `min` itself is not allowed (`std > 0`). */
  exclusiveMin?: boolean;
  /**
   * A top-level run-config key and command-line flag this option also answers to (camelCase;
   * `hidden` gives `--hidden` and `"hidden": 256` in a `--config` file). Kept for the flags
   * users already know; every option is reachable without one through `--set` or the JSON forms.
   */
  flag?: string;
}

/** Options of one component by name. */
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

/** Strict number parse of a command-line string: the whole string must be a number (no `12abc`). */
function parseNumber(v: string): number {
  const s = v.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

/** A value as error messages show it: strings in single quotes (as typed on a command line), the rest as JSON. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  return JSON.stringify(v) ?? String(v);
}

/** What an option accepts, in words (for error messages and listings). */
export function describeOption(spec: OptionSpec): string {
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const what = spec.type === 'integer' ? 'an integer' : 'a finite number';
      if (spec.min !== undefined && spec.max !== undefined && !spec.exclusiveMin) return `${what} in [${spec.min}, ${spec.max}]`;
      const parts = [spec.min !== undefined ? `${spec.exclusiveMin ? '>' : '>='} ${spec.min}` : '', spec.max !== undefined ? `<= ${spec.max}` : ''].filter(Boolean);
      return parts.length ? `${what} ${parts.join(' and ')}` : what;
    }
    case 'boolean':
      return 'true or false';
    case 'string':
      return spec.choices ? `one of ${spec.choices.join(', ')}` : 'a string';
    case 'json':
      return 'a JSON value';
  }
}

/**
 * Checks one value against its spec and returns it typed. Strings are accepted for numbers,
 * booleans and JSON (they come from the command line). Throws one line `<where> must be <what>, got <value>`.
 */
export function coerceOption(spec: OptionSpec, value: unknown, where: string): unknown {
  const bad = () => new Error(`${where} must be ${describeOption(spec)}, got ${showValue(value)}`);
  switch (spec.type) {
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' ? parseNumber(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) throw bad();
      if (spec.min !== undefined && (n < spec.min || (spec.exclusiveMin && n === spec.min))) throw bad();
      if (spec.max !== undefined && n > spec.max) throw bad();
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw bad();
    case 'string':
      if (typeof value !== 'string' || (spec.choices && !spec.choices.includes(value))) throw bad();
      return value;
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        return value; // a bare word: the component decides whether a string is allowed
      }
  }
}

/**
 * Merges `given` over the schema's defaults and checks every key and value: an unknown key is
 * an error listing the allowed ones; each value must match its spec. `owner` (the component id)
 * starts every message: `ram: unknown option 'hiden'; allowed: ...`. `extraKeys` are accepted
 * as they are (for example env sizes a saved config repeats; the component checks them).
 */
export function resolveOptions(owner: string, schema: OptionSchema, given: Record<string, unknown> = {}, extraKeys: readonly string[] = []): Record<string, unknown> {
  const allowed = [...Object.keys(schema), ...extraKeys];
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) throw new Error(`${owner}: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) if (spec.default !== undefined) out[key] = spec.default;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    out[key] = Object.prototype.hasOwnProperty.call(schema, key) ? coerceOption(schema[key], value, `${owner}: ${key}`) : value;
  }
  return out;
}

/** The defaults of a schema as one object (what `resolveOptions(owner, schema, {})` gives). */
export function schemaDefaults(schema: OptionSchema): Record<string, unknown> {
  return resolveOptions('schema', schema, {});
}

/** Lines describing a schema for a terminal: `  name  type, default X (--flag)  help`. */
export function formatOptions(schema: OptionSchema): string[] {
  const rows = Object.entries(schema).map(([name, s]) => {
    const def = s.default === undefined ? "default: see help" : `default ${JSON.stringify(s.default)}`;
    return [name, `${describeOption(s)}; ${def}${s.flag ? `; also --${s.flag.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}` : ''}`, s.help];
  });
  const w0 = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([n, what, help]) => `  ${n.padEnd(w0)}  ${help} (${what})`);
}

/**
 * The run config: one documented object holding every choice of a training run (CleanRL style),
 * its defaults, strict validation with one-line errors naming the key and what is allowed, and the
 * merge of a `--config file.json` with command-line flags (flags win).
 */
import { MAX_JSON_BYTES, readRegularTextFile } from '../io/safe-read';
import { componentFlags, routeFlag, typeSectionValues, type ComponentSection } from './component-flags';

/** Backends `initBackend` accepts. */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** A backend choice. */
export type BackendName = (typeof BACKENDS)[number];

/** Every setting of a training run. Optional fields fall back to the env's/agent's own defaults. */
export interface RunConfig {
  /** Env registry id, e.g. `mnist`, `cluttered-mnist`. */
  env: string;
  /** Agent registry id, e.g. `ram`. */
  agent: string;
  /** Algorithm registry id. */
  algo: string;
  /** Number of epochs to train (an epoch is one pass over the train items, or `maxBatches`). */
  epochs: number;
  /** Episodes per update (the vector env's width). */
  batchSize: number;
  /**
   * Episodes per training item in a batch (RAM's M replicas; default 1): each batch shows
   * `batchSize / replicas` items, each to `replicas` consecutive sub-envs that start from the same
   * observation (same item, same translation/clutter draw, same start) and sample their own
   * glimpse paths. `batchSize` must be a multiple of it. An epoch still shows every train item
   * once, so it has `replicas` times the batches (and episodes). Evaluation is unchanged.
   */
  replicas: number;
  /** Seed of the run RNG (episode order, location sampling, agent init, env noise). */
  seed: number;
  /** Glimpses per episode (env kwarg `glimpses`). */
  glimpses?: number;
  /** Side of the smallest glimpse patch in pixels (env kwarg `glimpseSize`). */
  glimpseSize?: number;
  /** Number of glimpse scales (env kwarg `scales`). */
  scales?: number;
  /** Run directory; default `runs/<env>-<agent>-<algo>-s<seed>`. */
  out?: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume: boolean;
  /** Start over in an existing run directory, deleting it. */
  force: boolean;
  /** Tensor backend. */
  backend: BackendName;
  /** 0: greedy locations at evaluation; M > 0: M sampled rollouts, class probabilities averaged. */
  evalSamples: number;
  /** Cap on batches per epoch (quick runs); unset: a full pass over the train items. */
  maxBatches?: number;
  /** Use only the first N train items (quick runs); unset: all. */
  trainItems?: number;
  /** Cap on validation items scored each epoch; unset: the whole validation split. */
  valItems?: number;
  /** Cap on test items scored at the end (quick runs); unset: the whole test split. */
  testItems?: number;
  /**
   * Episodes per evaluation batch (the val/test vector env's width); unset: 1000, capped by the
   * items scored. Wider batches amortise per-kernel overhead. Greedy evaluation scores the same
   * at any width (held-out items are fixed per index); sampled evaluation draws its location
   * samples in another order.
   */
  evalBatchSize?: number;
  /** No progress output (events and files are unchanged). */
  quiet: boolean;
  /**
   * Memory limit in GiB for what the run would allocate (see `runners/memory-budget.ts`); a
   * config whose estimate exceeds it is refused before anything is built. Unset: the default
   * limit (the smaller of 4 GiB and 3/4 of this machine's memory).
   */
  maxMemory?: number;
  /** Every N epochs, write the glimpse GIF of a fixed validation batch to `<run>/viz/epoch-NNNN.gif`. */
  vizEvery?: number;
  /** Extra env kwargs passed to `make` as they are (the registry rejects unknown keys). */
  envKwargs: Record<string, unknown>;
  /**
   * Options of the agent, as its registration declares them (`rl-run list --agent <id>`). The
   * shorthand keys an agent contributes (RAM's `std`, `hidden`, `core`) land here.
   */
  agentOptions: Record<string, unknown>;
  /** Options of the algorithm (`rl-run list --algo <id>`); the shorthand `lr` lands here. */
  algoOptions: Record<string, unknown>;
  /**
   * Modules loaded before the run that register envs, agents or algorithms (`--require`):
   * paths relative to the working directory, or package names. Recorded so `--resume`, `eval`
   * and `viz` load them again.
   */
  require?: string[];
}

/** Defaults of the fields that have one (the rest are required or left to the components). */
export const DEFAULTS = {
  algo: 'reinforce',
  epochs: 10,
  batchSize: 64,
  replicas: 1,
  seed: 0,
  resume: false,
  force: false,
  backend: 'auto' as BackendName,
  evalSamples: 0,
  quiet: false,
} as const;

/** A bad value in the config or on the command line; `exitCode` 2 (bad input). */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Kind =
  | { t: 'string' }
  | { t: 'int'; min: number; max?: number }
  | { t: 'float'; min: number; exclusiveMin?: boolean }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'record' }
  | { t: 'list' };

/** What each key accepts; the single source for validation and for the allowed-keys list. */
const FIELDS: Record<keyof RunConfig, Kind> = {
  env: { t: 'string' },
  agent: { t: 'string' },
  algo: { t: 'string' },
  epochs: { t: 'int', min: 1 },
  batchSize: { t: 'int', min: 1, max: 65536 },
  replicas: { t: 'int', min: 1, max: 65536 },
  seed: { t: 'int', min: 0, max: 0xffffffff },
  glimpses: { t: 'int', min: 1, max: 1000 },
  glimpseSize: { t: 'int', min: 1, max: 1024 },
  scales: { t: 'int', min: 1, max: 16 },
  out: { t: 'string' },
  resume: { t: 'bool' },
  force: { t: 'bool' },
  backend: { t: 'enum', values: BACKENDS },
  evalSamples: { t: 'int', min: 0, max: 1000 },
  maxBatches: { t: 'int', min: 1 },
  trainItems: { t: 'int', min: 1 },
  valItems: { t: 'int', min: 1 },
  testItems: { t: 'int', min: 1 },
  evalBatchSize: { t: 'int', min: 1, max: 65536 },
  quiet: { t: 'bool' },
  maxMemory: { t: 'float', min: 0, exclusiveMin: true },
  vizEvery: { t: 'int', min: 1 },
  envKwargs: { t: 'record' },
  agentOptions: { t: 'record' },
  algoOptions: { t: 'record' },
  require: { t: 'list' },
};

/** All config keys, in declaration order. */
export const CONFIG_KEYS = Object.keys(FIELDS) as (keyof RunConfig)[];

/** Command-line flag of a config key (`batchSize` -> `--batch-size`). */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function describe(kind: Kind): string {
  switch (kind.t) {
    case 'string':
      return 'a non-empty string';
    case 'int':
      return kind.max !== undefined ? `an integer in [${kind.min}, ${kind.max}]` : `an integer >= ${kind.min}`;
    case 'float':
      return `a finite number ${kind.exclusiveMin ? '>' : '>='} ${kind.min}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'record':
      return 'a JSON object';
    case 'list':
      return 'a list of non-empty strings';
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** Strict number parse of a flag string: the whole string must be a number (no `12abc`). */
function parseNumber(v: string): number {
  const s = v.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

/**
 * Validates and converts one value. Strings are accepted for numbers and booleans (they come
 * from the command line); `where` names the source in the message (`--lr`, `config.json key 'lr'`).
 */
export function validateField(key: keyof RunConfig, value: unknown, where: string): unknown {
  const kind = FIELDS[key];
  const bad = () => new ConfigError(`${where} must be ${describe(kind)}, got ${show(value)}`);
  switch (kind.t) {
    case 'string':
      if (typeof value !== 'string' || value.trim() === '') throw bad();
      return value;
    case 'int': {
      const n = typeof value === 'string' ? parseNumber(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < kind.min || (kind.max !== undefined && n > kind.max)) throw bad();
      return n;
    }
    case 'float': {
      const n = typeof value === 'string' ? parseNumber(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < kind.min || (kind.exclusiveMin && n === kind.min)) throw bad();
      return n;
    }
    case 'bool':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw bad();
    case 'enum':
      if (typeof value !== 'string' || !kind.values.includes(value)) throw bad();
      return value;
    case 'record': {
      // From the command line: a JSON object (`--agent-options '{"hidden":512}'`).
      let v = value;
      if (typeof v === 'string') {
        try {
          v = JSON.parse(v);
        } catch {
          throw bad();
        }
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad();
      return { ...(v as Record<string, unknown>) };
    }
    case 'list': {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.trim() === '')) throw bad();
      return [...(list as string[])];
    }
  }
}

/**
 * The origin of the source that holds `rl-run --set section.key=value` flags: its values are
 * named `--set agent.hidden` in errors.
 */
export const SET_ORIGIN = '--set';

/** The `--set` prefix of each section. */
const SET_PREFIX = { agentOptions: 'agent', algoOptions: 'algo', envKwargs: 'env' } as const;

/** The last value of `key` over the sources (what the merge will end with). */
function lastValue(sources: Array<{ values: Record<string, unknown> }>, key: string): unknown {
  let v: unknown;
  for (const { values } of sources) if (values[key] !== undefined) v = values[key];
  return v;
}

/**
 * Builds a complete, validated {@link RunConfig} from partial sources; later sources win.
 * `sources` pairs values with how to name them in errors (`file` names JSON keys, `flags` names
 * command-line flags, {@link SET_ORIGIN} names `--set section.key`). Besides the run keys, a source may use the shorthand keys that the chosen
 * agent and algorithm declare in their option schemas (`std`, `hidden`, `lr` ...): they are
 * moved into `agentOptions` / `algoOptions`. `agentOptions`, `algoOptions` and `envKwargs` of
 * later sources are merged key by key over earlier ones. Unknown keys are an error naming the key
 * and listing the allowed ones.
 */
export function resolveConfig(...sources: Array<{ values: Record<string, unknown>; origin: 'flags' | typeof SET_ORIGIN | string }>): RunConfig {
  const out: Record<string, unknown> = { ...DEFAULTS, envKwargs: {}, agentOptions: {}, algoOptions: {} };
  // Shorthand keys go to the chosen components, so learn which those are first.
  const chosen = { agent: lastValue(sources, 'agent'), algo: lastValue(sources, 'algo') ?? DEFAULTS.algo };
  const whereOf = new Map<string, string>();
  for (const { values, origin } of sources) {
    const where = (key: string) => (origin === 'flags' ? flagName(key) : `${origin} key '${key}'`);
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      // Own properties only: `toString`, `constructor` or `__proto__` are not settings.
      if (Object.prototype.hasOwnProperty.call(FIELDS, key)) {
        const v = validateField(key as keyof RunConfig, value, where(key));
        whereOf.set(key, where(key));
        if (key === 'envKwargs' || key === 'agentOptions' || key === 'algoOptions') {
          out[key] = { ...(out[key] as Record<string, unknown>), ...(v as Record<string, unknown>) };
          for (const k of Object.keys(v as Record<string, unknown>)) whereOf.set(`${key}.${k}`, origin === SET_ORIGIN ? `--set ${SET_PREFIX[key]}.${k}` : `${where(key)} '${k}'`);
        } else out[key] = v;
        continue;
      }
      const route = routeFlag(key, typeof chosen.agent === 'string' ? chosen.agent : undefined, typeof chosen.algo === 'string' ? chosen.algo : undefined);
      if (route) {
        (out[route.section] as Record<string, unknown>)[route.option] = value;
        whereOf.set(`${route.section}.${route.option}`, where(key));
        continue;
      }
      const flag = componentFlags().find((f) => f.key === key);
      if (flag) {
        const chosenId = flag.kind === 'agent' ? chosen.agent : chosen.algo;
        throw new ConfigError(`${where(key)} is an option of ${flag.kind} ${flag.owners.map((o) => `'${o}'`).join(', ')}, not of ${flag.kind} '${String(chosenId)}'; see 'rl-run list --${flag.kind === 'agent' ? 'agent' : 'algo'} ${String(chosenId)}' for its options`);
      }
      const shorthands = componentFlags().map((f) => f.key);
      throw new ConfigError(`${origin === 'flags' ? 'option' : origin} has unknown key '${key}'; allowed keys: ${[...CONFIG_KEYS, ...shorthands].join(', ')}`);
    }
  }
  for (const key of ['env', 'agent'] as const) {
    if (out[key] === undefined) throw new ConfigError(`${flagName(key)} is required (or '${key}' in --config); see 'rl-run list' for the ids`);
  }
  checkReplicas(out.batchSize as number, out.replicas as number, (key) => (whereOf.has(key) ? `${whereOf.get(key)} ${show(out[key])}` : `${flagName(key)} ${show(out[key])} (the default)`));
  // Values given as strings (`--set agent.hidden=512`) take the types the component declares.
  for (const [section, id] of [['agentOptions', out.agent], ['algoOptions', out.algo]] as Array<[ComponentSection, string]>) {
    try {
      out[section] = typeSectionValues(section, id, out[section] as Record<string, unknown>, (k) => whereOf.get(`${section}.${k}`) ?? `${section}.${k}`);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
  }
  return out as unknown as RunConfig;
}

/**
 * `batchSize` must split into whole groups of `replicas` episodes (one group per item). `named`
 * gives each key with its value and where it came from; the error adds the nearest batch sizes
 * that would do.
 */
function checkReplicas(batchSize: number, replicas: number, named: (key: 'batchSize' | 'replicas') => string): void {
  if (batchSize % replicas === 0) return;
  const below = Math.floor(batchSize / replicas) * replicas;
  const above = below + replicas;
  const nearest = below > 0 ? `${below} or ${above}` : `${above}`;
  throw new ConfigError(
    `${named('batchSize')} must be a multiple of ${named('replicas')} (each batch shows batchSize / replicas items, each to replicas episodes); allowed batch sizes near it: ${nearest}`,
  );
}

/**
 * Reads and parses a `--config` JSON file; one-line errors for unreadable, invalid or non-object
 * files. Only a regular file of at most 16 MiB is read (a FIFO or `/dev/zero` is refused at once).
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readRegularTextFile(file, { what: 'config file', maxBytes: MAX_JSON_BYTES });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file '${file}' must hold a JSON object of run settings, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

/** The default run directory of a config. */
export function defaultRunDir(c: Pick<RunConfig, 'env' | 'agent' | 'algo' | 'seed'>): string {
  return `runs/${c.env}-${c.agent}-${c.algo}-s${c.seed}`;
}

/** What the config means for each component: env kwargs, agent options, algorithm options. */
export interface ComponentOptions {
  envKwargs: Record<string, unknown>;
  agentOptions: Record<string, unknown>;
  algoOptions: Record<string, unknown>;
}

/** Maps the env shorthand flags onto env kwargs; agent and algorithm options are already in their sections. */
export function componentOptions(c: RunConfig): ComponentOptions {
  const pick = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return {
    envKwargs: { ...c.envKwargs, ...pick({ glimpses: c.glimpses, glimpseSize: c.glimpseSize, scales: c.scales }) },
    // The agent's weight init follows the run seed (passed as the factory's context) unless agentOptions sets its own.
    agentOptions: { ...c.agentOptions },
    algoOptions: { ...c.algoOptions },
  };
}

/** Config keys that may differ between a saved run and its `--resume` (they do not change results). */
export const RESUMABLE_OVERRIDES: readonly (keyof RunConfig)[] = ['epochs', 'resume', 'force', 'backend', 'quiet', 'out', 'vizEvery', 'evalBatchSize', 'maxMemory', 'require', 'testItems'];

/** Evaluation batch width when `evalBatchSize` is unset (see {@link evalBatchWidth}). */
export const DEFAULT_EVAL_BATCH_SIZE = 1000;

/**
 * Width of the evaluation vector env: `evalBatchSize` (default {@link DEFAULT_EVAL_BATCH_SIZE})
 * capped by the number of items scored, so a small split is not padded to a wide batch.
 */
export function evalBatchWidth(evalBatchSize: number | undefined, items: number | undefined): number {
  const want = evalBatchSize ?? DEFAULT_EVAL_BATCH_SIZE;
  return Math.max(1, Math.min(want, items ?? want));
}

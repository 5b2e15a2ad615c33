/**
 * The run config: one documented object holding every choice of a training run (CleanRL style),
 * its defaults, strict validation with one-line errors naming the key and what is allowed, and the
 * merge of a `--config file.json` with command-line flags (flags win).
 */
import * as fs from 'fs';

/** Backends `initBackend` accepts. */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/** A backend choice. */
export type BackendName = (typeof BACKENDS)[number];
/** Core networks the RAM agent offers. */
export const CORES = ['rnn', 'lstm'] as const;

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
  /** Seed of the run RNG (episode order, location sampling, agent init, env noise). */
  seed: number;
  /** Glimpses per episode (env kwarg `glimpses`). */
  glimpses?: number;
  /** Side of the smallest glimpse patch in pixels (env kwarg `glimpseSize`). */
  glimpseSize?: number;
  /** Number of glimpse scales (env kwarg `scales`). */
  scales?: number;
  /** Learning rate (algorithm option `lr`). */
  lr?: number;
  /** Fixed std of the Gaussian location policy (agent option `std`). */
  std?: number;
  /** Core hidden size (agent option `hidden`). */
  hidden?: number;
  /** Core network kind (agent option `core`). */
  core?: (typeof CORES)[number];
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
  /** Every N epochs, write the glimpse GIF of a fixed validation batch to `<run>/viz/epoch-NNNN.gif`. */
  vizEvery?: number;
  /** Extra env kwargs passed to `make` as they are (the registry rejects unknown keys). */
  envKwargs: Record<string, unknown>;
  /** Extra agent options passed to the agent factory. */
  agentOptions: Record<string, unknown>;
  /** Extra algorithm options passed to the algorithm factory. */
  algoOptions: Record<string, unknown>;
}

/** Defaults of the fields that have one (the rest are required or left to the components). */
export const DEFAULTS = {
  algo: 'reinforce',
  epochs: 10,
  batchSize: 64,
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
  | { t: 'record' };

/** What each key accepts; the single source for validation and for the allowed-keys list. */
const FIELDS: Record<keyof RunConfig, Kind> = {
  env: { t: 'string' },
  agent: { t: 'string' },
  algo: { t: 'string' },
  epochs: { t: 'int', min: 1 },
  batchSize: { t: 'int', min: 1, max: 65536 },
  seed: { t: 'int', min: 0, max: 0xffffffff },
  glimpses: { t: 'int', min: 1, max: 1000 },
  glimpseSize: { t: 'int', min: 1, max: 1024 },
  scales: { t: 'int', min: 1, max: 16 },
  lr: { t: 'float', min: 0, exclusiveMin: true },
  std: { t: 'float', min: 0, exclusiveMin: true },
  hidden: { t: 'int', min: 1, max: 65536 },
  core: { t: 'enum', values: CORES },
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
  vizEvery: { t: 'int', min: 1 },
  envKwargs: { t: 'record' },
  agentOptions: { t: 'record' },
  algoOptions: { t: 'record' },
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
    case 'record':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad();
      return { ...(value as Record<string, unknown>) };
  }
}

/**
 * Builds a complete, validated {@link RunConfig} from partial sources; later sources win.
 * `sources` pairs values with how to name them in errors (`file` names JSON keys, `flags` names
 * command-line flags). Unknown keys are an error naming the key and listing the allowed ones.
 */
export function resolveConfig(...sources: Array<{ values: Record<string, unknown>; origin: 'flags' | string }>): RunConfig {
  const out: Record<string, unknown> = { ...DEFAULTS, envKwargs: {}, agentOptions: {}, algoOptions: {} };
  for (const { values, origin } of sources) {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) continue;
      const where = origin === 'flags' ? flagName(key) : `${origin} key '${key}'`;
      if (!(key in FIELDS)) {
        throw new ConfigError(`${origin === 'flags' ? 'option' : origin} has unknown key '${key}'; allowed keys: ${CONFIG_KEYS.join(', ')}`);
      }
      out[key] = validateField(key as keyof RunConfig, value, where);
    }
  }
  for (const key of ['env', 'agent'] as const) {
    if (out[key] === undefined) throw new ConfigError(`${flagName(key)} is required (or '${key}' in --config); see 'rl-run list' for the ids`);
  }
  return out as unknown as RunConfig;
}

/** Reads and parses a `--config` JSON file; one-line errors for unreadable, invalid or non-object files. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config file '${file}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
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

/** Maps the shorthand flags onto component options; explicit `envKwargs` etc. are kept as given. */
export function componentOptions(c: RunConfig): ComponentOptions {
  const pick = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  return {
    envKwargs: { ...c.envKwargs, ...pick({ glimpses: c.glimpses, glimpseSize: c.glimpseSize, scales: c.scales }) },
    // The agent's weight init follows the run seed unless agentOptions sets its own.
    agentOptions: { seed: c.seed, ...c.agentOptions, ...pick({ std: c.std, hidden: c.hidden, core: c.core }) },
    algoOptions: { ...c.algoOptions, ...pick({ lr: c.lr }) },
  };
}

/** Config keys that may differ between a saved run and its `--resume` (they do not change results). */
export const RESUMABLE_OVERRIDES: readonly (keyof RunConfig)[] = ['epochs', 'resume', 'force', 'backend', 'quiet', 'out', 'vizEvery', 'evalBatchSize', 'testItems'];

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

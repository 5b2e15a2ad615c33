/**
 * RAM hyper-parameters: defaults, validation, and the sizes read from the env's spaces.
 */
import { Box, Dict, Discrete } from '../../envs/spaces';
import type { AgentEnvInfo } from '../agent';

/** Recurrent core type: the paper's ReLU RNN, or an LSTM. */
export type CoreKind = 'rnn' | 'lstm';

/** Options a user may set (flags, config files); every one has a default. */
export interface RamOptions {
  /** Width of the "what" layer of the glimpse network (paper: 128). */
  glimpseHidden: number;
  /** Width of the "where" layer of the glimpse network (paper: 128). */
  locationHidden: number;
  /** Width of the glimpse feature g (paper: 256). */
  glimpseFeatures: number;
  /** Width of the core state h, the "hidden size" (paper: 256). */
  hidden: number;
  /** Recurrent core. */
  core: CoreKind;
  /** Fixed standard deviation of the Gaussian location policy (0.17 as in kevinzakka's RAM). */
  std: number;
  /** Seed of the weight initialisation. */
  seed: number;
  /**
   * Feed the location network a stop-gradient of the core state h (as kevinzakka's RAM does:
   * `tanh(fc(h.detach()))`), so the REINFORCE term trains only the location head and never the
   * core or glimpse networks. Forward values are unchanged. Default false (the gradient reaches
   * the core). Optional in the type only so code that builds a RamConfig by hand (configs saved
   * before the option existed) keeps compiling; absent means false, and
   * {@link resolveRamConfig} always sets it.
   */
  detachLocationInput?: boolean;
}

/** Sizes fixed by the environment. */
export interface RamEnvSizes {
  /** Number of glimpse scales (the first axis of the `glimpse` Box). */
  scales: number;
  /** Side of a square glimpse patch. */
  glimpseSize: number;
  /** Number of classes of the `label` action. */
  numClasses: number;
}

/** The full, JSON-serialisable config of a RAM agent. */
export type RamConfig = RamOptions & RamEnvSizes;

/** Defaults of {@link RamOptions}. */
export const RAM_DEFAULTS: Readonly<RamOptions> = Object.freeze({
  glimpseHidden: 128,
  locationHidden: 128,
  glimpseFeatures: 256,
  hidden: 256,
  core: 'rnn',
  std: 0.17,
  seed: 0,
  detachLocationInput: false,
});

const SIZE_KEYS = ['glimpseHidden', 'locationHidden', 'glimpseFeatures', 'hidden'] as const;
const ENV_KEYS = ['scales', 'glimpseSize', 'numClasses'] as const;

/**
 * Reads the glimpse shape and class count from a glimpse env's spaces: observation
 * `Dict{glimpse: Box[scales, g, g], location: Box[2]}`, action `Dict{location: Box[2], label: Discrete(C)}`.
 */
export function envSizes(env: AgentEnvInfo): RamEnvSizes {
  const obs = env.observationSpace;
  const act = env.actionSpace;
  const glimpse = obs instanceof Dict ? obs.spaces.glimpse : undefined;
  if (!(glimpse instanceof Box) || glimpse.shape.length !== 3 || glimpse.shape[1] !== glimpse.shape[2]) {
    throw new Error(`ram: observation space needs a 'glimpse' Box of shape [scales, g, g], got ${JSON.stringify(obs.toJSON())}`);
  }
  const location = obs instanceof Dict ? obs.spaces.location : undefined;
  if (!(location instanceof Box) || location.size !== 2) {
    throw new Error(`ram: observation space needs a 'location' Box of shape [2], got ${JSON.stringify(obs.toJSON())}`);
  }
  const label = act instanceof Dict ? act.spaces.label : undefined;
  const actLocation = act instanceof Dict ? act.spaces.location : undefined;
  if (!(label instanceof Discrete) || label.start !== 0 || !(actLocation instanceof Box) || actLocation.size !== 2) {
    throw new Error(`ram: action space needs {location: Box[2], label: Discrete(C)}, got ${JSON.stringify(act.toJSON())}`);
  }
  return { scales: glimpse.shape[0], glimpseSize: glimpse.shape[1], numClasses: label.n };
}

/**
 * Merges `options` over {@link RAM_DEFAULTS}, validates every value and adds the env's sizes.
 * Env-size keys may be given (a saved config passed back) but must equal the env's.
 * Throws one line naming the bad key or value and what is allowed.
 */
export function resolveRamConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}): RamConfig {
  const sizes = envSizes(env);
  const allowed = [...Object.keys(RAM_DEFAULTS), ...ENV_KEYS];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`ram: unknown option '${key}'; allowed: ${allowed.join(', ')}`);
  }
  const config = { ...RAM_DEFAULTS, ...sizes } as Record<string, unknown>;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) config[k] = v;
  for (const key of SIZE_KEYS) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65536) {
      throw new Error(`ram: ${key} must be an integer in [1, 65536], got ${JSON.stringify(v)}`);
    }
  }
  if (config.core !== 'rnn' && config.core !== 'lstm') {
    throw new Error(`ram: core must be 'rnn' or 'lstm', got ${JSON.stringify(config.core)}`);
  }
  const std = config.std;
  if (typeof std !== 'number' || !Number.isFinite(std) || std <= 0) {
    throw new Error(`ram: std must be a finite number > 0, got ${JSON.stringify(std)}`);
  }
  const seed = config.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`ram: seed must be an integer in [0, 4294967295], got ${JSON.stringify(seed)}`);
  }
  if (typeof config.detachLocationInput !== 'boolean') {
    throw new Error(`ram: detachLocationInput must be true or false, got ${JSON.stringify(config.detachLocationInput)}`);
  }
  for (const key of ENV_KEYS) {
    if (config[key] !== sizes[key]) {
      throw new Error(`ram: ${key}=${JSON.stringify(config[key])} does not match the env's ${key}=${sizes[key]}`);
    }
  }
  return config as unknown as RamConfig;
}

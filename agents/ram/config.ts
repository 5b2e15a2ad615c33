/**
 * RAM hyper-parameters: defaults, validation, and the sizes read from the env's spaces.
 */
import type { AgentEnvInfo } from '../agent';
import { envSizes, type GlimpseClassifierOptions, type GlimpseEnvSizes } from '../glimpse/config';

export { envSizes } from '../glimpse/config';
export type { CoreKind } from '../glimpse/config';

/** Options a user may set (flags, config files); every one has a default. */
export interface RamOptions extends GlimpseClassifierOptions {
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

/** Sizes fixed by the environment (kept under RAM's name for existing imports). */
export type RamEnvSizes = GlimpseEnvSizes;

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

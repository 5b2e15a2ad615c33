/**
 * RAM hyper-parameters: defaults, the option schema and validation (the env sizes come from the
 * glimpse-agent kit).
 */
import type { OptionSchema } from '../../options/schema';
import type { AgentEnvInfo } from '../agent';
import { ENV_SIZE_KEYS, GLIMPSE_CLASSIFIER_OPTIONS, SEED_OPTION, resolveGlimpseAgentOptions, type GlimpseClassifierOptions, type GlimpseEnvSizes } from '../glimpse/config';
import type { AgentContext } from '../registry';

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

/**
 * RAM's option schema: the classifier widths of the glimpse-agent kit plus the location policy's
 * `std` (also `--std`), `detachLocationInput` and the weight-init `seed` (default: the run seed).
 * `rl-run list --agent ram` prints it; defaults are {@link RAM_DEFAULTS}.
 */
export const RAM_OPTIONS: OptionSchema = Object.freeze({
  ...GLIMPSE_CLASSIFIER_OPTIONS,
  std: { type: 'number', min: 0, exclusiveMin: true, default: RAM_DEFAULTS.std, help: 'fixed std of the Gaussian location policy', flag: 'std' },
  detachLocationInput: { type: 'boolean', default: RAM_DEFAULTS.detachLocationInput, help: 'feed the location network a stop-gradient of h, so REINFORCE trains only the location head' },
  ...SEED_OPTION,
});

/**
 * Merges `options` over {@link RAM_DEFAULTS}, validates every value and adds the env's sizes.
 * Env-size keys may be given (a saved config passed back) but must equal the env's. `seed`
 * falls back to `context.seed` (the run seed), then 0.
 * Throws one line naming the bad key or value and what is allowed.
 */
export function resolveRamConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}, context?: AgentContext): RamConfig {
  const config = resolveGlimpseAgentOptions('ram', env, RAM_OPTIONS, options, context);
  // Key order of RAM_DEFAULTS then the env sizes, as saved configs have it.
  return Object.fromEntries([...Object.keys(RAM_DEFAULTS), ...ENV_SIZE_KEYS].map((k) => [k, config[k]])) as unknown as RamConfig;
}

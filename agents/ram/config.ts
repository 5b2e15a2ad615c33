/**
 * RAM hyper-parameters: defaults, the option schema and validation (the env sizes come from the
 * glimpse-agent kit).
 */
import { Box, Dict } from '../../envs/spaces';
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
  /**
   * The context network (Ba et al. 2015; context-network.ts): the initial core state comes from
   * the env's coarse view of the whole image (`envKwargs.context`), so the agent chooses glimpse
   * 1's location too. Default false. Optional in the type for the same reason as
   * {@link detachLocationInput}; absent means false.
   */
  context?: boolean;
}

/** Sizes fixed by the environment (kept under RAM's name for existing imports). */
export type RamEnvSizes = GlimpseEnvSizes;

/** The full, JSON-serialisable config of a RAM agent. */
export type RamConfig = RamOptions & RamEnvSizes & {
  /** With `context`: the values of the env's coarse view (its `context` Box size, c * c); absent otherwise. */
  contextSize?: number;
};

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
  context: false,
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
  context: { type: 'boolean', default: RAM_DEFAULTS.context, help: "context network (Ba et al. 2015): h0 from the env's coarse view of the image, so the agent places glimpse 1 (needs envKwargs.context, e.g. 12)" },
  ...SEED_OPTION,
});

/**
 * Merges `options` over {@link RAM_DEFAULTS}, validates every value and adds the env's sizes.
 * Env-size keys may be given (a saved config passed back) but must equal the env's. `seed`
 * falls back to `context.seed` (the run seed), then 0.
 * Throws one line naming the bad key or value and what is allowed.
 */
export function resolveRamConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}, context?: AgentContext): RamConfig {
  // `contextSize` is an env size like `scales` but only RAM's (and only with `context`): a saved
  // config repeats it, and it must equal the env's.
  const { contextSize: givenContextSize, ...rest } = options ?? {};
  const config = resolveGlimpseAgentOptions('ram', env, RAM_OPTIONS, rest, context);
  // Key order of RAM_DEFAULTS then the env sizes, as saved configs have it.
  const out = Object.fromEntries([...Object.keys(RAM_DEFAULTS), ...ENV_SIZE_KEYS].map((k) => [k, config[k]])) as unknown as RamConfig;
  if (out.context === true) {
    const size = contextSizeOf(env);
    if (givenContextSize !== undefined && givenContextSize !== size) {
      throw new Error(`ram: contextSize=${JSON.stringify(givenContextSize)} does not match the env's context view of ${size} values`);
    }
    out.contextSize = size;
  } else if (givenContextSize !== undefined) {
    throw new Error(`ram: contextSize=${JSON.stringify(givenContextSize)} is given but context is false; set context: true or drop contextSize`);
  }
  return out;
}

/**
 * The number of values of the env's coarse view (the observation space's `context` Box), for
 * `context: true`. Throws one line naming `envKwargs.context` when the env has none.
 */
export function contextSizeOf(env: AgentEnvInfo): number {
  const obs = env.observationSpace;
  const box = obs instanceof Dict ? obs.spaces.context : undefined;
  if (!(box instanceof Box)) {
    throw new Error("ram: context is true but the env's observations carry no 'context' view; set envKwargs.context to its side (e.g. {\"context\": 12}) or agent.context=false");
  }
  return box.size;
}

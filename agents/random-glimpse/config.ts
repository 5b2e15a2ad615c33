/**
 * Options of the `random-glimpse` agent: the classifier widths of the glimpse-agent kit and the
 * weight-init seed. It has no location policy, so RAM's `std` and `detachLocationInput` are not
 * among them.
 */
import type { OptionSchema } from '../../options/schema';
import type { AgentEnvInfo } from '../agent';
import { GLIMPSE_CLASSIFIER_OPTIONS, SEED_OPTION, resolveGlimpseAgentOptions, type GlimpseClassifierConfig } from '../glimpse/config';
import type { AgentContext } from '../registry';

/** The full, JSON-serialisable config of a random-glimpse agent. */
export type RandomGlimpseConfig = GlimpseClassifierConfig & { seed: number };

/** The option schema of `random-glimpse`. */
export const RANDOM_GLIMPSE_OPTIONS: OptionSchema = Object.freeze({ ...GLIMPSE_CLASSIFIER_OPTIONS, ...SEED_OPTION });

/** Validates `options` against {@link RANDOM_GLIMPSE_OPTIONS} and adds the env's sizes; `seed` falls back to the run seed. */
export function resolveRandomGlimpseConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}, context?: AgentContext): RandomGlimpseConfig {
  const config = resolveGlimpseAgentOptions('random-glimpse', env, RANDOM_GLIMPSE_OPTIONS, options, context);
  const keys = ['glimpseHidden', 'locationHidden', 'glimpseFeatures', 'hidden', 'core', 'seed', 'scales', 'glimpseSize', 'numClasses'];
  return Object.fromEntries(keys.map((k) => [k, config[k]])) as unknown as RandomGlimpseConfig;
}

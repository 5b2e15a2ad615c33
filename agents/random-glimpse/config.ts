/**
 * Options of the `random-glimpse` agent: the RAM classifier options (glimpse, core and action
 * networks) without `std` and `detachLocationInput`, since it has no location policy.
 */
import type { AgentEnvInfo } from '../agent';
import { resolveRamConfig, type RamConfig } from '../ram/config';

/** The full, JSON-serialisable config of a random-glimpse agent (RAM's, less the location-policy options). */
export type RandomGlimpseConfig = Omit<RamConfig, 'std' | 'detachLocationInput'>;

/** RAM options of the location policy, which this agent does not have. */
const POLICY_KEYS = ['std', 'detachLocationInput'];

/**
 * Validates `options` like `resolveRamConfig` (same keys, defaults and env sizes) except `std`
 * and `detachLocationInput`, which are refused: the locations are uniform, there is no policy.
 */
export function resolveRandomGlimpseConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}): RandomGlimpseConfig {
  for (const key of POLICY_KEYS) {
    if (key in options && options[key] !== undefined) {
      throw new Error(`random-glimpse: option '${key}' (got ${JSON.stringify(options[key])}) does not apply: the locations are uniform random, there is no location policy`);
    }
  }
  let full: RamConfig;
  try {
    full = resolveRamConfig(env, options);
  } catch (e) {
    // Same checks as RAM's; name this agent in the one-line message.
    throw new Error((e as Error).message.replace(/^ram: /, 'random-glimpse: ').replace(/allowed: (.*)/, (_m, list: string) => `allowed: ${list.split(', ').filter((k) => !POLICY_KEYS.includes(k)).join(', ')}`));
  }
  const { std: _std, detachLocationInput: _detach, ...config } = full;
  return config;
}

/**
 * Options of the `random-glimpse` agent: the RAM classifier options (glimpse, core and action
 * networks) without `std`, since it has no location policy.
 */
import type { AgentEnvInfo } from '../agent';
import { resolveRamConfig, type RamConfig } from '../ram/config';

/** The full, JSON-serialisable config of a random-glimpse agent (RAM's, less `std`). */
export type RandomGlimpseConfig = Omit<RamConfig, 'std'>;

/**
 * Validates `options` like `resolveRamConfig` (same keys, defaults and env sizes) except `std`,
 * which is refused: the locations are uniform, there is no policy to spread.
 */
export function resolveRandomGlimpseConfig(env: AgentEnvInfo, options: Record<string, unknown> = {}): RandomGlimpseConfig {
  if ('std' in options && options.std !== undefined) {
    throw new Error(`random-glimpse: option 'std' (got ${JSON.stringify(options.std)}) does not apply: the locations are uniform random, there is no location policy`);
  }
  let full: RamConfig;
  try {
    full = resolveRamConfig(env, options);
  } catch (e) {
    // Same checks as RAM's; name this agent in the one-line message.
    throw new Error((e as Error).message.replace(/^ram: /, 'random-glimpse: ').replace(/allowed: (.*)/, (_m, list: string) => `allowed: ${list.split(', ').filter((k) => k !== 'std').join(', ')}`));
  }
  const { std: _unused, ...config } = full;
  return config;
}

/**
 * Registers the `ram` agent and re-exports its parts.
 */
import { registerAgent } from '../registry';
import { resolveRamConfig } from './config';
import { RamAgent } from './ram-agent';
import { ramWeightShapes } from './weight-shapes';

export { RamAgent } from './ram-agent';
export { RAM_DEFAULTS, resolveRamConfig, envSizes } from './config';
export { ramWeightShapes } from './weight-shapes';
export type { RamConfig, RamOptions, RamEnvSizes, CoreKind } from './config';

registerAgent('ram', {
  description: 'Recurrent Attention Model (Mnih et al. 2014): glimpse, core (rnn|lstm), Gaussian location, action and baseline networks',
  create: (env, options) => new RamAgent(resolveRamConfig(env, options)),
  weightShapes: (env, options) => ramWeightShapes(resolveRamConfig(env, options), true),
});

/**
 * Registers the `ram` agent and re-exports its parts.
 */
import { registerAgent } from '../registry';
import { RAM_OPTIONS, resolveRamConfig } from './config';
import { RamAgent } from './ram-agent';
import { ramWeightShapes } from './weights';

export { RamAgent } from './ram-agent';
export { RAM_DEFAULTS, RAM_OPTIONS, resolveRamConfig, envSizes } from './config';
export { RAM_LAYERS, RAM_OPTIONAL_LAYERS, ramWeightShapes } from './weights';
export { CONTEXT_LAYERS, ContextNetwork } from './context-network';
export type { RamConfig, RamOptions, RamEnvSizes, CoreKind } from './config';

registerAgent('ram', {
  description: 'Recurrent Attention Model (Mnih et al. 2014): glimpse, core (rnn|lstm), Gaussian location, action and baseline networks; optional context network (Ba et al. 2015)',
  options: RAM_OPTIONS,
  create: (env, options, context) => new RamAgent(resolveRamConfig(env, options, context)),
  // Shapes do not depend on the seed, so any context serves.
  weightShapes: (env, options) => ramWeightShapes(resolveRamConfig(env, options, { seed: 0 })),
});

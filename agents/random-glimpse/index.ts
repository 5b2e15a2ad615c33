/**
 * Registers the `random-glimpse` agent and re-exports it.
 */
import { registerAgent } from '../registry';
import { RANDOM_GLIMPSE_OPTIONS, resolveRandomGlimpseConfig } from './config';
import { RandomGlimpseAgent } from './random-glimpse-agent';
import { glimpseClassifierWeightShapes } from '../glimpse/weight-shapes';

export { RandomGlimpseAgent } from './random-glimpse-agent';
export { RANDOM_GLIMPSE_OPTIONS, resolveRandomGlimpseConfig } from './config';
export type { RandomGlimpseConfig } from './config';

registerAgent('random-glimpse', {
  description: "Control: the glimpse, core and action networks looking at uniform random locations; learns only the classifier",
  options: RANDOM_GLIMPSE_OPTIONS,
  create: (env, options, context) => new RandomGlimpseAgent(resolveRandomGlimpseConfig(env, options, context)),
  weightShapes: (env, options) => glimpseClassifierWeightShapes(resolveRandomGlimpseConfig(env, options, { seed: 0 })),
});

/**
 * Registers the `random-glimpse` agent and re-exports it.
 */
import { registerAgent } from '../registry';
import { resolveRandomGlimpseConfig } from './config';
import { RandomGlimpseAgent } from './random-glimpse-agent';
import { ramWeightShapes } from '../ram/weight-shapes';

export { RandomGlimpseAgent } from './random-glimpse-agent';
export { resolveRandomGlimpseConfig } from './config';
export type { RandomGlimpseConfig } from './config';

registerAgent('random-glimpse', {
  description: "Control: RAM's glimpse, core and action networks looking at uniform random locations; learns only the classifier",
  create: (env, options) => new RandomGlimpseAgent(resolveRandomGlimpseConfig(env, options)),
  weightShapes: (env, options) => ramWeightShapes(resolveRandomGlimpseConfig(env, options), false),
});

/**
 * The weights the glimpse-agent kit's classifier (glimpse network, core, action head: what
 * `random-glimpse` builds) will create, computed from its config alone (no tensor is allocated),
 * from the layer tables of those networks. Runners use an agent's shapes to bound memory before
 * building it and to check a checkpoint's declared shapes before loading it;
 * test/memory-budget.test.ts checks that they equal what the agents really build. RAM's, with
 * its location and baseline layers, are `ramWeightShapes` (agents/ram/weights.ts).
 */
import { ACTION_LAYERS } from './action-network';
import type { GlimpseClassifierConfig } from './config';
import { CORE_LAYERS } from './core-network';
import { GLIMPSE_LAYERS } from './glimpse-network';
import { layerShapes } from './params';

/** The classifier's layers in the order the agents build its networks (glimpse, core, action). */
export const GLIMPSE_CLASSIFIER_LAYERS = { ...GLIMPSE_LAYERS, ...CORE_LAYERS, ...ACTION_LAYERS };

/** Name to shape of every weight of the classifier, in creation order. */
export function glimpseClassifierWeightShapes(config: GlimpseClassifierConfig): Record<string, number[]> {
  return layerShapes<GlimpseClassifierConfig>(GLIMPSE_CLASSIFIER_LAYERS, config);
}

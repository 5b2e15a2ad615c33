/**
 * The glimpse-agent kit: what any agent for a glimpse env builds on, independent of RAM.
 * `ram` and `random-glimpse` both use it; a user's own agent can too.
 * - {@link GlimpseAgentBase}: seeded parameters, checkpoint weights, disposal, observation checks.
 * - {@link ParamStore}: seeded dense layers and matrices with stable checkpoint keys, created one by
 *   one or from a network's layer table ({@link LayerSpec}: name, key, shape; {@link layerShapes}
 *   lists a table's shapes without allocating).
 * - {@link envSizes}: glimpse shape and class count read from the env's spaces.
 * - {@link GlimpseNetwork}, {@link CoreNetwork}, {@link ActionNetwork}: the classifier layers of the paper.
 */
export { GlimpseAgentBase } from './glimpse-agent-base';
export { ParamStore, applyDense, denseLayer, layerShapes, matrixLayer } from './params';
export type { Dense, LayerParams, LayerSpec } from './params';
export { envSizes } from './config';
export type { CoreKind, GlimpseClassifierConfig, GlimpseClassifierOptions, GlimpseEnvSizes } from './config';
export { GlimpseNetwork } from './glimpse-network';
export { CoreNetwork } from './core-network';
export { ActionNetwork } from './action-network';
export { ENV_SIZE_KEYS, GLIMPSE_CLASSIFIER_OPTIONS, SEED_OPTION, resolveGlimpseAgentOptions } from './config';

/**
 * RAM glimpse network: `g = relu(Wc [relu(Wg x + bg); relu(Wl l + bl)] + bc)` where x is the
 * flattened multi-scale patch ("what") and l the location ("where"). The two output matrices of
 * the paper are one concatenated matrix, so the sum costs a single matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GlimpseClassifierConfig } from './config';
import { applyDense, denseLayer, type LayerParams, type ParamStore } from './params';

/** The sizes the glimpse network is built from. */
type GlimpseSizes = Pick<GlimpseClassifierConfig, 'scales' | 'glimpseSize' | 'glimpseHidden' | 'locationHidden' | 'glimpseFeatures'>;

/** The glimpse network's layers: names, checkpoint keys, shapes (see `LayerSpec`). */
export const GLIMPSE_LAYERS = {
  /** "what": on the flattened multi-scale patch. */
  what: denseLayer('glimpse/what', (c: GlimpseSizes) => [c.scales * c.glimpseSize * c.glimpseSize, c.glimpseHidden]),
  /** "where": on the location. */
  where: denseLayer('glimpse/where', (c: GlimpseSizes) => [2, c.locationHidden]),
  /** On `[what, where]`: the glimpse feature g. */
  combine: denseLayer('glimpse/combine', (c: GlimpseSizes) => [c.glimpseHidden + c.locationHidden, c.glimpseFeatures]),
};

/** Glimpse network of a RAM agent. */
export class GlimpseNetwork {
  /** Length of a flattened glimpse (`scales * g * g`). */
  readonly inputSize: number;
  private readonly layers: LayerParams<typeof GLIMPSE_LAYERS>;

  constructor(params: ParamStore, config: GlimpseSizes) {
    this.inputSize = config.scales * config.glimpseSize * config.glimpseSize;
    this.layers = params.layers(GLIMPSE_LAYERS, config);
  }

  /** `[N, scales*g*g]` patches and `[N, 2]` locations to `[N, glimpseFeatures]` features. */
  forward(glimpse: tf.Tensor2D, location: tf.Tensor2D): tf.Tensor2D {
    const { what, where, combine } = this.layers;
    const hWhat = tf.relu(applyDense(what, glimpse));
    const hWhere = tf.relu(applyDense(where, location));
    return tf.relu(applyDense(combine, tf.concat([hWhat, hWhere], 1)));
  }
}

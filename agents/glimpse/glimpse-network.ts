/**
 * RAM glimpse network: `g = relu(Wc [relu(Wg x + bg); relu(Wl l + bl)] + bc)` where x is the
 * flattened multi-scale patch ("what") and l the location ("where"). The two output matrices of
 * the paper are one concatenated matrix, so the sum costs a single matMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GlimpseClassifierConfig } from './config';
import { applyDense, type Dense, type ParamStore } from './params';

/** Glimpse network of a RAM agent. */
export class GlimpseNetwork {
  /** Length of a flattened glimpse (`scales * g * g`). */
  readonly inputSize: number;
  private readonly what: Dense;
  private readonly where: Dense;
  private readonly combine: Dense;

  constructor(params: ParamStore, config: GlimpseClassifierConfig) {
    this.inputSize = config.scales * config.glimpseSize * config.glimpseSize;
    this.what = params.dense('glimpse/what', this.inputSize, config.glimpseHidden);
    this.where = params.dense('glimpse/where', 2, config.locationHidden);
    this.combine = params.dense('glimpse/combine', config.glimpseHidden + config.locationHidden, config.glimpseFeatures);
  }

  /** `[N, scales*g*g]` patches and `[N, 2]` locations to `[N, glimpseFeatures]` features. */
  forward(glimpse: tf.Tensor2D, location: tf.Tensor2D): tf.Tensor2D {
    const hWhat = tf.relu(applyDense(this.what, glimpse));
    const hWhere = tf.relu(applyDense(this.where, location));
    return tf.relu(applyDense(this.combine, tf.concat([hWhat, hWhere], 1)));
  }
}

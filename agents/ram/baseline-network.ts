/**
 * RAM baseline network: a linear value estimate `w . stop(h) + b` of the episode reward. It
 * reads a stop-gradient of the core state, so fitting the baseline never changes the features
 * the policy and classifier use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from '../../tensor/ops';
import type { RamConfig } from './config';
import { applyDense, denseLayer, type LayerParams, type ParamStore } from '../glimpse/params';

/** The baseline's layers: names, checkpoint keys, shapes (see `LayerSpec`). */
export const BASELINE_LAYERS = {
  /** Reward baseline. */
  baseline: denseLayer('baseline', (c: Pick<RamConfig, 'hidden'>) => [c.hidden, 1]),
};

/** Reward baseline of a RAM agent. */
export class BaselineNetwork {
  private readonly layers: LayerParams<typeof BASELINE_LAYERS>;

  constructor(params: ParamStore, config: RamConfig) {
    this.layers = params.layers(BASELINE_LAYERS, config);
  }

  /** `[N, H]` core states to `[N]` baselines. */
  forward(h: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(applyDense(this.layers.baseline, stopGradient(h)), [-1]);
  }
}

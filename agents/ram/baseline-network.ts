/**
 * RAM baseline network: a linear value estimate `w . stop(h) + b` of the episode reward. It
 * reads a stop-gradient of the core state, so fitting the baseline never changes the features
 * the policy and classifier use.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from '../../tensor/ops';
import type { RamConfig } from './config';
import { applyDense, type Dense, type ParamStore } from '../glimpse/params';

/** Reward baseline of a RAM agent. */
export class BaselineNetwork {
  private readonly layer: Dense;

  constructor(params: ParamStore, config: RamConfig) {
    this.layer = params.dense('baseline', config.hidden, 1);
  }

  /** `[N, H]` core states to `[N]` baselines. */
  forward(h: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(applyDense(this.layer, stopGradient(h)), [-1]);
  }
}

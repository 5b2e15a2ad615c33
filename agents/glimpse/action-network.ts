/**
 * RAM action network: class logits `W h + b` from the core state.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GlimpseClassifierConfig } from './config';
import { applyDense, type Dense, type ParamStore } from './params';

/** Classifier head of a RAM agent. */
export class ActionNetwork {
  private readonly layer: Dense;

  constructor(params: ParamStore, config: GlimpseClassifierConfig) {
    this.layer = params.dense('action', config.hidden, config.numClasses);
  }

  /** `[N, H]` core states to `[N, numClasses]` logits. */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.layer, h);
  }
}

/**
 * RAM action network: class logits `W h + b` from the core state.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GlimpseClassifierConfig } from './config';
import { applyDense, denseLayer, type LayerParams, type ParamStore } from './params';

/** The sizes the classifier head is built from. */
type ActionSizes = Pick<GlimpseClassifierConfig, 'hidden' | 'numClasses'>;

/** The classifier head's layers: names, checkpoint keys, shapes (see `LayerSpec`). */
export const ACTION_LAYERS = {
  /** Class logits. */
  action: denseLayer('action', (c: ActionSizes) => [c.hidden, c.numClasses]),
};

/** Classifier head of a RAM agent. */
export class ActionNetwork {
  private readonly layers: LayerParams<typeof ACTION_LAYERS>;

  constructor(params: ParamStore, config: ActionSizes) {
    this.layers = params.layers(ACTION_LAYERS, config);
  }

  /** `[N, H]` core states to `[N, numClasses]` logits. */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.layers.action, h);
  }
}

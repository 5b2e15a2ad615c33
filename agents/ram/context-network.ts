/**
 * RAM context network (Ba, Mnih, Kavukcuoglu 2015, "Multiple Object Recognition with Visual
 * Attention"): the initial core state from a coarse view of the whole image,
 * `h0 = relu(Wctx k + bctx)`, so that the first glimpse location is already the agent's choice.
 *
 * Ba et al. used a small convolutional network on the down-sampled image; here it is one dense
 * layer on the env's `c x c` area-averaged view (the env's `context` observation), the analogue
 * of the dense layers our glimpse network uses on its patches. An option (`context`): the layer
 * exists only when it is on, and it is created after every other layer, so an agent without it
 * has the same weights for a seed as before the option existed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyDense, denseLayer, type LayerParams, type ParamStore } from '../glimpse/params';

/** The sizes the context network is built from: the coarse view's `c * c` values and the core width. */
export interface ContextSizes {
  /** Values of the env's coarse view (`context` Box size, c * c). */
  contextSize: number;
  /** Width of the core state h. */
  hidden: number;
}

/** The context network's layers: names, checkpoint keys, shapes (see `LayerSpec`). Optional: built only with `context`. */
export const CONTEXT_LAYERS = {
  /** Initial hidden state h0 from the coarse view. */
  context: denseLayer('context', (c: ContextSizes) => [c.contextSize, c.hidden]),
};

/** The context network of a RAM agent with `context` on. */
export class ContextNetwork {
  /** Values of one coarse view. */
  readonly inputSize: number;
  private readonly layers: LayerParams<typeof CONTEXT_LAYERS>;

  constructor(params: ParamStore, config: ContextSizes) {
    this.inputSize = config.contextSize;
    this.layers = params.layers(CONTEXT_LAYERS, config);
  }

  /** `[N, c*c]` coarse views to `[N, hidden]` initial hidden states h0. */
  forward(context: tf.Tensor2D): tf.Tensor2D {
    return tf.relu(applyDense(this.layers.context, context));
  }
}

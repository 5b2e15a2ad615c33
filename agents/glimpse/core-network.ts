/**
 * RAM core network: the recurrent state update. `rnn` is the paper's
 * `h_t = relu(W_i g_t + W_h h_{t-1} + b)`; `lstm` is a standard LSTM with gates (i, f, o, u).
 *
 * The input projection `W_i g + b` is split from the recurrence so a whole rollout's inputs are
 * projected in one matMul (`project` on `[T*B, G]`), leaving only `h W_h` inside the time loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CoreKind, GlimpseClassifierConfig } from './config';
import { applyDense, denseLayer, matrixLayer, type LayerParams, type ParamStore } from './params';

/** The sizes the core is built from. */
type CoreSizes = Pick<GlimpseClassifierConfig, 'core' | 'hidden' | 'glimpseFeatures'>;

/** Width of the pre-activation z: hidden, or 4 hidden for the lstm gates i, f, o, u. */
const zWidth = (c: CoreSizes): number => (c.core === 'lstm' ? 4 * c.hidden : c.hidden);

/** The core's layers: names, checkpoint keys, shapes (see `LayerSpec`). */
export const CORE_LAYERS = {
  /** Input projection `W_i g + b` (width hidden, or 4 hidden for the lstm gates i, f, o, u). */
  coreInput: denseLayer('core/input', (c: CoreSizes) => [c.glimpseFeatures, zWidth(c)]),
  /** Recurrent matrix `[hidden, width]`. */
  coreRecurrent: matrixLayer('core/recurrent/kernel', (c: CoreSizes) => [c.hidden, zWidth(c)]),
};

/** The recurrent core; a state is `[h]` (rnn) or `[h, c]` (lstm), each `[B, hidden]`. */
export class CoreNetwork {
  readonly kind: CoreKind;
  readonly hidden: number;
  private readonly layers: LayerParams<typeof CORE_LAYERS>;

  constructor(params: ParamStore, config: CoreSizes) {
    this.kind = config.core;
    this.hidden = config.hidden;
    this.layers = params.layers(CORE_LAYERS, config);
  }

  /** Number of tensors in a state. */
  get stateSize(): number {
    return this.kind === 'lstm' ? 2 : 1;
  }

  /** Zero state for `batchSize` episodes. */
  initialState(batchSize: number): tf.Tensor2D[] {
    return Array.from({ length: this.stateSize }, () => tf.zeros([batchSize, this.hidden]) as tf.Tensor2D);
  }

  /**
   * The state whose hidden part is `h0` (an initial state set from elsewhere, e.g. a context
   * network): `[h0]` (rnn) or `[h0, 0]` (lstm: the cell starts at zero).
   */
  stateFrom(h0: tf.Tensor2D): tf.Tensor2D[] {
    return this.kind === 'lstm' ? [h0, tf.zerosLike(h0)] : [h0];
  }

  /** Input projection `W_i g + b` of `[N, G]` features. */
  project(g: tf.Tensor2D): tf.Tensor2D {
    return applyDense(this.layers.coreInput, g);
  }

  /**
   * One recurrent step from a projected input; returns the new state (h first). `state` null
   * means the zero initial state, which skips the recurrent matMul (and its gradient).
   */
  step(projected: tf.Tensor2D, state: tf.Tensor2D[] | null): tf.Tensor2D[] {
    const z: tf.Tensor2D = state ? tf.add(projected, tf.matMul(state[0], this.layers.coreRecurrent as tf.Tensor2D)) : projected;
    if (this.kind === 'rnn') return [tf.relu(z)];
    const [i, f, o, u] = tf.split(z, 4, 1) as tf.Tensor2D[];
    const input: tf.Tensor2D = tf.mul(tf.sigmoid(i), tf.tanh(u));
    const c: tf.Tensor2D = state ? tf.add(tf.mul(tf.sigmoid(f), state[1]), input) : input;
    const h: tf.Tensor2D = tf.mul(tf.sigmoid(o), tf.tanh(c));
    return [h, c];
  }
}

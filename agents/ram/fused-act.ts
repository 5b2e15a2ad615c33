/**
 * One RAM `act` step of the rnn core on native dense layers (tensor/native-dense.ts): each layer
 * is one or two GEMMs plus one bias + activation pass on the wasm heap, and the concatenated
 * glimpse input `[hg, hl] Wc` is two GEMMs on the row blocks of Wc instead of a Concat. ~12 native
 * calls per step instead of ~24 tfjs kernels (a Concat and an Add per layer among them). The math
 * is the modular networks' (ram-agent.ts uses them when the native addon is unavailable):
 *   hg = relu(X Ww + bw), hl = relu(L Wl + bl), g = relu(hg Wc[:G] + hl Wc[G:] + bc),
 *   h = relu(g Wi + bi + h_prev Wh), mean = tanh(h Wloc + bloc), logits = h Wa + ba.
 * Forward only: `act` runs untaped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeDenseAvailable, nativeLinear } from '../../tensor/native-dense';
import type { RamWeights } from './weights';

/**
 * Whether `act` uses {@link fusedRnnActStep} now: wasm backend, addon with the dense kernels,
 * not turned off by `setNativeDenseEnabled(false)` (tensor/native-dense.ts).
 */
export function fusedActAvailable(): boolean {
  return nativeDenseAvailable();
}

/** What one step produces: the new hidden state and the two heads, `[B, H]`, `[B, 2]`, `[B, C]`. */
export type FusedActStep = {
  h: tf.Tensor2D;
  mean: tf.Tensor2D;
  logits: tf.Tensor2D;
};

/**
 * One step from glimpses `x` `[B, D]` at locations `l` `[B, 2]` and the previous hidden state
 * (`null`: the zero initial state, whose recurrent product is skipped), with the agent's weights `w`.
 */
export function fusedRnnActStep(w: RamWeights, x: tf.Tensor2D, l: tf.Tensor2D, hPrev: tf.Tensor2D | null): FusedActStep {
  const hg = nativeLinear([{ x, w: w.what.kernel }], w.what.bias, 'relu');
  const hl = nativeLinear([{ x: l, w: w.where.kernel }], w.where.bias, 'relu');
  const wc = w.combine.kernel;
  const g = nativeLinear([{ x: hg, w: wc }, { x: hl, w: wc, rowStart: hg.shape[1] }], w.combine.bias, 'relu');
  const core = [{ x: g, w: w.coreInput.kernel }];
  if (hPrev !== null) core.push({ x: hPrev, w: w.coreRecurrent });
  const h = nativeLinear(core, w.coreInput.bias, 'relu');
  const mean = nativeLinear([{ x: h, w: w.location.kernel }], w.location.bias, 'tanh');
  const logits = nativeLinear([{ x: h, w: w.action.kernel }], w.action.bias, 'linear');
  tf.dispose([hg, hl, g]);
  return { h, mean, logits };
}

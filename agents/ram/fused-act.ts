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

/** Checkpoint keys of the variables {@link fusedRnnActStep} reads. */
export const FUSED_ACT_KEYS = [
  'glimpse/what/kernel', 'glimpse/what/bias', 'glimpse/where/kernel', 'glimpse/where/bias',
  'glimpse/combine/kernel', 'glimpse/combine/bias', 'core/input/kernel', 'core/input/bias',
  'core/recurrent/kernel', 'location/kernel', 'location/bias', 'action/kernel', 'action/bias',
] as const;

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
 * (`null`: the zero initial state, whose recurrent product is skipped). `vars` maps
 * {@link FUSED_ACT_KEYS} to the agent's variables.
 */
export function fusedRnnActStep(vars: ReadonlyMap<string, tf.Tensor>, x: tf.Tensor2D, l: tf.Tensor2D, hPrev: tf.Tensor2D | null): FusedActStep {
  const v = (k: (typeof FUSED_ACT_KEYS)[number]) => {
    const t = vars.get(k);
    if (t === undefined) throw new Error(`ram: fused act needs variable '${k}'`);
    return t;
  };
  const m2 = (k: (typeof FUSED_ACT_KEYS)[number]) => v(k) as tf.Tensor2D;
  const b1 = (k: (typeof FUSED_ACT_KEYS)[number]) => v(k) as tf.Tensor1D;
  const hg = nativeLinear([{ x, w: m2('glimpse/what/kernel') }], b1('glimpse/what/bias'), 'relu');
  const hl = nativeLinear([{ x: l, w: m2('glimpse/where/kernel') }], b1('glimpse/where/bias'), 'relu');
  const wc = m2('glimpse/combine/kernel');
  const g = nativeLinear([{ x: hg, w: wc }, { x: hl, w: wc, rowStart: hg.shape[1] }], b1('glimpse/combine/bias'), 'relu');
  const core = [{ x: g, w: m2('core/input/kernel') }];
  if (hPrev !== null) core.push({ x: hPrev, w: m2('core/recurrent/kernel') });
  const h = nativeLinear(core, b1('core/input/bias'), 'relu');
  const mean = nativeLinear([{ x: h, w: m2('location/kernel') }], b1('location/bias'), 'tanh');
  const logits = nativeLinear([{ x: h, w: m2('action/kernel') }], b1('action/bias'), 'linear');
  tf.dispose([hg, hl, g]);
  return { h, mean, logits };
}

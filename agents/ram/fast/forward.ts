/**
 * The forward pass of the rnn RAM on native dense layers (tensor/native-dense.ts), written into
 * row blocks of step-major `[rows, .]` buffers on the wasm heap (row t*B + b is step t, episode b).
 * Each layer is one definition here, used by both `act` (one step: rows `[t*B, (t+1)*B)`) and the
 * replay (all T*B rows of the glimpse and location layers at once, the core step by step). A GEMM
 * row does not depend on how many rows are computed with it, so a step computed by `act` is
 * bit-identical to the same rows computed by the replay: that is what lets the replay reuse the
 * activations `act` kept (activation-cache.ts).
 *
 * The math is the reference networks' (agents/glimpse/, agents/ram/*-network.ts):
 *   [hg, hl] = [relu(X Wwhat + b), relu(L Wwhere + b)], g = relu([hg, hl] Wcombine + b),
 *   h_t = relu(g_t WcoreInput + b + h_{t-1} WcoreRecurrent) (h_{-1} = 0: the product is skipped),
 *   mu = tanh(H Wlocation + b), baseline = H Wbaseline + b, logits = h Waction + b.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeEmpty, nativeLinear, nativeLinearInto, type LinearTerm } from '../../../tensor/native-dense';
import type { RamWeights } from '../weights';

/**
 * The forward activations the replay's backward needs, all step-major `[rows, .]`: inputs X
 * (glimpses) and L (locations), `cat` = `[hg, hl]` side by side (both ReLU outputs), g, the hidden
 * states H and the location means mu.
 */
export interface ForwardBuffers {
  X: tf.Tensor2D;
  L: tf.Tensor2D;
  cat: tf.Tensor2D;
  g: tf.Tensor2D;
  H: tf.Tensor2D;
  mu: tf.Tensor2D;
}

/** Column counts of {@link ForwardBuffers}, from the weights and the glimpse length D. */
export function forwardWidths(w: RamWeights, D: number): Record<keyof ForwardBuffers, number> {
  return { X: D, L: 2, cat: w.what.kernel.shape[1] + w.where.kernel.shape[1], g: w.combine.kernel.shape[1], H: w.coreRecurrent.shape[0], mu: 2 };
}

/** Uninitialised buffers of `rows` rows (`keep`: survive the caller's tidy; the owner disposes them). */
export function allocateForward(widths: Record<keyof ForwardBuffers, number>, rows: number, keep: boolean): ForwardBuffers {
  const make = (cols: number) => (keep ? tf.keep(nativeEmpty(rows, cols)) : nativeEmpty(rows, cols));
  return { X: make(widths.X), L: make(widths.L), cat: make(widths.cat), g: make(widths.g), H: make(widths.H), mu: make(widths.mu) };
}

/** The glimpse network on rows `[row, row + rows)` of X and L, into the same rows of cat and g. */
export function glimpseRows(w: RamWeights, f: ForwardBuffers, row: number, rows: number): void {
  const hg = w.what.kernel.shape[1];
  nativeLinearInto(f.cat, row, 0, [{ x: f.X, w: w.what.kernel, xRowStart: row }], w.what.bias, 'relu', rows);
  nativeLinearInto(f.cat, row, hg, [{ x: f.L, w: w.where.kernel, xRowStart: row }], w.where.bias, 'relu', rows);
  nativeLinearInto(f.g, row, 0, [{ x: f.cat, w: w.combine.kernel, xRowStart: row }], w.combine.bias, 'relu', rows);
}

/** The previous hidden state of a core step: `B` rows of `x` from `xRowStart`; null is the zero state. */
export type PreviousState = { x: tf.Tensor2D; xRowStart: number } | null;

/** One core step: rows `[row, row + B)` of H from the same rows of g and the previous state. */
export function coreStep(w: RamWeights, f: ForwardBuffers, row: number, B: number, prev: PreviousState): void {
  const terms: LinearTerm[] = [{ x: f.g, w: w.coreInput.kernel, xRowStart: row }];
  if (prev !== null) terms.push({ x: prev.x, w: w.coreRecurrent, xRowStart: prev.xRowStart });
  nativeLinearInto(f.H, row, 0, terms, w.coreInput.bias, 'relu', B);
}

/** The location means of rows `[row, row + rows)` of H, into the same rows of mu. */
export function locationRows(w: RamWeights, f: ForwardBuffers, row: number, rows: number): void {
  nativeLinearInto(f.mu, row, 0, [{ x: f.H, w: w.location.kernel, xRowStart: row }], w.location.bias, 'tanh', rows);
}

/** `[rows, 1]` baselines of rows `[row, row + rows)` of H (a new tensor). */
export function baselineRows(w: RamWeights, H: tf.Tensor2D, row: number, rows: number): tf.Tensor2D {
  return nativeLinear([{ x: H, w: w.baseline.kernel, xRowStart: row }], w.baseline.bias, 'linear', rows);
}

/** `[rows, C]` class logits of rows `[row, row + rows)` of H (a new tensor). */
export function logitRows(w: RamWeights, H: tf.Tensor2D, row: number, rows: number): tf.Tensor2D {
  return nativeLinear([{ x: H, w: w.action.kernel, xRowStart: row }], w.action.bias, 'linear', rows);
}

/** The whole forward of T steps of B episodes whose X and L rows are filled: glimpse layers, core, location head. */
export function forwardAll(w: RamWeights, f: ForwardBuffers, T: number, B: number): void {
  const N = T * B;
  glimpseRows(w, f, 0, N);
  for (let t = 0; t < T; t++) coreStep(w, f, t * B, B, t === 0 ? null : { x: f.H, xRowStart: (t - 1) * B });
  locationRows(w, f, 0, N);
}

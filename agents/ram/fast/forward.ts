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
 *   z_t = g_t WcoreInput + b + h_{t-1} WcoreRecurrent (h_{-1} = 0: the product is skipped),
 *   rnn: h_t = relu(z_t); lstm: [i, f, o, u] = [sig, sig, sig, tanh](z_t column blocks),
 *   c_t = i u + f c_{t-1} (c_{-1} = 0), h_t = o tanh(c_t);
 *   mu = tanh(H Wlocation + b), baseline = H Wbaseline + b, logits = h Waction + b.
 * With the context network (weights `context`), step 0 is the context step: its rows of H are
 *   h_0 = relu(K_0 Wcontext + b) from the coarse views K (c_0 = 0 for the lstm), its glimpse rows
 *   are not computed (nothing reads them), and the glimpse layers run on the steps 1.. only.
 * The lstm cell's elementwise math is one native call per step (tensor/native-lstm.ts; its float32
 * sigmoid and tanh are within 4 ulp of the exact values, so within 1e-6 of the reference's tfjs
 * kernels, and the same call on the same rows makes act and replay identical).
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeEmpty, nativeLinear, nativeLinearInto, nativeRowsView, type LinearTerm } from '../../../tensor/native-dense';
import { nativeLstmCellForward } from '../../../tensor/native-lstm';
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
  /** lstm only: `[rows, 4H]` gate activations i, f, o (sigmoid) and u (tanh), column blocks. */
  A?: tf.Tensor2D;
  /** lstm only: `[rows, H]` cell states. */
  C?: tf.Tensor2D;
  /** lstm only: `[rows, H]` tanh of the cell states. */
  TC?: tf.Tensor2D;
  /** Context network only: `[rows, c*c]` coarse views; only the context step's rows (step 0) are written and read. */
  K?: tf.Tensor2D;
}

/** Column counts of the buffers of {@link ForwardBuffers} a core needs (optional exactly where the buffer is). */
export type ForwardWidths = { [K in keyof ForwardBuffers]: number };

/** Whether `w` is an lstm core's weights (its input projection is 4 hidden wide). */
export function isLstm(w: RamWeights): boolean {
  return w.coreInput.kernel.shape[1] === 4 * w.coreRecurrent.shape[0];
}

/** Column counts of {@link ForwardBuffers}, from the weights and the glimpse length D. */
export function forwardWidths(w: RamWeights, D: number): ForwardWidths {
  const H = w.coreRecurrent.shape[0];
  const widths: ForwardWidths = { X: D, L: 2, cat: w.what.kernel.shape[1] + w.where.kernel.shape[1], g: w.combine.kernel.shape[1], H, mu: 2 };
  if (isLstm(w)) Object.assign(widths, { A: 4 * H, C: H, TC: H });
  if (w.context !== undefined) widths.K = w.context.kernel.shape[0];
  return widths;
}

/**
 * Uninitialised buffers of `rows` rows, one per entry of `widths` ({@link forwardWidths} is the one
 * place that decides which buffers a forward has). `keep`: survive the caller's tidy; the owner
 * disposes them.
 */
export function allocateForward(widths: ForwardWidths, rows: number, keep: boolean): ForwardBuffers {
  const f: Partial<Record<keyof ForwardBuffers, tf.Tensor2D>> = {};
  for (const [name, cols] of Object.entries(widths) as Array<[keyof ForwardBuffers, number | undefined]>) {
    if (cols !== undefined) f[name] = keep ? tf.keep(nativeEmpty(rows, cols)) : nativeEmpty(rows, cols);
  }
  return f as ForwardBuffers;
}

/** The buffers of `f` as a list (for disposal and copies). */
export function forwardTensors(f: ForwardBuffers): tf.Tensor2D[] {
  return Object.values(f).filter((t): t is tf.Tensor2D => t !== undefined);
}

/** The glimpse network on rows `[row, row + rows)` of X and L, into the same rows of cat and g. */
export function glimpseRows(w: RamWeights, f: ForwardBuffers, row: number, rows: number): void {
  const hg = w.what.kernel.shape[1];
  nativeLinearInto(f.cat, row, 0, [{ x: f.X, w: w.what.kernel, xRowStart: row }], w.what.bias, 'relu', rows);
  nativeLinearInto(f.cat, row, hg, [{ x: f.L, w: w.where.kernel, xRowStart: row }], w.where.bias, 'relu', rows);
  nativeLinearInto(f.g, row, 0, [{ x: f.cat, w: w.combine.kernel, xRowStart: row }], w.combine.bias, 'relu', rows);
}

/** `B` rows of a tensor from a row. */
export interface RowBlock {
  x: tf.Tensor2D;
  xRowStart: number;
}

/** The previous state of a core step: h (and c, lstm); null is the zero state. */
export type PreviousState = { h: RowBlock; c?: RowBlock } | null;

/**
 * One core step: rows `[row, row + B)` of H (and, lstm, of A, C, TC) from the same rows of g and
 * the previous state.
 */
export function coreStep(w: RamWeights, f: ForwardBuffers, row: number, B: number, prev: PreviousState): void {
  const terms: LinearTerm[] = [{ x: f.g, w: w.coreInput.kernel, xRowStart: row }];
  if (prev !== null) terms.push({ x: prev.h.x, w: w.coreRecurrent, xRowStart: prev.h.xRowStart });
  if (f.A === undefined) {
    nativeLinearInto(f.H, row, 0, terms, w.coreInput.bias, 'relu', B);
    return;
  }
  nativeLinearInto(f.A, row, 0, terms, w.coreInput.bias, 'linear', B);
  const cPrev = prev?.c === undefined || prev === null ? null : { t: prev.c.x, row: prev.c.xRowStart };
  nativeLstmCellForward({ gates: { t: f.A, row }, cPrev, c: { t: f.C!, row }, tanhC: { t: f.TC!, row }, h: { t: f.H, row } }, B);
}

/**
 * The context step: rows `[row, row + B)` of H from the same rows of K, h0 = relu(K Wcontext + b);
 * for the lstm, the same rows of C (and its tanh, TC) are zero: c0 = 0.
 */
export function contextRows(w: RamWeights, f: ForwardBuffers, row: number, B: number): void {
  if (w.context === undefined || f.K === undefined) throw new Error('contextRows: the agent has no context network');
  nativeLinearInto(f.H, row, 0, [{ x: f.K, w: w.context.kernel, xRowStart: row }], w.context.bias, 'relu', B);
  if (f.C !== undefined) {
    nativeRowsView(f.C, row, B).fill(0);
    nativeRowsView(f.TC!, row, B).fill(0);
  }
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

/**
 * The whole forward of T steps of B episodes whose X and L rows (and, with the context network,
 * K's first B rows) are filled: glimpse layers, core, location head.
 */
export function forwardAll(w: RamWeights, f: ForwardBuffers, T: number, B: number): void {
  const N = T * B;
  const first = w.context !== undefined ? 1 : 0; // the context step has no glimpse to compute
  if (T > first) glimpseRows(w, f, first * B, N - first * B);
  for (let t = 0; t < T; t++) {
    const prev = (x: tf.Tensor2D | undefined) => (x === undefined ? undefined : { x, xRowStart: (t - 1) * B });
    if (t === 0 && first === 1) contextRows(w, f, 0, B);
    else coreStep(w, f, t * B, B, t === 0 ? null : { h: prev(f.H)!, c: prev(f.C) });
  }
  locationRows(w, f, 0, N);
}

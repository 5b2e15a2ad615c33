/**
 * The elementwise part of an lstm cell on the native addon (native/src/lstm_cell.h), in place on
 * row blocks of float32 wasm tensors: the forward cell of a step (gate activations, c, tanh(c),
 * h) and one step of its backward (the gate chain rule). The gate GEMMs are native-dense.ts's.
 * A JS loop over views of the wasm heap did the same at ~33x the cost (forward, B=128, H=256:
 * 3.0 vs 0.09 ms a step; V8's Math.exp and Math.tanh do not vectorise).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from '../native/addon';
import { nativeHeapRows } from './native-dense';

/** Rows of a float32 wasm tensor from row `row` (default 0); the count is the call's `rows`. */
export interface RowsOf {
  t: tf.Tensor2D;
  row?: number;
}

type LstmAddon = NativeAddon & Required<Pick<NativeAddon, 'lstmCellForward' | 'lstmCellBackward'>>;

function lstmAddon(): LstmAddon | null {
  const addon = loadNativeAddon();
  return addon !== null && typeof addon.lstmCellForward === 'function' && typeof addon.lstmCellBackward === 'function' ? (addon as LstmAddon) : null;
}

/**
 * Whether the lstm cell kernels can run now: the active backend is wasm and the addon (enabled by
 * the `GLIMPSE_NATIVE` flag, tensor/flags.ts) has them (builds made before they were added do not).
 */
export function nativeLstmAvailable(): boolean {
  return tf.getBackend() === 'wasm' && lstmAddon() !== null;
}

function addonFor(what: string): LstmAddon {
  if (tf.getBackend() !== 'wasm') throw new Error(`${what}: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  const addon = lstmAddon();
  if (addon === null) throw new Error(`${what}: the native addon with the lstm cell kernels is not available (disabled by the GLIMPSE_NATIVE flag, not built, or an older build)`);
  return addon;
}

/** Byte offset of a block of `rows` rows that must be `cols` wide. */
function offsetOf(b: RowsOf, rows: number, cols: number, name: string, what: string): number {
  if (b.t.shape[1] !== cols) throw new Error(`${what}: ${name} is [${b.t.shape.join(', ')}], needs ${cols} columns`);
  return nativeHeapRows(b.t, b.row ?? 0, rows, `${what} (${name})`).offset;
}

/** The operands of {@link nativeLstmCellForward}: gates `[*, 4H]`, the rest `[*, H]`. */
export interface LstmForwardRows {
  /** Gate pre-activations (column blocks i, f, o, u), replaced by the activations. */
  gates: RowsOf;
  /** Previous cell states; null: the zero state. */
  cPrev: RowsOf | null;
  /** Cell states written: c = i u + f cPrev. */
  c: RowsOf;
  /** tanh(c) written. */
  tanhC: RowsOf;
  /** Hidden states written: h = o tanh(c). */
  h: RowsOf;
}

/**
 * The forward cell on `rows` rows: [i, f, o, u] = [sigmoid, sigmoid, sigmoid, tanh](gates) in
 * place, c = i u + f cPrev, tanh(c), h = o tanh(c). Float32 throughout; sigmoid and tanh within
 * 4 ulp of the exact values. Throws one line on a shape that does not fit or overlapping outputs.
 */
export function nativeLstmCellForward(x: LstmForwardRows, rows: number): void {
  const what = 'nativeLstmCellForward';
  const addon = addonFor(what);
  const H = x.c.t.shape[1];
  const a = offsetOf(x.gates, rows, 4 * H, 'gates', what);
  const c = offsetOf(x.c, rows, H, 'c', what);
  const tc = offsetOf(x.tanhC, rows, H, 'tanhC', what);
  const h = offsetOf(x.h, rows, H, 'h', what);
  const p = x.cPrev === null ? null : offsetOf(x.cPrev, rows, H, 'cPrev', what);
  const heap = nativeHeapRows(x.c.t, 0, 0, what).heap;
  addon.lstmCellForward(heap, a, c, tc, h, rows, H, p === null ? null : heap, p ?? 0);
}

/** The operands of {@link nativeLstmCellBackward}: gates and dz `[*, 4H]`, the rest `[*, H]`. */
export interface LstmBackwardRows {
  /** Gradient of the loss with respect to h. */
  dh: RowsOf;
  /** Saved gate activations (i, f, o, u) of the step. */
  gates: RowsOf;
  /** Saved tanh(c) of the step. */
  tanhC: RowsOf;
  /** Saved cell states of the step before; null at the first step (no forget-gate gradient). */
  cPrev: RowsOf | null;
  /** In: the cell gradient carried from the step after (zeros at the last); out: dc f, for the step before. */
  dcCarry: RowsOf;
  /** Gate pre-activation gradients written (column blocks i, f, o, u). */
  dz: RowsOf;
}

/**
 * One step of the cell's backward on `rows` rows: do = dh tanh(c), dc = dh o (1 - tanh(c)^2) +
 * carry, dz = [dc u i(1-i), dc cPrev f(1-f), do o(1-o), dc i (1-u^2)], carry = dc f. Float32.
 */
export function nativeLstmCellBackward(x: LstmBackwardRows, rows: number): void {
  const what = 'nativeLstmCellBackward';
  const addon = addonFor(what);
  const H = x.dh.t.shape[1];
  const dh = offsetOf(x.dh, rows, H, 'dh', what);
  const a = offsetOf(x.gates, rows, 4 * H, 'gates', what);
  const tc = offsetOf(x.tanhC, rows, H, 'tanhC', what);
  const dc = offsetOf(x.dcCarry, rows, H, 'dcCarry', what);
  const dz = offsetOf(x.dz, rows, 4 * H, 'dz', what);
  const p = x.cPrev === null ? null : offsetOf(x.cPrev, rows, H, 'cPrev', what);
  const heap = nativeHeapRows(x.dh.t, 0, 0, what).heap;
  addon.lstmCellBackward(heap, dh, a, tc, dc, dz, rows, H, p === null ? null : heap, p ?? 0);
}

/**
 * Forward-only dense layers on the native addon, directly on the tfjs wasm heap:
 * `act(sum_i x_i · W_i + b)` as one GEMM per term (the later ones accumulating, beta = 1) and
 * one bias + activation pass, instead of a matMul, an Add and an activation kernel per layer
 * plus a Concat for concatenated inputs (a term may use a block of rows of W, so
 * `[a, b] · W` needs no Concat). No gradient: for inference paths (the agent's `act`).
 * Results are ordinary tfjs tensors (tracked by `tf.tidy`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, type NativeAddon } from '../native/addon';

/** The parts of tfjs-backend-wasm's `BackendWasm` used here. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/**
 * One product of {@link nativeLinear}: `x[xRowStart : xRowStart + M] · W[rowStart : rowStart + K]`,
 * K = x's columns, M the layer's row count. Row blocks are pointer offsets: nothing is copied.
 */
export interface LinearTerm {
  x: tf.Tensor2D;
  w: tf.Tensor2D;
  /** First row of `w` used (default 0). */
  rowStart?: number;
  /** First row of `x` used (default 0). */
  xRowStart?: number;
  /** Use W^T (W stored as [N, K]; rowStart must be 0): for backward passes. */
  transposeW?: boolean;
}

/** Activations {@link nativeLinear} applies. */
export type DenseActivation = 'linear' | 'relu' | 'tanh';

const ACTIVATION_CODE: Record<DenseActivation, 0 | 1 | 2> = { linear: 0, relu: 1, tanh: 2 };

type DenseAddon = NativeAddon & Required<Pick<NativeAddon, 'biasActivation' | 'reluMask'>>;

function denseAddon(): DenseAddon | null {
  const addon = loadNativeAddon();
  return addon !== null && typeof addon.biasActivation === 'function' && typeof addon.reluMask === 'function' ? (addon as DenseAddon) : null;
}

/**
 * Whether {@link nativeLinear} can run now: the active backend is wasm and the addon (enabled by
 * the `GLIMPSE_NATIVE` flag, tensor/flags.ts) has the dense kernels.
 */
export function nativeDenseAvailable(): boolean {
  return tf.getBackend() === 'wasm' && denseAddon() !== null;
}

function offsetOf(backend: WasmHeapBackend, t: tf.Tensor): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('nativeLinear: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

/** An uninitialised `[rows, cols]` float32 tensor on the wasm heap, for {@link nativeLinearInto} to fill. */
export function nativeEmpty(rows: number, cols: number): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') throw new Error(`nativeEmpty: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  const backend = tf.backend() as unknown as WasmHeapBackend;
  return tf.engine().makeTensorFromTensorInfo(backend.makeOutput([rows, cols], 'float32')) as tf.Tensor2D;
}

/**
 * `activation(sum_i terms[i].x[rows] · terms[i].w[rows] + bias)` as a new `[M, N]` tensor, M =
 * `rows` (default: the first x's row count), N = the w's columns. Throws one line on a shape or
 * dtype mismatch, on a non-wasm backend, or when the addon lacks the kernel.
 */
export function nativeLinear(terms: LinearTerm[], bias: tf.Tensor1D | null, activation: DenseActivation, rows?: number): tf.Tensor2D {
  const M = rows ?? terms[0]?.x.shape[0];
  const N = terms[0] === undefined ? 0 : columnsOf(terms[0]);
  const out = nativeEmpty(M ?? 0, N);
  try {
    nativeLinearInto(out, 0, 0, terms, bias, activation, M);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}

/** Output columns of a term: W's columns, or its rows when transposed. */
function columnsOf(t: LinearTerm): number {
  return t.transposeW ? t.w.shape[0] : t.w.shape[1];
}

/**
 * `d[dRowStart : dRowStart + rows] *= (y[yRowStart : yRowStart + rows] > 0)` in place: ReLU's
 * backward through its output, on row blocks of two distinct `[*, K]` tensors (no slices).
 */
export function nativeReluMaskRows(d: tf.Tensor2D, dRowStart: number, y: tf.Tensor2D, yRowStart: number, rows: number): void {
  const addon = denseAddon();
  if (tf.getBackend() !== 'wasm' || addon === null) throw new Error('nativeReluMaskRows: needs the wasm backend and the native addon with reluMask');
  const K = d.shape[1];
  if (y.shape[1] !== K || dRowStart < 0 || yRowStart < 0 || dRowStart + rows > d.shape[0] || yRowStart + rows > y.shape[0]) {
    throw new Error(`nativeReluMaskRows: rows ${dRowStart}+${rows} of d [${d.shape.join(', ')}] and ${yRowStart}+${rows} of y [${y.shape.join(', ')}] do not fit`);
  }
  const backend = tf.backend() as unknown as WasmHeapBackend;
  addon.reluMask(backend.wasm.HEAPU8, offsetOf(backend, d) + 4 * dRowStart * K, offsetOf(backend, y) + 4 * yRowStart * K, rows * K);
}

/**
 * Writes the layer of {@link nativeLinear} into the block of `into` at (`rowStart`, `colStart`):
 * rows `[rowStart, rowStart + M)`, columns `[colStart, colStart + N)`; the rest of `into` is left
 * as it is. With `accumulate` the products are added to the block's current values instead of
 * replacing them. For tensors made by {@link nativeEmpty} in the same computation (it writes in place).
 */
export function nativeLinearInto(
  into: tf.Tensor2D, rowStart: number, colStart: number,
  terms: LinearTerm[], bias: tf.Tensor1D | null, activation: DenseActivation, rows?: number, accumulate = false,
): void {
  if (tf.getBackend() !== 'wasm') throw new Error(`nativeLinear: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  const addon = denseAddon();
  if (addon === null) throw new Error('nativeLinear: the native addon with biasActivation is not available (disabled by the GLIMPSE_NATIVE flag, not built, or an older build)');
  if (terms.length === 0) throw new Error('nativeLinear: needs at least one term');
  if (!(activation in ACTIVATION_CODE)) throw new Error(`nativeLinear: activation must be linear, relu or tanh, got ${JSON.stringify(activation)}`);
  const M = rows ?? terms[0].x.shape[0];
  const N = columnsOf(terms[0]);
  for (const [i, { x, w, rowStart: wr = 0, xRowStart: xr = 0, transposeW = false }] of terms.entries()) {
    const K = x.shape[1];
    const wRows = transposeW ? w.shape[1] : w.shape[0];
    if (x.dtype !== 'float32' || w.dtype !== 'float32' || x.rank !== 2 || w.rank !== 2 || columnsOf(terms[i]) !== N || (transposeW && wr !== 0)
      || !Number.isInteger(wr) || wr < 0 || wr + K > wRows || !Number.isInteger(xr) || xr < 0 || xr + M > x.shape[0]) {
      throw new Error(`nativeLinear: term ${i} has x [${x.shape.join(', ')}] from row ${xr} and w [${w.shape.join(', ')}] from row ${wr}; needs float32 x [>= ${xr}+${M}, K] and w [>= ${wr}+K, ${N}]`);
    }
  }
  if (bias !== null && (bias.dtype !== 'float32' || bias.size !== N)) throw new Error(`nativeLinear: bias has shape [${bias.shape.join(', ')}], needs [${N}]`);
  const ldc = into.shape[1];
  if (into.dtype !== 'float32' || into.rank !== 2 || !Number.isInteger(rowStart) || !Number.isInteger(colStart) || rowStart < 0 || colStart < 0
    || rowStart + M > into.shape[0] || colStart + N > ldc) {
    throw new Error(`nativeLinear: output block [${M}, ${N}] at (${rowStart}, ${colStart}) does not fit into [${into.shape.join(', ')}]`);
  }
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const heap = backend.wasm.HEAPU8;
  const cOff = offsetOf(backend, into) + 4 * (rowStart * ldc + colStart);
  terms.forEach(({ x, w, rowStart: wr = 0, xRowStart: xr = 0, transposeW = false }, i) => {
    const K = x.shape[1];
    addon.sgemm(false, transposeW, M, N, K, 1, heap, offsetOf(backend, x) + 4 * xr * K, K,
      heap, offsetOf(backend, w) + 4 * wr * N, transposeW ? K : N, i === 0 && !accumulate ? 0 : 1, heap, cOff, ldc);
  });
  addon.biasActivation(heap, cOff, M, N, ldc, bias === null ? null : heap, bias === null ? 0 : offsetOf(backend, bias), ACTIVATION_CODE[activation]);
}

/** Byte offset of row `row` of a float32 `[*, K]` wasm tensor, after checking `rows` rows fit. */
function rowOffset(backend: WasmHeapBackend, t: tf.Tensor2D, row: number, rows: number, what: string): number {
  if (t.dtype !== 'float32' || t.rank !== 2 || !Number.isInteger(row) || !Number.isInteger(rows) || row < 0 || rows < 0 || row + rows > t.shape[0]) {
    throw new Error(`${what}: rows ${row}+${rows} do not fit ${t.dtype} [${t.shape.join(', ')}]`);
  }
  return offsetOf(backend, t) + 4 * row * t.shape[1];
}

function heapBackend(what: string): WasmHeapBackend {
  if (tf.getBackend() !== 'wasm') throw new Error(`${what}: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  return tf.backend() as unknown as WasmHeapBackend;
}

/**
 * The wasm heap and the byte offset there of row `row` of a float32 `[*, K]` wasm tensor, after
 * checking `rows` rows fit: for the wrappers of other native kernels (tensor/native-lstm.ts).
 * Valid only until the next wasm allocation (which may replace the heap): take it, use it, drop it.
 */
export function nativeHeapRows(t: tf.Tensor2D, row: number, rows: number, what: string): { heap: Uint8Array; offset: number } {
  const backend = heapBackend(what);
  return { heap: backend.wasm.HEAPU8, offset: rowOffset(backend, t, row, rows, what) };
}

/**
 * Copies rows `[srcRow, srcRow + rows)` of `src` into rows `[dstRow, dstRow + rows)` of `dst`
 * (float32 wasm tensors with the same column count) in place: a memcpy on the heap, no kernel.
 * For tensors made by {@link nativeEmpty} that nothing else shares yet.
 */
export function nativeCopyRows(dst: tf.Tensor2D, dstRow: number, src: tf.Tensor2D, srcRow: number, rows: number): void {
  const what = 'nativeCopyRows';
  const backend = heapBackend(what);
  if (dst.shape[1] !== src.shape[1]) throw new Error(`${what}: dst [${dst.shape.join(', ')}] and src [${src.shape.join(', ')}] differ in columns`);
  const to = rowOffset(backend, dst, dstRow, rows, what);
  const from = rowOffset(backend, src, srcRow, rows, what);
  backend.wasm.HEAPU8.copyWithin(to, from, from + 4 * rows * src.shape[1]);
}

/** Writes `data` (whole rows) into `dst` from row `row` on, in place (see {@link nativeCopyRows}). */
export function nativeWriteRows(dst: tf.Tensor2D, row: number, data: Float32Array): void {
  const what = 'nativeWriteRows';
  const backend = heapBackend(what);
  const K = dst.shape[1];
  if (data.length % K !== 0) throw new Error(`${what}: ${data.length} values are not whole rows of ${K}`);
  const off = rowOffset(backend, dst, row, data.length / K, what);
  new Float32Array(backend.wasm.HEAPU8.buffer, backend.wasm.HEAPU8.byteOffset + off, data.length).set(data);
}

/** A copy of rows `[row, row + rows)` of `src` as a plain array (no kernel, no tensor). */
export function nativeReadRows(src: tf.Tensor2D, row: number, rows: number): Float32Array {
  const what = 'nativeReadRows';
  const backend = heapBackend(what);
  const off = rowOffset(backend, src, row, rows, what);
  return new Float32Array(backend.wasm.HEAPU8.buffer.slice(backend.wasm.HEAPU8.byteOffset + off, backend.wasm.HEAPU8.byteOffset + off + 4 * rows * src.shape[1]));
}

/**
 * A Float32Array view of rows `[row, row + rows)` of a float32 `[*, K]` wasm tensor, for
 * elementwise work in JS without copies. Valid only until the next wasm allocation (which may
 * replace the heap's buffer): take it, use it, drop it.
 */
export function nativeRowsView(t: tf.Tensor2D, row: number, rows: number): Float32Array {
  const what = 'nativeRowsView';
  const backend = heapBackend(what);
  const off = rowOffset(backend, t, row, rows, what);
  return new Float32Array(backend.wasm.HEAPU8.buffer, backend.wasm.HEAPU8.byteOffset + off, rows * t.shape[1]);
}

/** Whether rows of `src` from `row` on hold exactly `data` (whole rows; bit patterns compared, so -0 != 0 and NaN == NaN). */
export function nativeRowsEqual(src: tf.Tensor2D, row: number, data: Float32Array): boolean {
  const what = 'nativeRowsEqual';
  const backend = heapBackend(what);
  const K = src.shape[1];
  if (data.length % K !== 0) return false;
  if (row < 0 || row + data.length / K > src.shape[0]) return false;
  const off = rowOffset(backend, src, row, data.length / K, what);
  // A memcmp: a JS loop over a view of the whole wasm memory runs ~50x slower.
  const heap = Buffer.from(backend.wasm.HEAPU8.buffer, backend.wasm.HEAPU8.byteOffset + off, 4 * data.length);
  return heap.equals(Buffer.from(data.buffer, data.byteOffset, 4 * data.length));
}

/** A block of a float32 `[rows, cols]` wasm tensor: rows from `row`, columns `[col, col + cols)`. */
export interface MatBlock {
  t: tf.Tensor2D;
  /** First row (default 0). */
  row?: number;
  /** First column (default 0). */
  col?: number;
  /** Columns used (default: the rest from `col`). */
  cols?: number;
}

/** Byte offset, row stride and column count of a block whose `rows` rows must fit. */
function blockOf(backend: WasmHeapBackend, b: MatBlock, rows: number, what: string): { off: number; ld: number; cols: number } {
  const { t, row = 0, col = 0 } = b;
  const ld = t.shape[1];
  const cols = b.cols ?? ld - col;
  if (t.dtype !== 'float32' || t.rank !== 2 || ![row, col, cols, rows].every((v) => Number.isInteger(v) && v >= 0) || row + rows > t.shape[0] || col + cols > ld) {
    throw new Error(`${what}: block rows ${row}+${rows}, columns ${col}+${cols} do not fit ${t.dtype} [${t.shape.join(', ')}]`);
  }
  return { off: offsetOf(backend, t) + 4 * (row * ld + col), ld, cols };
}

/**
 * `a^T b` over `rows` rows of two blocks, as a new `[aCols, bCols]` tensor: the weight gradient
 * `x^T dz` of a dense layer straight from row and column blocks (no Slice, no Transpose).
 */
export function nativeMatMulTN(a: MatBlock, b: MatBlock, rows: number): tf.Tensor2D {
  const what = 'nativeMatMulTN';
  const addon = denseAddon();
  if (addon === null) throw new Error(`${what}: the native addon with the dense kernels is not available`);
  const backend = heapBackend(what);
  const A = blockOf(backend, a, rows, what), B = blockOf(backend, b, rows, what);
  const out = nativeEmpty(A.cols, B.cols);
  // Offsets after the allocation (it may grow the heap; offsets stay valid, the view does not).
  addon.sgemm(true, false, A.cols, B.cols, rows, 1, backend.wasm.HEAPU8, A.off, A.ld, backend.wasm.HEAPU8, B.off, B.ld,
    0, backend.wasm.HEAPU8, offsetOf(backend, out), B.cols);
  return out;
}

/**
 * Column sums of `rows` rows of a block as a new `[bCols]` tensor (a bias gradient), as the GEMM
 * `1^T b`; `ones` is a float32 tensor of at least `rows` ones (any shape).
 */
export function nativeColSum(ones: tf.Tensor, b: MatBlock, rows: number): tf.Tensor1D {
  const what = 'nativeColSum';
  const addon = denseAddon();
  if (addon === null) throw new Error(`${what}: the native addon with the dense kernels is not available`);
  if (ones.dtype !== 'float32' || ones.size < rows) throw new Error(`${what}: needs at least ${rows} float32 ones, got ${ones.dtype} [${ones.shape.join(', ')}]`);
  const backend = heapBackend(what);
  const B = blockOf(backend, b, rows, what);
  const out = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([B.cols], 'float32')) as tf.Tensor1D;
  addon.sgemm(false, false, 1, B.cols, rows, 1, backend.wasm.HEAPU8, offsetOf(backend, ones), rows, backend.wasm.HEAPU8, B.off, B.ld,
    0, backend.wasm.HEAPU8, offsetOf(backend, out), B.cols);
  return out;
}

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

/** One product of {@link nativeLinear}: `x · W[rowStart : rowStart + K]`, K = x's columns. */
export interface LinearTerm {
  x: tf.Tensor2D;
  w: tf.Tensor2D;
  /** First row of `w` used (default 0). */
  rowStart?: number;
}

/** Activations {@link nativeLinear} applies. */
export type DenseActivation = 'linear' | 'relu' | 'tanh';

const ACTIVATION_CODE: Record<DenseActivation, 0 | 1 | 2> = { linear: 0, relu: 1, tanh: 2 };

type DenseAddon = NativeAddon & Required<Pick<NativeAddon, 'biasActivation'>>;

function denseAddon(): DenseAddon | null {
  const addon = loadNativeAddon();
  return addon !== null && typeof addon.biasActivation === 'function' ? (addon as DenseAddon) : null;
}

/** Whether {@link nativeLinear} can run now: the active backend is wasm and the addon has it. */
export function nativeDenseAvailable(): boolean {
  return tf.getBackend() === 'wasm' && denseAddon() !== null;
}

function offsetOf(backend: WasmHeapBackend, t: tf.Tensor): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error('nativeLinear: tensor data not found on the wasm backend');
  return data.memoryOffset;
}

/**
 * `activation(sum_i terms[i].x · terms[i].w[rows] + bias)` as a new [M, N] tensor. Every x has M
 * rows; every w has N columns and at least rowStart + K rows. Throws one line on a shape or dtype
 * mismatch, on a non-wasm backend, or when the addon lacks the kernel.
 */
export function nativeLinear(terms: LinearTerm[], bias: tf.Tensor1D | null, activation: DenseActivation): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') throw new Error(`nativeLinear: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  const addon = denseAddon();
  if (addon === null) throw new Error('nativeLinear: the native addon with biasActivation is not available (GLIMPSE_NATIVE=0, not built, or an older build)');
  if (terms.length === 0) throw new Error('nativeLinear: needs at least one term');
  if (!(activation in ACTIVATION_CODE)) throw new Error(`nativeLinear: activation must be linear, relu or tanh, got ${JSON.stringify(activation)}`);
  const M = terms[0].x.shape[0];
  const N = terms[0].w.shape[1];
  for (const [i, { x, w, rowStart = 0 }] of terms.entries()) {
    const K = x.shape[1];
    if (x.dtype !== 'float32' || w.dtype !== 'float32' || x.rank !== 2 || w.rank !== 2 || x.shape[0] !== M || w.shape[1] !== N
      || !Number.isInteger(rowStart) || rowStart < 0 || rowStart + K > w.shape[0]) {
      throw new Error(`nativeLinear: term ${i} has x [${x.shape.join(', ')}] and w [${w.shape.join(', ')}] from row ${rowStart}; needs float32 x [${M}, K] and w [>= ${rowStart}+K, ${N}]`);
    }
  }
  if (bias !== null && (bias.dtype !== 'float32' || bias.size !== N)) throw new Error(`nativeLinear: bias has shape [${bias.shape.join(', ')}], needs [${N}]`);
  const backend = tf.backend() as unknown as WasmHeapBackend;
  const out = tf.engine().makeTensorFromTensorInfo(backend.makeOutput([M, N], 'float32')) as tf.Tensor2D;
  const heap = backend.wasm.HEAPU8; // after the allocation, which may grow (replace) the heap
  const cOff = offsetOf(backend, out);
  terms.forEach(({ x, w, rowStart = 0 }, i) => {
    const K = x.shape[1];
    addon.sgemm(false, false, M, N, K, 1, heap, offsetOf(backend, x), K, heap, offsetOf(backend, w) + 4 * rowStart * N, N, i === 0 ? 0 : 1, heap, cOff, N);
  });
  addon.biasActivation(heap, cOff, M, N, N, bias === null ? null : heap, bias === null ? 0 : offsetOf(backend, bias), ACTIVATION_CODE[activation]);
  return out;
}

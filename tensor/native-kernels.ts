/**
 * Replaces the tfjs wasm backend's `BatchMatMul` kernel with one that runs the native GEMM addon
 * (native/) directly on the wasm heap: same shapes, transposes and batch broadcasting as the
 * stock kernel, same values within float32 rounding, several times the speed (bench/matmul.ts).
 * Gradients need nothing extra: tfjs's matMul gradient is itself made of BatchMatMul calls.
 *
 * Only the wasm backend is patched; the `GLIMPSE_NATIVE` flag (tensor/flags.ts) disables it. `_FusedMatMul` is left stock:
 * nothing in this project calls `tf.fused.matMul`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, nativeAddonError, NativeAddon } from '../native/addon';

/** The parts of tfjs-backend-wasm's `BackendWasm` this kernel uses (see its BatchMatMul.js). */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const KERNEL = 'BatchMatMul';
const BACKEND = 'wasm';

let stockConfig: tf.KernelConfig | undefined;
let addon: NativeAddon | null = null;

function heapOffset(backend: WasmHeapBackend, t: tf.TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`BatchMatMul (native): tensor data not found on the wasm backend`);
  return data.memoryOffset;
}

/** Row-major strides of `shape` with broadcast (size-1 or missing) dims given stride 0. */
function broadcastStrides(shape: number[], outShape: number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1, o = outShape.length - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

/** The BatchMatMul kernel: shape logic copied from tfjs-backend-wasm's kernels/BatchMatMul.js. */
function nativeBatchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const backend = args.backend as WasmHeapBackend;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`BatchMatMul for non non-float32 tensors not yet supported.`);
  }
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const innerA = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const innerB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const M = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const N = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  const outerDimsA = a.shape.slice(0, -2);
  const outerDimsB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerDimsA);
  const batchB = tf.util.sizeFromShape(outerDimsB);
  const outerDims = tf.broadcast_util.assertAndGetBroadcastShape(outerDimsA, outerDimsB);
  const outShape = outerDims.concat([M, N]);
  tf.util.assert(innerA === innerB, () => `Error in matMul: inner shapes (${innerA}) and (` +
    `${innerB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA}` +
    ` and transposeB=${transposeB} must match.`);
  const K = innerA;
  const batch = tf.util.sizeFromShape(outerDims);

  // Allocate first: it may grow wasm memory, which replaces the heap's ArrayBuffer.
  const out = backend.makeOutput(outShape, 'float32');
  if (batch === 0 || M === 0 || N === 0) return out;
  const heap = backend.wasm.HEAPU8;
  const aOff = heapOffset(backend, a);
  const bOff = heapOffset(backend, b);
  const cOff = heapOffset(backend, out);
  const lda = transposeA ? M : K;
  const ldb = transposeB ? K : N;
  const sizeA = M * K, sizeB = K * N, sizeC = M * N;
  const native = addon as NativeAddon;

  if ((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1)) {
    // Equal batches or one side broadcast whole: one call with stride 0 on the broadcast side.
    native.sgemmBatched(transposeA, transposeB, M, N, K, 1,
      heap, aOff, lda, batchA === 1 ? 0 : sizeA,
      heap, bOff, ldb, batchB === 1 ? 0 : sizeB,
      0, heap, cOff, N, sizeC, batch);
    return out;
  }
  // Dims broadcast on both sides (e.g. [2,1] with [1,3]): one call per output matrix.
  const stridesA = broadcastStrides(outerDimsA, outerDims);
  const stridesB = broadcastStrides(outerDimsB, outerDims);
  for (let i = 0; i < batch; i++) {
    let rest = i, ia = 0, ib = 0;
    for (let d = outerDims.length - 1; d >= 0; d--) {
      const coord = rest % outerDims[d];
      rest = Math.floor(rest / outerDims[d]);
      ia += coord * stridesA[d];
      ib += coord * stridesB[d];
    }
    native.sgemm(transposeA, transposeB, M, N, K, 1,
      heap, aOff + 4 * ia * sizeA, lda, heap, bOff + 4 * ib * sizeB, ldb,
      0, heap, cOff + 4 * i * sizeC, N);
  }
  return out;
}

function registeredIsNative(): boolean {
  return tf.getKernel(KERNEL, BACKEND)?.kernelFunc === (nativeBatchMatMul as unknown as tf.KernelFunc);
}

/**
 * Makes the wasm backend run `BatchMatMul` (every `tf.matMul`, forward and in gradients) on the
 * native addon. Returns true when the native kernel is in place, false (changing nothing) when
 * the native addon is disabled or not built, or the active backend is not 'wasm'. Idempotent.
 */
export function registerNativeKernels(): boolean {
  if (tf.getBackend() !== BACKEND) return false;
  addon = loadNativeAddon();
  if (addon === null) return false;
  if (registeredIsNative()) return true;
  const current = tf.getKernel(KERNEL, BACKEND);
  if (current === undefined) return false;
  stockConfig = current;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: nativeBatchMatMul as unknown as tf.KernelFunc });
  return true;
}

/** Puts the stock wasm `BatchMatMul` back (for side-by-side comparisons). Idempotent. */
export function unregisterNativeKernels(): void {
  if (!registeredIsNative() || stockConfig === undefined) return;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel(stockConfig);
}

/** Whether the native `BatchMatMul` is the registered wasm kernel right now. */
export function nativeKernelsActive(): boolean {
  return registeredIsNative();
}

/** Why native kernels are unavailable (one line), or null when the addon loads. */
export function nativeKernelsUnavailableReason(): string | null {
  return loadNativeAddon() === null ? nativeAddonError() : null;
}

/**
 * Adam's per-variable update and the squared gradient norm on the native addon, run directly on
 * the tfjs wasm backend's heap: one pass per variable instead of ~10 tfjs kernels (each a heap
 * pass and an allocation). Bit-identical to tfjs's AdamOptimizer kernels (same float32
 * operations in the same order). The moments are updated in place; the variable gets a new
 * buffer (one allocation) because wasm kernels cache data derived from a tensor by its id (the
 * stock BatchMatMul keeps XNNPACK-packed weights until the tensor is disposed): an in-place write
 * to a weight would leave such a cache stale.
 *
 * Only for the wasm backend; the `GLIMPSE_NATIVE` flag off, a missing build, or a build older than the
 * fused Adam make {@link nativeAdamAvailable} false and callers use tfjs kernels instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeAddon, nativeAddonError, type NativeAddon } from '../native/addon';

/** The parts of tfjs-backend-wasm's `BackendWasm` used here. */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  refCount(dataId: tf.DataId): number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The constants of one Adam step (see `NativeAddon.adamUpdate`); all are rounded to float32 there. */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** 1 - beta1^t as the float32 product tfjs keeps. */
  biasCorrection1: number;
  /** 1 - beta2^t as the float32 product tfjs keeps. */
  biasCorrection2: number;
  /** Minus the learning rate. */
  negLr: number;
  epsilon: number;
  /** Factor applied to the gradient first (gradient clipping); 1 for none. */
  gradScale: number;
}

type AdamAddon = Required<Pick<NativeAddon, 'adamUpdate' | 'sumSquares'>>;

function adamAddon(): AdamAddon | null {
  const addon = loadNativeAddon();
  if (addon === null || typeof addon.adamUpdate !== 'function' || typeof addon.sumSquares !== 'function') return null;
  return addon as AdamAddon;
}

/** Whether {@link nativeAdamUpdate} can run now: the active backend is wasm and the addon has it. */
export function nativeAdamAvailable(): boolean {
  return tf.getBackend() === 'wasm' && adamAddon() !== null;
}

/** Why {@link nativeAdamAvailable} is false (one line), or null when it is true. */
export function nativeAdamUnavailableReason(): string | null {
  if (tf.getBackend() !== 'wasm') return `backend is '${tf.getBackend()}', not wasm`;
  const addon = loadNativeAddon();
  if (addon === null) return nativeAddonError() ?? 'native addon not built';
  return adamAddon() === null ? 'the built addon predates adamUpdate; rebuild with `node scripts/build-native.js`' : null;
}

function wasmBackend(what: string): WasmHeapBackend {
  if (tf.getBackend() !== 'wasm') throw new Error(`${what}: needs the wasm backend, the active one is '${tf.getBackend()}'`);
  return tf.backend() as unknown as WasmHeapBackend;
}

function requireAddon(what: string): AdamAddon {
  const addon = adamAddon();
  if (addon === null) throw new Error(`${what}: native Adam unavailable (${nativeAdamUnavailableReason()})`);
  return addon;
}

function offsetOf(backend: WasmHeapBackend, t: tf.Tensor, what: string): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data === undefined) throw new Error(`${what}: tensor data not found on the wasm backend`);
  return data.memoryOffset;
}

/**
 * Gives `v` a buffer of its own when another tensor shares its data (tf.clone, a variable built
 * from a still-live tensor): the in-place update of a moment must not change other tensors.
 */
function ownBuffer(backend: WasmHeapBackend, v: tf.Variable): void {
  if (backend.refCount(v.dataId) <= 1) return;
  const info = backend.makeOutput([...v.shape], 'float32');
  const heap = backend.wasm.HEAPU8; // read after the allocation, which may grow the heap
  const from = offsetOf(backend, v, 'nativeAdamUpdate');
  heap.copyWithin(backend.dataIdMap.get(info.dataId)!.memoryOffset, from, from + 4 * v.size);
  const copy = tf.engine().makeTensorFromTensorInfo(info);
  v.assign(copy);
  copy.dispose();
}

/**
 * One Adam step of `variable` from `grad`, with the moments `m` and `v` updated in place (float32
 * wasm tensors of one shape); the variable is assigned a new buffer. Throws one line when the
 * backend is not wasm, the addon lacks the kernel, or a shape or dtype differs.
 */
export function nativeAdamUpdate(variable: tf.Variable, grad: tf.Tensor, m: tf.Variable, v: tf.Variable, c: AdamConstants): void {
  const what = 'nativeAdamUpdate';
  const backend = wasmBackend(what);
  const addon = requireAddon(what);
  for (const [name, t] of [['grad', grad], ['m', m], ['v', v]] as const) {
    if (t.dtype !== 'float32' || variable.dtype !== 'float32' || t.shape.join() !== variable.shape.join()) {
      throw new Error(`${what}: ${name} is ${t.dtype} [${t.shape.join(', ')}], variable ${variable.name} is ${variable.dtype} [${variable.shape.join(', ')}]; both must be float32 of one shape`);
    }
  }
  ownBuffer(backend, m);
  ownBuffer(backend, v);
  const out = backend.makeOutput([...variable.shape], 'float32'); // may grow the heap: offsets after
  const updated = tf.engine().makeTensorFromTensorInfo(out);
  try {
    addon.adamUpdate(backend.wasm.HEAPU8,
      offsetOf(backend, variable, what), offsetOf(backend, grad, what), offsetOf(backend, m, what), offsetOf(backend, v, what),
      offsetOf(backend, updated, what), variable.size, c.beta1, c.beta2, c.oneMinusBeta1, c.oneMinusBeta2,
      c.biasCorrection1, c.biasCorrection2, c.negLr, c.epsilon, c.gradScale);
    variable.assign(updated);
  } finally {
    updated.dispose();
  }
}

/** Sum over `tensors` (float32, wasm) of the squares of their values, accumulated in double. */
export function nativeSumSquares(tensors: tf.Tensor[]): number {
  const what = 'nativeSumSquares';
  const backend = wasmBackend(what);
  const addon = requireAddon(what);
  const heap = backend.wasm.HEAPU8;
  let sum = 0;
  for (const t of tensors) {
    if (t.dtype !== 'float32') throw new Error(`${what}: tensor is ${t.dtype}; only float32 is allowed`);
    sum += addon.sumSquares(heap, offsetOf(backend, t, what), t.size);
  }
  return sum;
}

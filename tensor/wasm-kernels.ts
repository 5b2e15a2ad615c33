/**
 * Two tfjs wasm kernels that copy far more than they need to, replaced (no native addon needed):
 *
 * - `Identity` (every `tf.clone`, and so every tensor a gradient tape saves: tfjs clones each
 *   saved input, and `customGrad`'s `save` clones its list) copies the whole buffer on wasm. The
 *   replacement shares it, reference-counted, as the wasm `Reshape` and the cpu backend's
 *   `Identity` already do. tfjs kernels never write into their inputs; this project's in-place
 *   writers (tensor/native-dense.ts `nativeLinearInto` & co., on buffers fresh from `nativeEmpty`
 *   that nothing has cloned yet; tensor/native-adam.ts, which gives a shared moment a buffer of
 *   its own first) do not write into a buffer once it is shared.
 * - `Slice` reads the WHOLE input into a JS copy before taking the slice; the replacement copies
 *   only the rows asked for, inside the heap (`copyWithin`), for float32/int32 slices of rank 1
 *   and 2, and hands anything else to the stock kernel.
 *
 * Both give the same values as the stock kernels (test/wasm-kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's `BackendWasm` used here. */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: tf.DataId): void;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap };

const BACKEND = 'wasm';
const stock = new Map<string, tf.KernelConfig>();

function identity(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  if (x.dtype === 'string') return (stock.get('Identity')!.kernelFunc as (a: KernelArgs) => tf.TensorInfo)(args);
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function slice(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const backend = args.backend as WasmBackend;
  const rank = x.shape.length;
  if ((x.dtype !== 'float32' && x.dtype !== 'int32') || rank < 1 || rank > 2) {
    return (stock.get('Slice')!.kernelFunc as (a: KernelArgs) => tf.TensorInfo)(args);
  }
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, args.attrs!.begin as number[], args.attrs!.size as number[]);
  // Allocate first: it may grow wasm memory, which replaces the heap's ArrayBuffer.
  const out = backend.makeOutput(size, x.dtype);
  const n = tf.util.sizeFromShape(size);
  if (n === 0) return out;
  const heap = backend.wasm.HEAPU8;
  const from = backend.dataIdMap.get(x.dataId)!.memoryOffset;
  const to = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  const cols = rank === 2 ? x.shape[1] : 1;
  if (rank === 1 || size[1] === cols) {
    // Whole rows: one contiguous block.
    const start = from + 4 * (begin[0] * cols + (rank === 2 ? begin[1] : 0));
    heap.copyWithin(to, start, start + 4 * n);
    return out;
  }
  for (let r = 0; r < size[0]; r++) {
    const start = from + 4 * ((begin[0] + r) * cols + begin[1]);
    heap.copyWithin(to + 4 * r * size[1], start, start + 4 * size[1]);
  }
  return out;
}

const REPLACEMENTS: Record<string, (args: KernelArgs) => tf.TensorInfo> = { Identity: identity, Slice: slice };

function isRegistered(name: string): boolean {
  return tf.getKernel(name, BACKEND)?.kernelFunc === (REPLACEMENTS[name] as unknown as tf.KernelFunc);
}

/**
 * Makes the wasm backend's `Identity` share buffers and its `Slice` copy only the slice (see
 * module doc). Returns false (changing nothing) when the active backend is not wasm. Idempotent.
 */
export function registerWasmKernels(): boolean {
  if (tf.getBackend() !== BACKEND) return false;
  for (const name of Object.keys(REPLACEMENTS)) {
    if (isRegistered(name)) continue;
    const current = tf.getKernel(name, BACKEND);
    if (current === undefined) return false;
    stock.set(name, current);
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel({ kernelName: name, backendName: BACKEND, kernelFunc: REPLACEMENTS[name] as unknown as tf.KernelFunc });
  }
  return true;
}

/** Puts the stock wasm kernels back (for side-by-side comparisons). Idempotent. */
export function unregisterWasmKernels(): void {
  for (const name of Object.keys(REPLACEMENTS)) {
    const config = stock.get(name);
    if (!isRegistered(name) || config === undefined) continue;
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(config);
  }
}

/** Whether both replacements are the registered wasm kernels right now. */
export function wasmKernelsActive(): boolean {
  return Object.keys(REPLACEMENTS).every(isRegistered);
}

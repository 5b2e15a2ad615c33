/**
 * Everything this project changes in the tfjs engine, in one list, applied by `initBackend`
 * (runners/backend.ts) and nowhere else: importing the package, or building an agent or an
 * algorithm, patches nothing. Each entry says what it replaces and why; each has its own module
 * and tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gradientsRegistered, registerFastGradients } from './ops';
import { registerNativeKernels } from './native-kernels';
import { registerWasmKernels } from './wasm-kernels';

/** One change to the engine. */
export interface EnginePatch {
  /** Short name, as {@link applyEnginePatches} reports it. */
  name: string;
  /** Backends it applies to (`all`: any). */
  backends: 'all' | readonly string[];
  /** What it replaces and why. */
  what: string;
  /** Applies it (idempotent); false when it cannot apply here (no addon, other backend). */
  apply: () => boolean;
}

/** The patches, in the order they are applied. */
export const ENGINE_PATCHES: readonly EnginePatch[] = [
  {
    name: 'gradients',
    backends: 'all',
    what: "registers the gradients tfjs-core's Node build lacks (tensor/gradients.ts) and replaces the BatchMatMul gradient by one with explicit transposes (tensor/ops.ts; transposed matMuls are ~12x slower on wasm)",
    apply: () => {
      registerFastGradients();
      return true;
    },
  },
  {
    name: 'native-gemm',
    backends: ['wasm'],
    what: 'wasm BatchMatMul runs on the native GEMM addon (tensor/native-kernels.ts), when it is built and the GLIMPSE_NATIVE flag is on',
    apply: registerNativeKernels,
  },
  {
    name: 'wasm-copies',
    backends: ['wasm'],
    what: 'wasm Identity shares its buffer and Slice copies only the slice (tensor/wasm-kernels.ts)',
    apply: registerWasmKernels,
  },
];

/** Applies every patch of {@link ENGINE_PATCHES} that fits the active backend; returns the names applied. */
export function applyEnginePatches(): string[] {
  const backend = tf.getBackend();
  return ENGINE_PATCHES.filter((p) => (p.backends === 'all' || p.backends.includes(backend)) && p.apply()).map((p) => p.name);
}

/**
 * Throws one line when the patches were not applied (no `initBackend` yet): tfjs-core's Node
 * build has no gradients at all, and its own message ("gradient function not found") does not
 * say what to do. `who` prefixes the message.
 */
export function assertEnginePatched(who: string): void {
  if (!gradientsRegistered()) {
    throw new Error(`${who}: the tensor engine is not set up; call initBackend() (from 'glimpse-gym') before training`);
  }
}

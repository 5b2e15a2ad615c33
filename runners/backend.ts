/**
 * Tensor backend set-up: {@link initBackend} chooses the backend (the policy and its reasons are
 * in `backend-choice.ts`, the probing in `backend-probe.ts`) and registers our kernels and
 * gradients on it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './config';
import { nativeKernelsActive } from '../tensor/native-kernels';
import { applyEnginePatches } from '../tensor/engine-patches';
import { realProbes, selectBackend, type BackendProbes, type BackendSelection } from './backend-probe';

export { BackendError } from './backend-choice';

let selection: BackendSelection | null = null;

/** The backend chosen by the last {@link initBackend} and why (null before the first call). */
export function backendSelection(): BackendSelection | null {
  return selection;
}

/**
 * Initialises the tensor backend and returns its name (`tensorflow`, `wasm` or `cpu`); the choice
 * and its reason are then in {@link backendSelection}. `auto` takes `tensorflow` only on a GPU,
 * else wasm (+ native GEMM), else cpu. A backend that cannot be used is a {@link BackendError}.
 * `probes` replaces how packages are found and loaded (tests, `rl-run list --backends`).
 */
export async function initBackend(name: BackendName | string, probes: BackendProbes = realProbes()): Promise<string> {
  selection = await selectBackend(name, probes);
  const used = selection.choice.backend;
  // The one place the engine is patched: gradients, and on wasm the native GEMM and the copy-free
  // Identity / Slice (the list and the reasons: tensor/engine-patches.ts).
  applyEnginePatches();
  return used;
}

/** One line describing the engine in use, e.g. `wasm + native GEMM`, for logs and benchmarks. */
export function describeBackend(): string {
  const name = tf.getBackend();
  if (name === 'tensorflow' && selection?.choice.backend === 'tensorflow') return selection.choice.label;
  return name === 'wasm' && nativeKernelsActive() ? 'wasm + native GEMM' : name;
}

/** Why the backend in use was chosen, in one line (empty before {@link initBackend}). */
export function backendReason(): string {
  return selection?.choice.reason ?? '';
}

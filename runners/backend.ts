/**
 * Tensor backend selection. `auto` tries the native bindings (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, optional dependencies that may not be installed), then wasm, then the
 * pure-JS cpu backend, and returns the name of the backend in use.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './config';
import { nativeKernelsActive } from '../tensor/native-kernels';
import { applyEnginePatches } from '../tensor/engine-patches';

/** A backend that was asked for by name and cannot run here; `exitCode` 2. */
export class BackendError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

function tryRequire(name: string): boolean {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` and removes the process-level handlers it installed. The wasm module registers
 * `uncaughtException`/`unhandledRejection` handlers that rethrow and print its whole JS source;
 * our CLI reports errors itself.
 */
async function withoutNewProcessHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listeners = (e: string) => process.listeners(e as 'uncaughtException') as unknown[];
  const before = events.map((e) => new Set(listeners(e)));
  try {
    return await fn();
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i].has(l)) process.removeListener(e, l as (...a: unknown[]) => void);
    });
  }
}

async function use(name: string): Promise<boolean> {
  try {
    return await withoutNewProcessHandlers(async () => {
      const ok = await tf.setBackend(name);
      await tf.ready();
      return ok && tf.getBackend() === name;
    });
  } catch {
    return false;
  }
}

async function useNative(): Promise<boolean> {
  // Either package registers the `tensorflow` backend with tfjs-core when it loads.
  if (!tryRequire('@tensorflow/tfjs-node-gpu') && !tryRequire('@tensorflow/tfjs-node')) return false;
  return use('tensorflow');
}

async function useWasm(): Promise<boolean> {
  if (!tryRequire('@tensorflow/tfjs-backend-wasm')) return false;
  return use('wasm');
}

async function useCpu(): Promise<boolean> {
  if (!tryRequire('@tensorflow/tfjs-backend-cpu')) return false;
  if (!(await use('cpu'))) return false;
  // The cpu backend prints a multi-line "install tfjs-node" banner on first write; we already say
  // which backend runs, so mark it as used.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return true;
}

/**
 * Initialises the tensor backend and returns its name. A named backend that cannot be used is a
 * {@link BackendError}; `auto` falls back in the order native, wasm, cpu.
 */
export async function initBackend(name: BackendName | string): Promise<string> {
  const used = await selectBackend(name);
  // The one place the engine is patched: gradients, and on wasm the native GEMM and the copy-free
  // Identity / Slice (the list and the reasons: tensor/engine-patches.ts).
  applyEnginePatches();
  return used;
}

/** One line describing the engine in use, e.g. `wasm + native GEMM`, for logs and benchmarks. */
export function describeBackend(): string {
  const name = tf.getBackend();
  return name === 'wasm' && nativeKernelsActive() ? 'wasm + native GEMM' : name;
}

async function selectBackend(name: BackendName | string): Promise<string> {
  switch (name) {
    case 'tensorflow':
      if (await useNative()) return 'tensorflow';
      throw new BackendError(`backend 'tensorflow' needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, and neither loads here; use --backend wasm or cpu`);
    case 'wasm':
      if (await useWasm()) return 'wasm';
      throw new BackendError(`backend 'wasm' failed to initialise (@tensorflow/tfjs-backend-wasm); use --backend cpu`);
    case 'cpu':
      if (await useCpu()) return 'cpu';
      throw new BackendError(`backend 'cpu' failed to initialise (@tensorflow/tfjs-backend-cpu)`);
    case 'auto':
      if (await useNative()) return 'tensorflow';
      if (await useWasm()) return 'wasm';
      if (await useCpu()) return 'cpu';
      throw new BackendError('no tensor backend could be initialised (tried tensorflow, wasm, cpu)');
    default:
      throw new BackendError(`unknown backend '${name}'; allowed: auto, tensorflow, wasm, cpu`);
  }
}

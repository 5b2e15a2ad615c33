/**
 * An optional capability an `Env` (or a `VectorEnv`) may offer: the bytes of the buffers it holds
 * while it runs (images, canvases, tables), computed from its sizes rather than from what it has
 * allocated so far. Runners read it from a one-env probe to bound a run's memory before they build
 * hundreds of envs; envs without it are estimated from their observation size.
 */

/** An env that can tell the bytes its buffers take. */
export interface MemoryFootprint {
  /** Bytes of the buffers this env holds during an episode (excluding data shared between envs). */
  footprintBytes(): number;
}

/** True when `env` offers {@link MemoryFootprint}. */
export function hasMemoryFootprint(env: object): env is MemoryFootprint {
  return typeof (env as Partial<MemoryFootprint>).footprintBytes === 'function';
}

/**
 * The batching rule of `VectorEnv` (see vector-env.ts), as code: a `Dict` batches to one typed
 * array per key, a `Box` of size D to a `Float32Array(n * D)`, a `Discrete` to an `Int32Array(n)`;
 * a non-`Dict` space batches under the single key `value`.
 */
import type { Space } from './spaces';
import { Box, Dict, Discrete } from './spaces';
import type { Batch } from './vector-env';

/** One typed array of a batch. */
export interface BatchField {
  /** Key in the {@link Batch}. */
  key: string;
  /** Float32 for `Box`, Int32 for `Discrete`. */
  kind: 'box' | 'discrete';
  /** Numbers per sub-env (Box: prod(shape); Discrete: 1). */
  size: number;
}

/** Key under which a non-`Dict` space is batched. */
export const SINGLE_KEY = 'value';

function leaf(space: Space, key: string, where: string): BatchField {
  if (space instanceof Box) return { key, kind: 'box', size: space.size };
  if (space instanceof Discrete) return { key, kind: 'discrete', size: 1 };
  throw new TypeError(`batching: ${where} is a '${space.kind}' space; only Box and Discrete can be batched (a Dict only at the top level)`);
}

/** The batch fields of `space`, in key order. */
export function batchLayout(space: Space): BatchField[] {
  if (space instanceof Dict) return Object.keys(space.spaces).map((k) => leaf(space.spaces[k], k, `Dict key '${k}'`));
  return [leaf(space, SINGLE_KEY, 'the space')];
}

/** Fresh zeroed arrays for `n` sub-envs. */
export function allocateBatch(layout: readonly BatchField[], n: number): Batch {
  const out: Batch = {};
  for (const f of layout) out[f.key] = f.kind === 'box' ? new Float32Array(n * f.size) : new Int32Array(n);
  return out;
}

/** Throws a one-line error unless `batch` has exactly the layout's keys, types and lengths for `n` sub-envs. */
export function checkBatch(layout: readonly BatchField[], batch: Batch, n: number, what: string): void {
  if (typeof batch !== 'object' || batch === null) throw new TypeError(`${what}: expected an object of typed arrays, got ${String(batch)}`);
  const keys = Object.keys(batch);
  for (const k of keys) {
    if (!layout.some((f) => f.key === k)) throw new RangeError(`${what}: unknown key '${k}', expected ${layout.map((f) => f.key).join(', ')}`);
  }
  for (const f of layout) {
    const a = batch[f.key];
    const type = f.kind === 'box' ? 'Float32Array' : 'Int32Array';
    if (!(f.kind === 'box' ? a instanceof Float32Array : a instanceof Int32Array)) {
      throw new TypeError(`${what}: '${f.key}' must be an ${type}, got ${a === undefined ? 'nothing' : (a as object).constructor?.name ?? typeof a}`);
    }
    if (a.length !== n * f.size) throw new RangeError(`${what}: '${f.key}' has ${a.length} values, ${n} envs need ${n * f.size}`);
  }
}

/** Copies one sub-env value (an observation) into row `i` of `batch`. */
export function writeRow(space: Space, layout: readonly BatchField[], value: unknown, batch: Batch, i: number): void {
  const isDict = space instanceof Dict;
  for (const f of layout) {
    const v = isDict ? (value as Record<string, unknown>)[f.key] : value;
    if (f.kind === 'box') (batch[f.key] as Float32Array).set(v as ArrayLike<number>, i * f.size);
    else (batch[f.key] as Int32Array)[i] = v as number;
  }
}

/** Row `i` of `batch` as one sub-env value (an action); Box rows are copies, not views. */
export function readRow(space: Space, layout: readonly BatchField[], batch: Batch, i: number): unknown {
  const get = (f: BatchField): unknown => (f.kind === 'box' ? (batch[f.key] as Float32Array).slice(i * f.size, (i + 1) * f.size) : batch[f.key][i]);
  if (!(space instanceof Dict)) return get(layout[0]);
  const out: Record<string, unknown> = {};
  for (const f of layout) out[f.key] = get(f);
  return out;
}

/**
 * The batched environment contract. Training works on minibatches, so a `VectorEnv` runs
 * `numEnvs` episodes side by side and exchanges batch-major typed arrays instead of objects.
 *
 * Batching rule (see `SyncVectorEnv`): a `Dict` space batches to one entry per key; a `Box` of
 * size D to a `Float32Array` of `numEnvs * D` (row i is env i); a `Discrete` to an `Int32Array`
 * of `numEnvs`. A non-`Dict` space batches under the single key `value`.
 */
import type { Info, ResetOptions } from './core';
import { assertSeed } from './rng';
import type { Space } from './spaces';

/** A batch: one typed array per key, env-major (`arr.subarray(i * D, (i + 1) * D)` is env i). */
export type Batch = Record<string, Float32Array | Int32Array>;

/**
 * Options for {@link VectorEnv.reset}, in Gymnasium's shape. `seed` is one number (sub-env i is
 * seeded `seed + i`, Gymnasium's rule) or a list of one seed per sub-env (an `undefined` entry
 * leaves that sub-env's RNG as it is, like Gymnasium's `None`). Giving several sub-envs the same
 * seed and the same options starts them from the same observation (training on replicas).
 */
export interface VectorResetOptions {
  seed?: number | ReadonlyArray<number | undefined>;
  /** The same options for every sub-env, or one entry per sub-env. */
  options?: ResetOptions['options'] | Array<ResetOptions['options']>;
}

/**
 * The seed of each of `n` sub-envs for a {@link VectorResetOptions.seed} (Gymnasium's rule, one
 * place for every VectorEnv): `undefined` -> undefined (no sub-env is reseeded); a number `s` ->
 * `[s, s + 1, ..., s + n - 1]`; a list -> itself, after checking it has `n` entries, each
 * `undefined` or a seed in [0, 2^32). Throws a RangeError naming `where` and the bad entry.
 */
export function subEnvSeeds(seed: VectorResetOptions['seed'], n: number, where: string): ReadonlyArray<number | undefined> | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed === 'number') {
    assertSeed(seed, `${where}: seed`);
    if (seed + n - 1 > 0xffffffff) throw new RangeError(`${where}: seed + ${n - 1} must be <= 4294967295, got seed ${seed}`);
    return Array.from({ length: n }, (_, i) => seed + i);
  }
  if (!Array.isArray(seed)) throw new RangeError(`${where}: seed must be an integer or a list of one seed per env, got ${String(seed)}`);
  if (seed.length !== n) throw new RangeError(`${where}: seed has ${seed.length} entries, expected one per env (${n})`);
  for (let i = 0; i < n; i++) if (seed[i] !== undefined) assertSeed(seed[i], `${where}: seed[${i}]`);
  return seed;
}

/**
 * One reset seed per sub-env from a derived `base` seed (a hash, anywhere in [0, 2^32)): sub-env i
 * gets `(base + floor(i / group)) mod 2^32`. With `group` 1 these are Gymnasium's `base + i`, but
 * they wrap where the scalar form `{seed: base}` would pass 2^32 and be refused (a hashed base
 * lands within n of 2^32 for about one batch in 2^32 / n: rare, but the scalar form would stop
 * that run with an error about a seed its user never gave, as run seed 1261805 at batch size 128
 * does at its first batch). With `group` M, each run of M consecutive sub-envs shares a seed
 * (replicas). A seed a user gives stays scalar: there, going past 2^32 is an input error.
 */
export function consecutiveSeeds(base: number, n: number, group = 1): number[] {
  return Array.from({ length: n }, (_, i) => (base + Math.floor(i / group)) >>> 0);
}

/** What {@link VectorEnv.reset} returns. */
export interface VectorResetResult {
  observations: Batch;
  infos: Info[];
}

/** What {@link VectorEnv.step} returns (one entry per sub-env). */
export interface VectorStepResult {
  observations: Batch;
  rewards: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  infos: Info[];
}

/**
 * N environments stepped as one batch. No auto-reset: callers reset when the episodes they
 * run have ended (glimpse episodes all have the same length, so a batch ends together).
 */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  /** Spec of the sub-envs, when made through the registry. */
  readonly spec?: import('./core').EnvSpec;
  /** `numItems` of the sub-envs (see `Env.numItems`), when they have one. */
  readonly numItems?: number;
  reset(options?: VectorResetOptions): VectorResetResult;
  step(actions: Batch): VectorStepResult;
  close(): void;
}

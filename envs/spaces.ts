/**
 * Observation and action spaces (Gymnasium-shaped): `Box`, `Discrete` and `Dict`.
 * Each space owns its own seedable {@link Rng} for `sample()`, so sampling never disturbs the env's
 * stream. Values: a `Box` holds a `Float32Array` of `prod(shape)` numbers (row-major), a `Discrete`
 * an integer, a `Dict` a plain object of its sub-spaces' values.
 */
import { Rng } from './rng';

/** A set of valid values of type `T`. */
export interface Space<T = unknown> {
  /** Kind tag, for serialisation and batching. */
  readonly kind: 'box' | 'discrete' | 'dict';
  /** Shape of one value; `[]` for a scalar, `null` for a `Dict` (as in Gymnasium). */
  readonly shape: readonly number[] | null;
  /** True when `x` is a valid member of the space. */
  contains(x: unknown): x is T;
  /** A uniformly random member (Box: uniform on finite bounds, normal where unbounded). */
  sample(): T;
  /** Reseeds this space's own RNG. */
  seed(seed: number): void;
  /** JSON description, e.g. for checkpoints and `rl-run list`. */
  toJSON(): Record<string, unknown>;
}

function prod(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A box of float32 values, `low <= x <= high` element-wise. */
export class Box implements Space<Float32Array> {
  readonly kind = 'box' as const;
  readonly shape: readonly number[];
  readonly size: number;
  readonly low: Float32Array;
  readonly high: Float32Array;
  private rng: Rng;

  constructor(low: number | Float32Array, high: number | Float32Array, shape: readonly number[], seed = 0) {
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`Box: shape must be positive integers, got [${shape.join(', ')}]`);
    this.shape = [...shape];
    this.size = prod(shape);
    this.low = expand(low, this.size, 'low');
    this.high = expand(high, this.size, 'high');
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || this.low[i] > this.high[i]) {
        throw new RangeError(`Box: need low <= high at index ${i}, got low=${this.low[i]} high=${this.high[i]}`);
      }
    }
    this.rng = new Rng(seed);
  }

  contains(x: unknown): x is Float32Array {
    if (!(x instanceof Float32Array) || x.length !== this.size) return false;
    for (let i = 0; i < this.size; i++) {
      const v = x[i];
      if (!(v >= this.low[i] && v <= this.high[i])) return false;
    }
    return true;
  }

  sample(): Float32Array {
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      if (Number.isFinite(lo) && Number.isFinite(hi)) out[i] = lo + (hi - lo) * this.rng.uniform();
      else if (Number.isFinite(lo)) out[i] = lo + Math.abs(this.rng.normal());
      else if (Number.isFinite(hi)) out[i] = hi - Math.abs(this.rng.normal());
      else out[i] = this.rng.normal();
      // float32 rounding may push a value just past hi; keep samples inside the space.
      if (out[i] > hi) out[i] = hi;
    }
    return out;
  }

  seed(seed: number): void {
    this.rng.seed(seed);
  }

  toJSON(): Record<string, unknown> {
    const lo = uniformValue(this.low);
    const hi = uniformValue(this.high);
    return { kind: this.kind, shape: this.shape, low: lo ?? Array.from(this.low), high: hi ?? Array.from(this.high) };
  }
}

/** Integers `start, start+1, ..., start+n-1`. */
export class Discrete implements Space<number> {
  readonly kind = 'discrete' as const;
  readonly shape: readonly number[] = [];
  private rng: Rng;

  constructor(readonly n: number, readonly start = 0, seed = 0) {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
    if (!Number.isInteger(start)) throw new RangeError(`Discrete: start must be an integer, got ${start}`);
    this.rng = new Rng(seed);
  }

  contains(x: unknown): x is number {
    return typeof x === 'number' && Number.isInteger(x) && x >= this.start && x < this.start + this.n;
  }

  sample(): number {
    return this.start + this.rng.int(this.n);
  }

  seed(seed: number): void {
    this.rng.seed(seed);
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, n: this.n, start: this.start };
  }
}

/** The value type of a record of spaces. */
export type DictValue<S extends Record<string, Space>> = { [K in keyof S]: S[K] extends Space<infer T> ? T : never };

/** A named product of spaces; its value is an object with one entry per sub-space. */
export class Dict<S extends Record<string, Space> = Record<string, Space>> implements Space<DictValue<S>> {
  readonly kind = 'dict' as const;
  readonly shape = null;
  readonly spaces: S;

  constructor(spaces: S, seed = 0) {
    if (Object.keys(spaces).length === 0) throw new RangeError('Dict: needs at least one sub-space');
    this.spaces = spaces;
    this.seed(seed);
  }

  contains(x: unknown): x is DictValue<S> {
    if (typeof x !== 'object' || x === null) return false;
    const keys = Object.keys(this.spaces);
    if (Object.keys(x).length !== keys.length) return false;
    return keys.every((k) => k in x && this.spaces[k].contains((x as Record<string, unknown>)[k]));
  }

  sample(): DictValue<S> {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(this.spaces)) out[k] = this.spaces[k].sample();
    return out as DictValue<S>;
  }

  /** Seeds each sub-space with a seed derived from `seed`, in key order. */
  seed(seed: number): void {
    const rng = new Rng(seed);
    for (const k of Object.keys(this.spaces)) this.spaces[k].seed(rng.nextSeed());
  }

  toJSON(): Record<string, unknown> {
    const spaces: Record<string, unknown> = {};
    for (const k of Object.keys(this.spaces)) spaces[k] = this.spaces[k].toJSON();
    return { kind: this.kind, spaces };
  }
}

function expand(v: number | Float32Array, size: number, name: string): Float32Array {
  if (typeof v === 'number') return new Float32Array(size).fill(v);
  if (v.length !== size) throw new RangeError(`Box: ${name} has ${v.length} values, shape needs ${size}`);
  return Float32Array.from(v);
}

function uniformValue(a: Float32Array): number | null {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return null;
  return a.length ? a[0] : null;
}

/**
 * The project's one seedable pseudo-random generator (xoshiro128**, seeded by splitmix32).
 *
 * Everything random in envs, agents, algorithms and runners draws from an {@link Rng}, never from
 * `Math.random`, so the same seed gives the same episodes and metrics. The full state (including a
 * cached Gaussian spare) is exported by {@link Rng.getState} so checkpoints resume the exact stream.
 */
export interface RngState {
  /** Four 32-bit words of xoshiro128** state. */
  s: [number, number, number, number];
  /** Cached second Box-Muller normal, or null. */
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Checks that `seed` is a finite integer usable as a seed; throws a one-line error otherwise. */
export function assertSeed(seed: unknown, what = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`${what} must be an integer in [0, 4294967295], got ${String(seed)}`);
  }
}

/** Seedable PRNG with uniform, integer, normal and shuffle draws. */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Re-seeds the generator (same seed, same stream). */
  seed(seed: number): void {
    assertSeed(seed);
    const sm = splitmix32(seed);
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniformRange(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). Unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`Rng.int: n must be a positive integer <= 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal draw (Box-Muller, the second value cached in the state). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with standard normal draws and returns it. */
  fillNormal(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** A fresh 32-bit seed drawn from this stream (for seeding children, e.g. spaces or sub-envs). */
  nextSeed(): number {
    return this.nextUint32();
  }

  /** Serialisable snapshot of the full state. */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  /** Restores a snapshot taken by {@link getState}; throws one line for a state {@link rngStateProblem} refuses. */
  setState(state: RngState): void {
    const problem = rngStateProblem(state);
    if (problem) throw new Error(`invalid RNG state: ${problem}`);
    [this.s0, this.s1, this.s2, this.s3] = state.s;
    this.spare = state.spare ?? null;
  }
}

/**
 * Why `state` is not a state {@link Rng.getState} can produce, or null when it is: four uint32
 * words, not all zero (xoshiro's all-zero state is a fixed point: every draw is 0, and rejection
 * loops such as `int` or `normal` would never end), and a cached normal that is a finite number or null.
 */
export function rngStateProblem(state: unknown): string | null {
  const st = state as RngState;
  if (typeof st !== 'object' || st === null || !Array.isArray(st.s) || st.s.length !== 4 || !st.s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    return `expected {s: [4 uint32], spare}, got ${JSON.stringify(state)?.slice(0, 200)}`;
  }
  if (st.s.every((w) => w === 0)) return 'all four words are 0, a state the generator never reaches (it would only ever draw 0)';
  if (st.spare !== null && st.spare !== undefined && (typeof st.spare !== 'number' || !Number.isFinite(st.spare))) {
    return `spare must be a finite number or null, got ${JSON.stringify(st.spare)}`;
  }
  return null;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Deterministic 32-bit hash of integers, for per-item seeds such as "test image i of seed s". */
export function hashSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
  }
  return h >>> 0;
}

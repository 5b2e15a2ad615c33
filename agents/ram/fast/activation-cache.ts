/**
 * The forward activations of a sampled rollout, kept by the fast `act` so that the replay of the
 * same rollout skips its forward pass (replay.ts).
 *
 * Each act step writes its glimpses, locations and every layer's output into its row block of
 * step-major `[cap*B, .]` buffers on the wasm heap (forward.ts, {@link ForwardBuffers}): exactly
 * the tensors the replay computes in its forward and saves for its backward, by the same GEMMs, so
 * the replay's outputs and gradients are bit-identical with or without the cache
 * (test/fast-path.test.ts).
 *
 * A cache is valid for one rollout only, and only while the weights are the ones it was recorded
 * with: every optimizer step and `setWeights` gives each variable a new buffer (tfjs `assign`), so
 * the variables' `dataId`s at the start of the rollout act as the weights' version. The replay
 * uses the cache only when the rollout's records carry its token in every row, T and B match,
 * the weights are unchanged, and the rollout's glimpses and locations equal the recorded ones bit
 * for bit; anything else replays from scratch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rollout } from '../../rollout';
import { nativeCopyRows, nativeRowsEqual } from '../../../tensor/native-dense';
import type { RamWeights } from '../weights';
import { actRows, type FastActStep } from './act';
import { allocateForward, forwardWidths, type ForwardBuffers } from './forward';

/** Record key under which `act` stores the cache's token (an `Int32Array(B)`, the token in every row). */
export const ACTIVATION_CACHE_RECORD = 'actTape';

let tokens = 0;
let enabled = true;

/**
 * Turns activation caches off (true restores them): sampled `act` steps then record nothing and
 * every `evaluate` replays from scratch. For side-by-side timing (bench/step-ab.ts).
 */
export function setActTapeEnabled(on: boolean): void {
  enabled = on;
}

/** Whether sampled `act` steps record an {@link ActivationCache} (see {@link setActTapeEnabled}). */
export function actTapeEnabled(): boolean {
  return enabled;
}

/** One rollout's forward activations (see module doc). Owns its buffers until {@link ActivationCache.dispose}. */
export class ActivationCache {
  /** Written into every row of each step's record; never reused within a process. */
  readonly token = ++tokens;
  /** Steps recorded so far. */
  steps = 0;
  private cap: number;
  private readonly weightIds: unknown[];
  private readonly widths: Record<keyof ForwardBuffers, number>;
  private buffers: ForwardBuffers;
  private disposed = false;

  /**
   * @param w the agent's weights by name.
   * @param variables every trainable variable of the agent (their buffers are the weights' version).
   * @param B episodes in the batch.
   * @param D glimpse values per row.
   * @param cap rows reserved, in steps (grown when a rollout is longer).
   */
  constructor(w: RamWeights, variables: readonly tf.Variable[], readonly B: number, D: number, cap: number) {
    this.weightIds = variables.map((v) => v.dataId);
    this.widths = forwardWidths(w, D);
    this.cap = Math.max(1, cap);
    this.buffers = allocateForward(this.widths, this.cap * B, true);
  }

  /** Whether the variables still hold the buffers they held when the cache was started. */
  weightsUnchanged(variables: readonly tf.Variable[]): boolean {
    return variables.length === this.weightIds.length && variables.every((v, i) => v.dataId === this.weightIds[i]);
  }

  /** Records step `this.steps` (act.ts's {@link actRows} on the step's rows). */
  step(w: RamWeights, glimpse: Float32Array, location: Float32Array, hPrev: tf.Tensor2D | null): FastActStep {
    if (this.disposed) throw new Error('ActivationCache: used after dispose');
    if (this.steps === this.cap) this.grow(2 * this.cap);
    const out = actRows(w, this.buffers, this.steps * this.B, glimpse, location, hPrev);
    this.steps++;
    return out;
  }

  /**
   * The recorded forward of `rollout` as exact `[T*B, .]` tensors (owned by the cache), or null
   * when the cache is not the rollout's (see module doc). `variables` are the agent's.
   */
  forwardFor(rollout: Rollout, variables: readonly tf.Variable[]): ForwardBuffers | null {
    const { batchSize: B, steps: T } = rollout;
    if (this.disposed || B !== this.B || T !== this.steps || !this.weightsUnchanged(variables)) return null;
    if (rollout.records.length !== T || rollout.observations.length !== T) return null;
    for (let t = 0; t < T; t++) {
      const key = rollout.records[t]?.[ACTIVATION_CACHE_RECORD];
      if (!(key instanceof Int32Array) || key.length !== B) return null;
      for (let i = 0; i < B; i++) if (key[i] !== this.token) return null;
    }
    const { X, L } = this.buffers;
    for (let t = 0; t < T; t++) {
      const obs = rollout.observations[t];
      if (typeof obs !== 'object' || obs === null) return null;
      const { glimpse, location } = obs;
      if (!(glimpse instanceof Float32Array) || !(location instanceof Float32Array)) return null;
      if (glimpse.length !== B * this.widths.X || location.length !== B * 2) return null;
      if (!nativeRowsEqual(L, t * B, location) || !nativeRowsEqual(X, t * B, glimpse)) return null;
    }
    if (this.cap !== T) this.grow(T); // trims: the replay's tensors must be exactly [T*B, .]
    return this.buffers;
  }

  /** Frees the buffers (tensors a gradient tape cloned stay valid until it is done). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(Object.values(this.buffers));
  }

  /** Moves the recorded rows into buffers of `cap` steps (>= the steps recorded). */
  private grow(cap: number): void {
    // Kept: a cache may be trimmed inside a caller's tidy or gradient scope and must outlive it.
    const next = allocateForward(this.widths, cap * this.B, true);
    const rows = this.steps * this.B;
    for (const k of Object.keys(next) as Array<keyof ForwardBuffers>) {
      if (rows > 0) nativeCopyRows(next[k], 0, this.buffers[k], 0, rows);
    }
    tf.dispose(Object.values(this.buffers));
    this.buffers = next;
    this.cap = cap;
  }
}

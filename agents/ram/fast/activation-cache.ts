/**
 * The forward activations of one rollout, kept by the fast `act` so that the replay of the same
 * rollout skips its forward pass (replay.ts). A {@link RolloutCache}: the rollout owns it and
 * frees it (`disposeRollout`); nothing of it lives in the agent or in its recurrent state.
 *
 * Each act step writes its glimpses, locations and every layer's output into its row block of
 * step-major `[cap*B, .]` buffers on the wasm heap (forward.ts, {@link ForwardBuffers}): exactly
 * the tensors the replay computes in its forward and saves for its backward, by the same GEMMs, so
 * the replay's outputs and gradients are bit-identical with or without the cache
 * (test/activation-cache.test.ts).
 *
 * Validity is explicit, never inferred from how an optimizer writes:
 * - the weights' version ({@link WeightsStamp}: the agent's counter, bumped by `setWeights` and
 *   `weightsChanged()`, which algorithms call after every step; and, as a second guard for code
 *   that assigns variables without saying so, the variables' buffers) is taken at step 0 and
 *   must be unchanged at every later step and at the replay;
 * - step t > 0 must continue from the state step t - 1 returned (its hidden-state tensor);
 * - the replayed rollout must have the recorded T and B and bit-identical glimpses and locations
 *   (and, with the context network, coarse views at the context step).
 * Anything else stops the recording and the replay recomputes its forward from scratch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rollout, RolloutCache } from '../../rollout';
import { nativeCopyRows, nativeRowsEqual } from '../../../tensor/native-dense';
import type { RamWeights } from '../weights';
import { actRows, type FastActStep } from './act';
import { allocateForward, forwardTensors, forwardWidths, type ForwardBuffers, type ForwardWidths } from './forward';

/** The version of an agent's weights: its explicit counter and its variables' current buffers. */
export interface WeightsStamp {
  version: number;
  buffers: readonly unknown[];
}

function sameStamp(a: WeightsStamp, b: WeightsStamp): boolean {
  return a.version === b.version && a.buffers.length === b.buffers.length && a.buffers.every((x, i) => x === b.buffers[i]);
}

/** One rollout's forward activations (see module doc). Owns its buffers until {@link ActivationCache.dispose}. */
export class ActivationCache implements RolloutCache {
  /** Steps recorded so far. */
  steps = 0;
  private cap: number;
  private stamp: WeightsStamp | null = null;
  /** The hidden state the last recorded step returned: the next step must continue from it. */
  private last: tf.Tensor | null = null;
  private valid = true;
  private readonly widths: ForwardWidths;
  private buffers: ForwardBuffers;
  private disposed = false;

  /**
   * @param owner the agent whose act and replay may use the cache (any object; compared by identity).
   * @param w the owner's weights by name (for the layer widths).
   * @param B episodes in the batch.
   * @param D glimpse values per row.
   * @param cap rows reserved, in steps (grown when a rollout is longer).
   */
  constructor(readonly owner: object, w: RamWeights, readonly B: number, D: number, cap: number) {
    this.widths = forwardWidths(w, D);
    this.cap = Math.max(1, cap);
    this.buffers = allocateForward(this.widths, this.cap * B, true);
  }

  /**
   * Whether the next step can be recorded: the cache is live and valid, `hPrev` is the state the
   * last recorded step returned (null: the initial state, at step 0), and the weights are those
   * of step 0. A step that cannot be recorded makes the cache invalid for good.
   */
  accepts(hPrev: tf.Tensor | null, stamp: WeightsStamp): boolean {
    if (this.valid && !this.disposed) {
      const continues = this.steps === 0 ? hPrev === null : hPrev !== null && hPrev === this.last;
      if (continues && (this.stamp === null || sameStamp(this.stamp, stamp))) return true;
    }
    this.valid = false;
    return false;
  }

  /** Records the next step (act.ts's {@link actRows} on its rows); call only after {@link accepts} said yes. */
  step(w: RamWeights, glimpse: Float32Array, location: Float32Array, prev: readonly tf.Tensor2D[] | null, stamp: WeightsStamp, context: Float32Array | null = null): FastActStep {
    if (this.steps === 0) this.stamp = { version: stamp.version, buffers: [...stamp.buffers] };
    if (this.steps === this.cap) this.grow(2 * this.cap);
    const out = actRows(w, this.buffers, this.steps * this.B, glimpse, location, prev, context);
    this.steps++;
    this.last = out.h;
    return out;
  }

  /**
   * The recorded forward of `rollout` as exact `[T*B, .]` tensors (owned by the cache), or null
   * when it cannot stand for the rollout's forward under the weights `stamp` (see module doc).
   */
  forwardFor(rollout: Rollout, stamp: WeightsStamp): ForwardBuffers | null {
    const { batchSize: B, steps: T } = rollout;
    if (this.disposed || !this.valid || this.stamp === null || !sameStamp(this.stamp, stamp) || B !== this.B || T !== this.steps) return null;
    if (rollout.observations.length !== T) return null;
    const { X, L } = this.buffers;
    for (let t = 0; t < T; t++) {
      const obs = rollout.observations[t];
      if (typeof obs !== 'object' || obs === null) return null;
      const { glimpse, location } = obs;
      if (!(glimpse instanceof Float32Array) || !(location instanceof Float32Array)) return null;
      if (glimpse.length !== B * this.widths.X || location.length !== B * 2) return null;
      if (!nativeRowsEqual(L, t * B, location) || !nativeRowsEqual(X, t * B, glimpse)) return null;
    }
    // The context step's coarse views (the only K rows the replay reads).
    if (this.widths.K !== undefined) {
      const context = rollout.observations[0]?.context;
      if (!(context instanceof Float32Array) || context.length !== B * this.widths.K || !nativeRowsEqual(this.buffers.K!, 0, context)) return null;
    }
    if (this.cap !== T) this.grow(T); // trims: the replay's tensors must be exactly [T*B, .]
    return this.buffers;
  }

  /** Frees the buffers (tensors a gradient tape cloned stay valid until it is done). Safe twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.last = null;
    tf.dispose(forwardTensors(this.buffers));
  }

  /** Moves the recorded rows into buffers of `cap` steps (>= the steps recorded). */
  private grow(cap: number): void {
    // Kept: a cache may be trimmed inside a caller's tidy or gradient scope and must outlive it.
    const next = allocateForward(this.widths, cap * this.B, true);
    const rows = this.steps * this.B;
    for (const k of Object.keys(next) as Array<keyof ForwardBuffers>) {
      if (rows > 0) nativeCopyRows(next[k]!, 0, this.buffers[k]!, 0, rows);
    }
    tf.dispose(forwardTensors(this.buffers));
    this.buffers = next;
    this.cap = cap;
  }
}

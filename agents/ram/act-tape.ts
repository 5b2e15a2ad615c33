/**
 * The forward activations of a training rollout, kept by the RAM's `act` so that `evaluate` can
 * skip the replay's forward pass (rnn core, native dense layers).
 *
 * During a sampled (not greedy) rollout, each `act` step writes its glimpses, locations and every
 * layer's output into its row block of step-major `[cap*B, .]` buffers on the wasm heap: the
 * inputs X, L, the glimpse layers `[hg, hl]`, g, the hidden states H and the location means mu.
 * They are exactly the tensors the fused replay (fused-rnn.ts) computes in its forward and saves
 * for its backward, computed by the same native GEMMs in the same order (g as one GEMM over
 * `[hg, hl]`, h as `g Wi` then `h_prev Wh`), and a GEMM row does not depend on how many rows are
 * computed with it, so the replay's outputs and gradients are bit-identical with or without the
 * tape (test/act-tape.test.ts).
 *
 * A tape is valid for one rollout only, and only while the weights are the ones it was recorded
 * with: every optimizer step and `setWeights` gives each variable a new buffer (tfjs `assign`), so
 * the variables' `dataId`s at the start of the rollout act as the weights' version. `evaluate`
 * uses the tape only when the rollout's records carry the tape's token in every row, T and B
 * match, the weights are unchanged, and the rollout's glimpses and locations equal the recorded
 * ones bit for bit; anything else replays from scratch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rollout } from '../rollout';
import { nativeCopyRows, nativeEmpty, nativeLinear, nativeLinearInto, nativeReadRows, nativeRowsEqual, nativeWriteRows } from '../../tensor/native-dense';
import type { FusedForward } from './fused-rnn';
import type { RamWeights } from './weights';

/** Record key under which `act` stores the tape's token (an `Int32Array(B)`, the token in every row). */
export const ACT_TAPE_RECORD = 'actTape';

let tokens = 0;
let enabled = true;

/**
 * Turns act tapes off (true restores them): sampled `act` steps then record nothing and every
 * `evaluate` replays from scratch. For side-by-side timing (bench/act-tape.ts).
 */
export function setActTapeEnabled(on: boolean): void {
  enabled = on;
}

/** Whether sampled `act` steps record an {@link ActTape} (see {@link setActTapeEnabled}). */
export function actTapeEnabled(): boolean {
  return enabled;
}

/** What one recorded step gives `act`: the new state h `[B, H]` (a tensor of its own), the means and logits. */
export interface TapeStep {
  h: tf.Tensor2D;
  mean: Float32Array;
  logits: Float32Array;
}

/** One rollout's forward activations (see module doc). Owns its buffers until {@link ActTape.dispose}. */
export class ActTape {
  /** Written into every row of each step's record; never reused within a process. */
  readonly token = ++tokens;
  /** Steps recorded so far. */
  steps = 0;
  private cap: number;
  private readonly weightIds: unknown[];
  private buffers: FusedForward;
  private disposed = false;

  /**
   * @param weights every trainable variable of the agent (their buffers are the weights' version).
   * @param B episodes in the batch.
   * @param D glimpse values per row.
   * @param sizes `[hg + hl, g, H]` layer widths.
   * @param cap rows reserved, in steps (grown when a rollout is longer).
   */
  constructor(weights: readonly tf.Variable[], readonly B: number, private readonly D: number, private readonly sizes: readonly [number, number, number], cap: number) {
    this.weightIds = weights.map((w) => w.dataId);
    this.cap = Math.max(1, cap);
    this.buffers = this.allocate(this.cap);
  }

  /** Whether the variables still hold the buffers they held when the tape was started. */
  weightsUnchanged(weights: readonly tf.Variable[]): boolean {
    return weights.length === this.weightIds.length && weights.every((w, i) => w.dataId === this.weightIds[i]);
  }

  /**
   * Records step `this.steps` from glimpses `[B, D]` and locations `[B, 2]`: the layers of
   * fused-act.ts written into the step's row block. Returns the next state and the heads.
   */
  step(w: RamWeights, glimpse: Float32Array, location: Float32Array): TapeStep {
    if (this.disposed) throw new Error('ActTape: used after dispose');
    const t = this.steps;
    if (t === this.cap) this.grow(2 * this.cap);
    const { B } = this;
    const { X, L, cat, g, H, mu } = this.buffers;
    const r = t * B;
    nativeWriteRows(X, r, glimpse);
    nativeWriteRows(L, r, location);
    const hg = w.what.kernel.shape[1];
    nativeLinearInto(cat, r, 0, [{ x: X, w: w.what.kernel, xRowStart: r }], w.what.bias, 'relu', B);
    nativeLinearInto(cat, r, hg, [{ x: L, w: w.where.kernel, xRowStart: r }], w.where.bias, 'relu', B);
    nativeLinearInto(g, r, 0, [{ x: cat, w: w.combine.kernel, xRowStart: r }], w.combine.bias, 'relu', B);
    const core = [{ x: g, w: w.coreInput.kernel, xRowStart: r }];
    if (t > 0) core.push({ x: H, w: w.coreRecurrent, xRowStart: r - B });
    nativeLinearInto(H, r, 0, core, w.coreInput.bias, 'relu', B);
    nativeLinearInto(mu, r, 0, [{ x: H, w: w.location.kernel, xRowStart: r }], w.location.bias, 'tanh', B);
    const logitsT = nativeLinear([{ x: H, w: w.action.kernel, xRowStart: r }], w.action.bias, 'linear', B);
    const h = nativeEmpty(B, H.shape[1]);
    try {
      nativeCopyRows(h, 0, H, r, B);
      const logits = nativeReadRows(logitsT, 0, B);
      const mean = nativeReadRows(mu, r, B);
      this.steps = t + 1;
      return { h, mean, logits };
    } catch (e) {
      h.dispose();
      throw e;
    } finally {
      logitsT.dispose();
    }
  }

  /**
   * The recorded forward of `rollout` as exact `[T*B, .]` tensors (owned by the tape), or null
   * when the tape is not the rollout's (see module doc). `weights` are the agent's variables.
   */
  forwardFor(rollout: Rollout, weights: readonly tf.Variable[]): FusedForward | null {
    const { batchSize: B, steps: T } = rollout;
    if (this.disposed || B !== this.B || T !== this.steps || !this.weightsUnchanged(weights)) return null;
    if (rollout.records.length !== T || rollout.observations.length !== T) return null;
    for (let t = 0; t < T; t++) {
      const key = rollout.records[t]?.[ACT_TAPE_RECORD];
      if (!(key instanceof Int32Array) || key.length !== B) return null;
      for (let i = 0; i < B; i++) if (key[i] !== this.token) return null;
    }
    const { X, L } = this.buffers;
    for (let t = 0; t < T; t++) {
      const obs = rollout.observations[t];
      if (typeof obs !== 'object' || obs === null) return null;
      const { glimpse, location } = obs;
      if (!(glimpse instanceof Float32Array) || !(location instanceof Float32Array)) return null;
      if (glimpse.length !== B * this.D || location.length !== B * 2) return null;
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

  private allocate(cap: number): FusedForward {
    const n = cap * this.B;
    const [cat, g, H] = this.sizes;
    // Kept: a tape may be (re)allocated inside a caller's tidy or gradient scope (evaluate trims
    // it there) and must outlive it; the tape disposes its buffers itself.
    const keep = (rows: number, cols: number) => tf.keep(nativeEmpty(rows, cols));
    return { X: keep(n, this.D), L: keep(n, 2), cat: keep(n, cat), g: keep(n, g), H: keep(n, H), mu: keep(n, 2) };
  }

  /** Moves the recorded rows into buffers of `cap` steps (>= the steps recorded). */
  private grow(cap: number): void {
    const next = this.allocate(cap);
    const rows = this.steps * this.B;
    for (const k of Object.keys(next) as Array<keyof FusedForward>) {
      if (rows > 0) nativeCopyRows(next[k], 0, this.buffers[k], 0, rows);
    }
    tf.dispose(Object.values(this.buffers));
    this.buffers = next;
    this.cap = cap;
  }
}

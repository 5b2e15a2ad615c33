/**
 * One `act` step of the fast path: the layers of forward.ts on one step's rows, the heads read
 * back as plain arrays. About 12 native calls per step instead of ~24 tfjs kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeCopyRows, nativeEmpty, nativeReadRows, nativeWriteRows } from '../../../tensor/native-dense';
import type { RamWeights } from '../weights';
import { allocateForward, baselineRows, coreStep, forwardWidths, glimpseRows, locationRows, logitRows, type ForwardBuffers } from './forward';

/** What one act step gives the agent: the new hidden state `[B, H]` (a tensor of its own) and the heads. */
export interface FastActStep {
  h: tf.Tensor2D;
  /** `[B*2]` location means. */
  mean: Float32Array;
  /** `[B*C]` class logits. */
  logits: Float32Array;
  /** `[B]` baselines. */
  baseline: Float32Array;
}

/**
 * Computes one step of B episodes into rows `[row, row + B)` of `f` from glimpses `[B, D]`,
 * locations `[B, 2]` and the previous hidden state (null: the zero initial state).
 */
export function actRows(w: RamWeights, f: ForwardBuffers, row: number, glimpse: Float32Array, location: Float32Array, hPrev: tf.Tensor2D | null): FastActStep {
  const B = location.length / 2;
  nativeWriteRows(f.X, row, glimpse);
  nativeWriteRows(f.L, row, location);
  glimpseRows(w, f, row, B);
  coreStep(w, f, row, B, hPrev === null ? null : { x: hPrev, xRowStart: 0 });
  locationRows(w, f, row, B);
  const logitsT = logitRows(w, f.H, row, B);
  const baseT = baselineRows(w, f.H, row, B);
  const h = nativeEmpty(B, f.H.shape[1]);
  try {
    nativeCopyRows(h, 0, f.H, row, B);
    return { h, mean: nativeReadRows(f.mu, row, B), logits: nativeReadRows(logitsT, 0, B), baseline: nativeReadRows(baseT, 0, B) };
  } catch (e) {
    h.dispose();
    throw e;
  } finally {
    tf.dispose([logitsT, baseT]);
  }
}

/** {@link actRows} into buffers of its own that are freed afterwards (an act step nothing keeps). */
export function actStep(w: RamWeights, glimpse: Float32Array, location: Float32Array, hPrev: tf.Tensor2D | null): FastActStep {
  const B = location.length / 2;
  const f = allocateForward(forwardWidths(w, glimpse.length / B), B, false);
  try {
    return actRows(w, f, 0, glimpse, location, hPrev);
  } finally {
    tf.dispose(Object.values(f));
  }
}

/**
 * One `act` step of the fast path: the layers of forward.ts on one step's rows, the heads read
 * back as plain arrays. About 12 native calls per step instead of ~24 tfjs kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeCopyRows, nativeEmpty, nativeReadRows, nativeWriteRows } from '../../../tensor/native-dense';
import type { RamWeights } from '../weights';
import { allocateForward, baselineRows, contextRows, coreStep, forwardTensors, forwardWidths, glimpseRows, locationRows, logitRows, type ForwardBuffers } from './forward';

/** What one act step gives the agent: the new state (tensors of its own) and the heads. */
export interface FastActStep {
  /** `[B, H]` hidden state. */
  h: tf.Tensor2D;
  /** `[B, H]` cell state (lstm), else null. */
  c: tf.Tensor2D | null;
  /** `[B*2]` location means. */
  mean: Float32Array;
  /** `[B*C]` class logits. */
  logits: Float32Array;
  /** `[B]` baselines. */
  baseline: Float32Array;
}

/**
 * Computes one step of B episodes into rows `[row, row + B)` of `f` from glimpses `[B, D]`,
 * locations `[B, 2]` and the previous state `[h]` or `[h, c]` (null: the zero initial state).
 * `context` (the context step of an agent with the context network: `prev` null): the state
 * comes from these `[B, c*c]` coarse views and the glimpse layers are not run (the glimpse and
 * location are still written, as the activation cache compares them with the rollout's).
 */
export function actRows(w: RamWeights, f: ForwardBuffers, row: number, glimpse: Float32Array, location: Float32Array, prev: readonly tf.Tensor2D[] | null, context: Float32Array | null = null): FastActStep {
  const B = location.length / 2;
  nativeWriteRows(f.X, row, glimpse);
  nativeWriteRows(f.L, row, location);
  if (context !== null) {
    if (f.K === undefined) throw new Error('actRows: a context was given but the weights have no context network');
    nativeWriteRows(f.K, row, context);
    contextRows(w, f, row, B);
  } else {
    glimpseRows(w, f, row, B);
    coreStep(w, f, row, B, prev === null ? null : { h: { x: prev[0], xRowStart: 0 }, c: prev[1] === undefined ? undefined : { x: prev[1], xRowStart: 0 } });
  }
  locationRows(w, f, row, B);
  const logitsT = logitRows(w, f.H, row, B);
  const baseT = baselineRows(w, f.H, row, B);
  const h = nativeEmpty(B, f.H.shape[1]);
  const c = f.C === undefined ? null : nativeEmpty(B, f.C.shape[1]);
  try {
    nativeCopyRows(h, 0, f.H, row, B);
    if (c !== null) nativeCopyRows(c, 0, f.C!, row, B);
    return { h, c, mean: nativeReadRows(f.mu, row, B), logits: nativeReadRows(logitsT, 0, B), baseline: nativeReadRows(baseT, 0, B) };
  } catch (e) {
    tf.dispose(c === null ? [h] : [h, c]);
    throw e;
  } finally {
    tf.dispose([logitsT, baseT]);
  }
}

/** {@link actRows} into buffers of its own that are freed afterwards (an act step nothing keeps). */
export function actStep(w: RamWeights, glimpse: Float32Array, location: Float32Array, prev: readonly tf.Tensor2D[] | null, context: Float32Array | null = null): FastActStep {
  const B = location.length / 2;
  const f = allocateForward(forwardWidths(w, glimpse.length / B), B, false);
  try {
    return actRows(w, f, 0, glimpse, location, prev, context);
  } finally {
    tf.dispose(forwardTensors(f));
  }
}

/**
 * RAM's fast path: the same math as the reference networks, on the native dense kernels
 * (tensor/native-dense.ts) over the wasm heap. This folder is the only agent code that imports
 * the native kernels; the agent (ram-agent.ts) uses it through the names exported here when
 * {@link fastPathAvailable} says so, and the reference networks otherwise.
 *
 * - forward.ts: each layer once, on row blocks of step-major buffers (used by act and replay).
 * - act.ts: one act step ({@link actStep}), its heads read back as arrays.
 * - activation-cache.ts: a sampled rollout's forward activations ({@link ActivationCache}), so
 *   the replay of that rollout skips its forward.
 * - replay.ts: the whole replay as one op with a hand-written backward ({@link fastReplay}).
 *
 * test/fast-path.test.ts compares every output and gradient with the reference replay.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeDenseAvailable } from '../../../tensor/native-dense';
import { nativeLstmAvailable } from '../../../tensor/native-lstm';
import { fastPathsEnabled } from '../../../tensor/flags';
import type { CoreKind } from '../../glimpse/config';

export { actStep, type FastActStep } from './act';
export { ActivationCache, type WeightsStamp } from './activation-cache';
export { fastReplay, type ReplayInput, type ReplayOutput } from './replay';
export type { ForwardBuffers } from './forward';

/**
 * Whether the fast path runs for a `core` (rnn or lstm) now: the wasm backend, the native addon
 * with the dense kernels (and, lstm, the cell kernels: an addon built before them leaves the lstm
 * on the reference networks), and neither tfjs flag `GLIMPSE_FAST_PATHS` nor `GLIMPSE_NATIVE` off
 * (tensor/flags.ts).
 */
export function fastPathAvailable(core: CoreKind): boolean {
  if (core !== 'rnn' && core !== 'lstm') return false;
  return fastPathsEnabled() && tf.getBackend() === 'wasm' && nativeDenseAvailable() && (core === 'rnn' || nativeLstmAvailable());
}

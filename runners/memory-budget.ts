/**
 * The memory a run (or an evaluation) would allocate, estimated from its resolved config before
 * anything big is built, and the limit it is held to. A config whose estimate exceeds the limit is
 * refused with one line giving the estimate, its largest parts and the limit, so that
 * `--hidden 65536` or a 256-pixel 8-scale retina stops at once instead of exhausting the machine.
 *
 * The estimate counts what grows with the config (float32 throughout):
 * - agent: every weight (shapes from the agent's `weightShapes`, never allocated here) times
 *   the copies training keeps (weights, gradients, two Adam moments, the copies a checkpoint save
 *   makes and the update's temporaries: 10 in all); 3 for evaluation (weights, the loaded
 *   checkpoint, its file buffer);
 * - envs: the buffers each sub-env holds (images, canvases, summed-area tables: the env's
 *   `footprintBytes`, from a one-env probe), for every env of every vector env the run makes;
 * - the busiest phase, the larger of a training batch (the rollout's T observations, the copies
 *   that feed the tensor backend and the act/replay activations and their gradients) and an
 *   evaluation batch (the same for the widest evaluation vector);
 * - the runtime itself (Node, V8, the tensor backend): a constant 256 MiB.
 * It aims at the peak RSS, within a factor of about 1.5 either way (figures in the constants'
 * comments), which is all a limit needs.
 */
import * as os from 'os';
import { formatBytes } from '../io/safe-read';
import { ConfigError } from './config';

const GIB = 1024 ** 3;

/** What the estimate needs to know about a run; all sizes come from its config and a one-env probe. */
export interface MemoryPlan {
  /** Name to shape of every agent weight, or null when the agent cannot say (then not counted). */
  weightShapes: Record<string, number[]> | null;
  /** float32 values of one observation (every key). */
  obsFloats: number;
  /** Steps per episode. */
  steps: number;
  /** Bytes one sub-env holds besides the batches (its `footprintBytes`, else 2 observations). */
  envBytes: number;
  /** Width of the training vector env; 0 when nothing is trained. */
  trainBatch: number;
  /** Widths of the evaluation vector envs alive at once (validation, test). */
  evalWidths: number[];
}

/** What a part of the estimate grows with. */
export type MemoryPart = 'runtime' | 'agent' | 'envs' | 'batch';

/** An estimate in bytes, with its parts (what, label, bytes) for the message. */
export interface MemoryEstimate {
  total: number;
  parts: Array<{ part: MemoryPart; label: string; bytes: number }>;
}

/**
 * Copies of the weights training keeps: weights, gradients, Adam m and v, the checkpoint copies of
 * weights and both moments, and the update's temporaries (10 matched the peak RSS of a
 * hidden-2048 mnist run: 446 MB measured, 480 MB estimated).
 */
const TRAIN_WEIGHT_COPIES = 10;
/** Node, V8 and the tensor backend before a run allocates anything (about 200-250 MB measured). */
export const RUNTIME_BYTES = 256 * 1024 * 1024;
/** Copies of the weights evaluation keeps: the weights, the loaded checkpoint, its file buffer. */
const EVAL_WEIGHT_COPIES = 3;

/** Number of values of each weight and the sum of layer widths (the last dimension of every matrix). */
function weightSizes(shapes: Record<string, number[]>): { params: number; widths: number } {
  let params = 0;
  let widths = 0;
  for (const shape of Object.values(shapes)) {
    params += shape.reduce((a, b) => a * b, 1);
    if (shape.length >= 2) widths += shape[shape.length - 1];
  }
  return { params, widths };
}

/** Estimates the bytes a run of `plan` allocates (see module doc). */
export function estimateMemory(plan: MemoryPlan): MemoryEstimate {
  const { params, widths } = plan.weightShapes ? weightSizes(plan.weightShapes) : { params: 0, widths: 0 };
  const obs = 4 * plan.obsFloats;
  const training = plan.trainBatch > 0;
  const T = Math.max(1, plan.steps);
  const envCount = plan.trainBatch + plan.evalWidths.reduce((a, b) => a + b, 0);
  // Per episode of a batch: T stored observations and, per step, the two copies that feed the
  // tensor backend (not yet collected when the peak comes), plus the batch being written; for
  // training also the activations kept for the update and their gradients. Calibrated on a
  // 64-pixel 4-scale mnist run: peak RSS 1.69 GB measured, 1.6 GB estimated.
  const perEpisode = (T * 3 + 2) * obs;
  const trainPhase = plan.trainBatch * (perEpisode + T * widths * 4 * 4);
  const evalPhase = Math.max(0, ...plan.evalWidths) * (perEpisode + widths * 4 * 2);
  const parts: MemoryEstimate['parts'] = [
    { part: 'runtime', label: 'the runtime', bytes: RUNTIME_BYTES },
    { part: 'agent', label: training ? 'agent weights, gradients and Adam state' : 'agent weights', bytes: 4 * params * (training ? TRAIN_WEIGHT_COPIES : EVAL_WEIGHT_COPIES) },
    { part: 'envs', label: `env buffers (${envCount} envs)`, bytes: envCount * plan.envBytes },
    trainPhase >= evalPhase
      ? { part: 'batch', label: `a training batch of ${plan.trainBatch} episodes`, bytes: trainPhase }
      : { part: 'batch', label: `an evaluation batch of ${Math.max(...plan.evalWidths)} episodes`, bytes: evalPhase },
  ];
  return { total: parts.reduce((a, p) => a + p.bytes, 0), parts };
}

/** The default limit: the smaller of 4 GiB and 3/4 of this machine's memory. */
export function defaultMemoryLimit(): number {
  return Math.min(4 * GIB, Math.floor(0.75 * os.totalmem()));
}

/** The limit in bytes for `--max-memory <GiB>` (unset: {@link defaultMemoryLimit}). */
export function memoryLimit(maxMemoryGiB: number | undefined): number {
  return maxMemoryGiB === undefined ? defaultMemoryLimit() : maxMemoryGiB * GIB;
}

/**
 * Throws a one-line {@link ConfigError} (exit 2) when `estimate` exceeds `limit`, naming the
 * estimate, its largest parts, the limit and what to change: `hints` maps a part to the settings
 * it grows with, and the largest part's hint is given.
 */
export function assertWithinMemory(estimate: MemoryEstimate, limit: number, what: string, hints: Partial<Record<MemoryPart, string>>): void {
  if (estimate.total <= limit) return;
  const parts = [...estimate.parts].sort((a, b) => b.bytes - a.bytes).filter((p) => p.bytes >= 0.01 * estimate.total);
  const hint = hints[parts[0].part];
  throw new ConfigError(
    `${what} would need about ${formatBytes(estimate.total)} (${parts.map((p) => `${p.label} ${formatBytes(p.bytes)}`).join(', ')}), more than the memory limit of ${formatBytes(limit)}; ${hint ? `${hint}, ` : ''}or raise the limit with --max-memory <GiB>`,
  );
}

/** The limit `--max-memory` defaults to on this machine, for help texts (`4.0 GiB`). */
export function describeDefaultMemoryLimit(): string {
  return `${formatBytes(defaultMemoryLimit())} here: the smaller of 4 GiB and 3/4 of this machine's memory`;
}

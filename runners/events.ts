/**
 * The events a training run emits on its Observable. Plain data only (numbers, strings, booleans
 * and nested records of them), never tensors, so any subscriber (console, JSONL file, a UI) can
 * consume, serialise or forward them.
 */
import type { EvalResult } from './evaluate';

/** A JSON-serialisable value (what the resolved config is made of). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** First event: where the run writes, which backend runs it and the fully resolved config. */
export interface StartEvent {
  type: 'start';
  runDir: string;
  backend: string;
  /** Why this backend runs (e.g. `auto: no usable GPU (...); wasm + native GEMM, ...`). */
  backendReason: string;
  /** The resolved run config, as saved in `config.json`. */
  config: { [key: string]: JsonValue };
  /** Epoch the loop starts at (1 for a new run, last completed + 1 on resume). */
  startEpoch: number;
  epochs: number;
  batchesPerEpoch: number;
  batchSize: number;
  /** Number of trainable parameters of the agent. */
  numParams: number;
  resumed: boolean;
  /** Items scored by each validation and by the final test (absent when the split is not scored). */
  evalItems?: { val?: number; test?: number };
}

/** After each training update. */
export interface BatchEvent {
  type: 'batch';
  epoch: number;
  /** 1-based batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  /** Global update count since the run began (continues across resumes). */
  step: number;
  /** The algorithm's scalar metrics for this update. */
  metrics: Record<string, number>;
  /** Wall-clock seconds of collect + update. */
  seconds: number;
}

/** After the last batch of an epoch (before its validation). */
export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  epochs: number;
  /** Mean of each batch metric over the epoch. */
  metrics: Record<string, number>;
  /** Training seconds of the epoch (collect + update, no evaluation). */
  seconds: number;
}

/** After evaluating a split (validation each epoch, test at the end). */
export interface EvalEvent extends EvalResult {
  type: 'eval';
  epoch: number;
  split: string;
}

/**
 * During an evaluation, after each rollout batch: how far it has got. Transient (for progress
 * displays): `metrics.jsonl` does not record it.
 */
export interface EvalProgressEvent {
  type: 'evalProgress';
  epoch: number;
  split: string;
  /** Items fully scored so far, of `total`. */
  done: number;
  total: number;
  /** Share of the evaluation's work done, in [0, 1]. */
  fraction: number;
  /** Seconds since this evaluation began. */
  seconds: number;
}

/** After a checkpoint directory was written completely. */
export interface CheckpointEvent {
  type: 'checkpoint';
  epoch: number;
  kind: 'last' | 'best';
  path: string;
}

/** Last event of a run that was not failed by an error. */
export interface DoneEvent {
  type: 'done';
  /** `completed`: all epochs ran and test was scored; `stopped`: a stop was requested. */
  reason: 'completed' | 'stopped';
  /** Last completed epoch. */
  epoch: number;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Test accuracy/error of the best checkpoint's weights; null when stopped early. */
  testAccuracy: number | null;
  testError: number | null;
  /** Mean seconds of training per epoch in this process (no evaluation). */
  secondsPerEpoch: number | null;
  seconds: number;
}

/** Any run event. */
export type RunEvent = StartEvent | BatchEvent | EpochEvent | EvalProgressEvent | EvalEvent | CheckpointEvent | DoneEvent;

/**
 * The generic training loop as an async generator of {@link RunEvent}s: per epoch, shuffle the
 * train items with the run RNG, collect a batch of episodes (`batchSize / replicas` items, each
 * shown to `replicas` episodes: train-batches.ts), update, emit a batch event; then
 * validate, checkpoint (best, then last) and go on; at the end score the best weights on test.
 * It works with any VectorEnv/Agent/Algorithm and stops cleanly at a batch boundary when asked.
 */
import type { Agent } from '../agents/agent';
import { disposeRollout } from '../agents/rollout';
import type { Algorithm } from '../algorithms/algorithm';
import { hashSeed, type Rng } from '../envs/rng';
import type { VectorEnv } from '../envs/vector-env';
import { saveCheckpoint, readCheckpoint, type CheckpointInfo, type Counters } from './checkpoint';
import { collectRollout } from './collect';
import { ConfigError, type RunConfig } from './config';
import { evaluateSplitSteps, type EvalResult, type EvaluateOptions } from './evaluate';
import type { EvalEvent, JsonValue, RunEvent } from './events';
import { itemsPerBatch, trainBatchReset } from './train-batches';
import * as path from 'path';

/** A loss or metric became NaN/Inf; the run stops and keeps its last good checkpoint. */
export class NonFiniteLossError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

/** Everything the loop needs; `counters`, `best*` and `rng` are continued in place on resume. */
export interface LoopContext {
  config: RunConfig;
  runDir: string;
  trainEnv: VectorEnv;
  valEnv: VectorEnv | null;
  testEnv: VectorEnv | null;
  agent: Agent;
  algorithm: Algorithm;
  rng: Rng;
  counters: Counters;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Ids and configs saved into every checkpoint. */
  ids: Pick<CheckpointInfo, 'env' | 'agent' | 'algo'>;
  /**
   * Polled at every batch boundary and between evaluation rollouts; true stops the loop (a `done`
   * event with reason `stopped`). An epoch cut short is not checkpointed: `last` keeps the
   * previous epoch, and a resume redoes the cut epoch from its start with the saved RNG state.
   */
  shouldStop: () => boolean;
  /** Writes the glimpse GIF of epoch e (`--viz-every`); called after validating every `vizEvery`-th epoch. */
  vizGif?: (epoch: number) => string;
}

/** Path of the `last` / `best` checkpoint of a run directory. */
export function checkpointPath(runDir: string, kind: 'last' | 'best'): string {
  return path.join(runDir, 'checkpoints', kind);
}

/**
 * Number of updates per epoch for a config and train env (throws one line, bad input, when
 * impossible): the full batches of `batchSize / replicas` items that fit in the train items (the
 * remainder of the shuffled order is left out of that epoch), capped by `maxBatches`.
 */
export function batchesPerEpoch(config: RunConfig, env: Pick<VectorEnv, 'numItems'>): number {
  if (env.numItems === undefined) {
    if (config.maxBatches === undefined) throw new ConfigError(`env ${config.env} has no finite item set; pass --max-batches to size an epoch`);
    return config.maxBatches;
  }
  const items = Math.min(env.numItems, config.trainItems ?? Infinity);
  const perBatch = itemsPerBatch(config);
  const full = Math.floor(items / perBatch);
  if (full === 0) {
    const size = config.replicas === 1 ? `--batch-size ${config.batchSize}` : `--batch-size ${config.batchSize} / --replicas ${config.replicas} = ${perBatch} items per batch`;
    throw new ConfigError(`${size} is larger than the ${items} train items; lower it or raise --train-items`);
  }
  return Math.min(full, config.maxBatches ?? Infinity);
}

function mean(rows: Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const r of rows) for (const [k, v] of Object.entries(r)) sum[k] = (sum[k] ?? 0) + v;
  for (const k of Object.keys(sum)) sum[k] /= rows.length;
  return sum;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Seeds of the evaluation of a split: fixed per run so every epoch and `rl-run eval` see the same episodes. */
export function evalSeed(runSeed: number, split: 'val' | 'test'): number {
  return hashSeed(runSeed, split === 'val' ? 1 : 2);
}

function evalEvent(epoch: number, split: string, r: EvalResult): EvalEvent {
  return { type: 'eval', epoch, split, accuracy: r.accuracy, error: r.error, correct: r.correct, total: r.total, samples: r.samples, seconds: r.seconds };
}

/**
 * Evaluates a split, passing its progress on as `evalProgress` events; returns the result, or null
 * when `shouldStop()` turned true (checked after every rollout batch, so a Ctrl-C is honoured
 * within one rollout even during a long evaluation).
 */
async function* evaluateWithProgress(epoch: number, split: string, env: VectorEnv, agent: Agent, options: EvaluateOptions, shouldStop: () => boolean): AsyncGenerator<RunEvent, EvalResult | null, void> {
  const steps = evaluateSplitSteps(env, agent, options);
  for (;;) {
    if (shouldStop()) {
      steps.return(null as never); // runs the generator's finally: no tensor stays alive
      return null;
    }
    const r = steps.next();
    if (r.done) return r.value;
    yield { type: 'evalProgress', epoch, split, ...r.value };
    await nextTick(); // let signals and terminal resizes through during a long evaluation
  }
}

/** Runs the loop (see module doc). Errors (NaN loss, env bugs) are thrown to the consumer. */
export async function* trainLoop(ctx: LoopContext): AsyncGenerator<RunEvent> {
  const { config, trainEnv, agent, algorithm, rng } = ctx;
  const t0 = Date.now();
  const nBatches = batchesPerEpoch(config, trainEnv);
  const B = trainEnv.numEnvs;
  const items = trainEnv.numItems === undefined ? undefined : Math.min(trainEnv.numItems, config.trainItems ?? Infinity);
  let trainSeconds = 0;
  let epochsRun = 0;
  const done = (reason: 'completed' | 'stopped', test: EvalResult | null): RunEvent => ({
    type: 'done',
    reason,
    epoch: ctx.counters.epoch,
    bestValAccuracy: ctx.bestValAccuracy,
    bestEpoch: ctx.bestEpoch,
    testAccuracy: test ? test.accuracy : null,
    testError: test ? test.error : null,
    secondsPerEpoch: epochsRun > 0 ? trainSeconds / epochsRun : null,
    seconds: (Date.now() - t0) / 1000,
  });

  for (let epoch = ctx.counters.epoch + 1; epoch <= config.epochs; epoch++) {
    algorithm.onEpochStart?.(epoch);
    const order = items === undefined ? null : rng.permutation(items);
    const rows: Record<string, number>[] = [];
    let epochSeconds = 0;
    for (let b = 0; b < nBatches; b++) {
      if (ctx.shouldStop()) {
        yield done('stopped', null);
        return;
      }
      const tb = Date.now();
      // Items and env seeds of this batch (replicas share both); seeded per (epoch, batch), so a resume replays it exactly.
      // keepActivations: the update's replay of this rollout reuses what acting computed.
      const { rollout } = collectRollout(trainEnv, agent, { greedy: false, rng, reset: trainBatchReset(order, epoch, b, config), keepActivations: true });
      let metrics: Record<string, number>;
      try {
        metrics = algorithm.update(agent, rollout);
      } finally {
        disposeRollout(rollout);
      }
      const bad = Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        const keep = ctx.counters.epoch > 0 ? `the last good checkpoint (epoch ${ctx.counters.epoch}) is kept in ${checkpointPath(ctx.runDir, 'last')}` : 'no checkpoint was written yet';
        throw new NonFiniteLossError(`${bad[0]} became ${bad[1]} at epoch ${epoch} batch ${b + 1}; training stopped, ${keep}; try a lower --lr`);
      }
      ctx.counters.step++;
      ctx.counters.episodes += B;
      const seconds = (Date.now() - tb) / 1000;
      epochSeconds += seconds;
      rows.push(metrics);
      yield { type: 'batch', epoch, batch: b + 1, batchesPerEpoch: nBatches, step: ctx.counters.step, metrics, seconds };
      await nextTick();
    }
    trainSeconds += epochSeconds;
    epochsRun++;
    const epochMetrics = mean(rows);
    yield { type: 'epoch', epoch, epochs: config.epochs, metrics: epochMetrics, seconds: epochSeconds };

    let valAcc: number | null = null;
    if (ctx.valEnv) {
      // A stop during validation drops this epoch: `last` keeps the previous one, resume redoes it.
      const r = yield* evaluateWithProgress(epoch, 'val', ctx.valEnv, agent, { samples: config.evalSamples, seed: evalSeed(config.seed, 'val'), maxItems: config.valItems }, ctx.shouldStop);
      if (!r) {
        yield done('stopped', null);
        return;
      }
      valAcc = r.accuracy;
      yield evalEvent(epoch, 'val', r);
    }
    if (ctx.vizGif && config.vizEvery !== undefined && epoch % config.vizEvery === 0) ctx.vizGif(epoch);
    ctx.counters.epoch = epoch;
    const isBest = valAcc === null || ctx.bestValAccuracy === null || valAcc > ctx.bestValAccuracy;
    if (isBest) {
      ctx.bestValAccuracy = valAcc;
      ctx.bestEpoch = epoch;
    }
    const info: CheckpointInfo = {
      ...ctx.ids,
      run: config as unknown as { [key: string]: JsonValue },
      counters: { ...ctx.counters },
      rng: rng.getState(),
      bestValAccuracy: ctx.bestValAccuracy,
      bestEpoch: ctx.bestEpoch,
      metrics: { ...epochMetrics, ...(valAcc === null ? {} : { valAccuracy: valAcc }) },
      optimizerScalars: {},
    };
    const weights = agent.getWeights();
    const opt = algorithm.getState();
    info.optimizerScalars = opt.scalars;
    // Best before last: a crash in between leaves `last` pointing at an older best, never a newer one.
    if (isBest) {
      saveCheckpoint(checkpointPath(ctx.runDir, 'best'), info, weights, opt.weights);
      yield { type: 'checkpoint', epoch, kind: 'best', path: checkpointPath(ctx.runDir, 'best') };
    }
    saveCheckpoint(checkpointPath(ctx.runDir, 'last'), info, weights, opt.weights);
    yield { type: 'checkpoint', epoch, kind: 'last', path: checkpointPath(ctx.runDir, 'last') };
    await nextTick();
  }

  if (ctx.shouldStop()) {
    yield done('stopped', null);
    return;
  }
  let test: EvalResult | null = null;
  if (ctx.testEnv) {
    // Score the weights `rl-run eval <runDir>` will load: the best checkpoint.
    const best = readCheckpoint(checkpointPath(ctx.runDir, 'best'));
    agent.setWeights(best.weights);
    test = yield* evaluateWithProgress(ctx.counters.epoch, 'test', ctx.testEnv, agent, { samples: config.evalSamples, seed: evalSeed(config.seed, 'test'), maxItems: config.testItems }, ctx.shouldStop);
    if (!test) {
      yield done('stopped', null);
      return;
    }
    yield evalEvent(ctx.counters.epoch, 'test', test);
  }
  yield done('completed', test);
}

/**
 * `evaluateCheckpoint(dir, options)`: what `rl-run eval` does, as a call. Scores a checkpoint on a
 * split (test, val or train) with the run's own evaluation settings (seed, validation cap,
 * evaluation batch width), greedy or with M sampled rollouts, and returns the numbers.
 */
import type { Agent } from '../agents/agent';
import type { VectorEnv } from '../envs/vector-env';
import { CheckpointError, assertCompatible, type LoadedCheckpoint } from './checkpoint';
import type { Components } from './components';
import { ConfigError, validateField } from './config';
import { evaluateSplitAsync, type EvalProgress, type EvalResult } from './evaluate';
import { defaultComponents, makeEvalVector, splitKwargs } from './run';
import { openCheckpoint } from './preflight';
import { evalSeed } from './train-loop';

/** Options of {@link evaluateCheckpoint}. */
export interface EvaluateCheckpointOptions {
  /** Split to score (default `test`). */
  split?: 'test' | 'val' | 'train';
  /** Sampled rollouts averaged; default the run's `evalSamples`. */
  samples?: number;
  /** Factories (default: the registries). */
  components?: Components;
  /** Called after every rollout batch with how far the evaluation has got. */
  onProgress?: (p: EvalProgress) => void;
  /** Memory limit in GiB for the checks before loading (default: the machine's, see memory-budget). */
  maxMemory?: number;
}

/** The result, with the checkpoint it scored. */
export interface CheckpointEvalResult extends EvalResult {
  split: 'test' | 'val' | 'train';
  checkpoint: LoadedCheckpoint;
}

/**
 * Scores the checkpoint in `dir` (a checkpoint, or a run directory: its best, else last). The
 * tensor backend must be initialised (`initBackend`); the env and agent must be registered.
 * Bad options throw {@link ConfigError}.
 */
export async function evaluateCheckpoint(dir: string, options: EvaluateCheckpointOptions = {}): Promise<CheckpointEvalResult> {
  const split = options.split ?? 'test';
  if (!['val', 'test', 'train'].includes(split)) throw new ConfigError(`--split must be one of test, val, train, got '${String(split)}'`);
  const components = options.components ?? (await defaultComponents());
  // Checkpoint fields, env, the agent's declared shapes and memory are all checked before anything is built.
  const { ckpt, run } = openCheckpoint(dir, components, { split, maxMemory: options.maxMemory });
  const samples = options.samples === undefined ? run.evalSamples : (validateField('evalSamples', options.samples, '--samples') as number);
  // What the checkpoint asks the factories for is bad input too (exit 2), named after the checkpoint.
  const build = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new CheckpointError(`checkpoint ${ckpt.dir}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  };
  // The run's own caps (--val-items, --test-items), so this reproduces the number the run printed.
  const maxItems = split === 'val' ? run.valItems : split === 'test' ? run.testItems : undefined;
  let env: VectorEnv | null = null;
  let agent: Agent | null = null;
  try {
    env = build(() => makeEvalVector(components, ckpt.meta.env.id, splitKwargs(ckpt.meta.env.kwargs, split), run.evalBatchSize, maxItems));
    const e = env;
    agent = build(() => components.makeAgent(ckpt.meta.agent.id, { observationSpace: e.singleObservationSpace, actionSpace: e.singleActionSpace, spec: e.spec }, { ...(ckpt.meta.agent.config ?? {}) }, { seed: run.seed }));
    assertCompatible(ckpt, agent.id, agent.getWeights());
    agent.setWeights(ckpt.weights);
    const r = await evaluateSplitAsync(env, agent, { samples, seed: evalSeed(run.seed, split === 'val' ? 'val' : 'test'), maxItems, onProgress: options.onProgress });
    return { ...r, split, checkpoint: ckpt };
  } finally {
    env?.close();
    agent?.dispose();
  }
}

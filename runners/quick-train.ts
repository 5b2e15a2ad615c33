/**
 * A few training batches exactly as the loop runs them (collect a rollout, then the algorithm's
 * update), each timed: what `rl-run list --backends` measures a backend with, and what the tests
 * train every registered agent and algorithm with on the generic kernels. No run directory, no
 * evaluation, no checkpoint.
 */
import { Rng, hashSeed } from '../envs/rng';
import { consecutiveSeeds } from '../envs/vector-env';
import type { Components } from './components';
import { collectRollout } from './collect';
import { splitKwargs } from './run';

/** What to train and for how long. */
export interface QuickTrainOptions {
  env: string;
  agent: string;
  algo: string;
  batchSize: number;
  /** Untimed batches first (JIT, heap growth, optimizer slots). */
  warmup: number;
  /** Timed batches (at most, with `budgetMs`). */
  batches: number;
  /** Stop timing once the timed batches took this many milliseconds in all (at least one is timed). */
  budgetMs?: number;
  seed?: number;
  envKwargs?: Record<string, unknown>;
  agentOptions?: Record<string, unknown>;
  algoOptions?: Record<string, unknown>;
}

/** Milliseconds of each timed batch (collect + update) and the algorithm's metrics of every batch. */
export interface QuickTrainResult {
  stepMs: number[];
  metrics: Record<string, number>[];
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Trains `warmup + batches` batches on the active backend and releases everything it made. Each
 * batch is seeded as the train loop seeds it (`hashSeed(seed, 1, b)`), so the same options give
 * the same metrics.
 */
export function quickTrain(components: Pick<Components, 'makeVector' | 'makeAgent' | 'makeAlgorithm'>, o: QuickTrainOptions): QuickTrainResult {
  const seed = o.seed ?? 0;
  const env = components.makeVector(o.env, o.batchSize, splitKwargs(o.envKwargs ?? {}, 'train'));
  let agent: ReturnType<typeof components.makeAgent> | undefined;
  let algorithm: ReturnType<typeof components.makeAlgorithm> | undefined;
  try {
    agent = components.makeAgent(o.agent, { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, { seed, ...(o.agentOptions ?? {}) });
    algorithm = components.makeAlgorithm(o.algo, o.algoOptions ?? {});
    const rng = new Rng(seed);
    const stepMs: number[] = [];
    const metrics: Record<string, number>[] = [];
    let timed = 0;
    for (let b = 0; b < o.warmup + o.batches && !(timed >= (o.budgetMs ?? Infinity)); b++) {
      const t0 = performance.now();
      const { rollout } = collectRollout(env, agent, { greedy: false, rng, reset: { seed: consecutiveSeeds(hashSeed(seed, 1, b), o.batchSize) } });
      metrics.push(algorithm.update(agent, rollout));
      if (b >= o.warmup) {
        stepMs.push(performance.now() - t0);
        timed += stepMs[stepMs.length - 1];
      }
    }
    return { stepMs, metrics };
  } finally {
    env.close();
    agent?.dispose();
    algorithm?.dispose();
  }
}

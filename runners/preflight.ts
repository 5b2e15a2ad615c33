/**
 * Everything about a command's input that can be checked before anything big is built or any file
 * is written: the `--out` path, the env kwargs and agent options (through a one-env probe and the
 * agent's `weightShapes`, which allocate nothing), the batch size against the split, the memory
 * the run would need, and a checkpoint's declared shapes against the agent its config would build.
 * Every refusal is one line with exit code 2, and leaves an existing run directory untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AgentEnvInfo } from '../agents/agent';
import { batchLayout } from '../envs/batching';
import { hasMemoryFootprint } from '../envs/memory-footprint';
import type { VectorEnv } from '../envs/vector-env';
import { CheckpointError, assertDeclaredShapes, readCheckpointData, readCheckpointMeta, readSettled, resolveCheckpointDir, type LoadedCheckpoint } from './checkpoint';
import type { Components, Split } from './components';
import { ConfigError, componentOptions, defaultRunDir, evalBatchWidth, resolveConfig, type RunConfig } from './config';
import { assertWithinMemory, estimateMemory, memoryLimit, type MemoryEstimate } from './memory-budget';
import { assertUsableRunDir } from './out-dir';
import { batchesPerEpoch, checkpointPath } from './train-loop';

/** What a one-env probe tells about an env's sizes. */
interface ProbeSizes {
  info: AgentEnvInfo;
  obsFloats: number;
  steps: number;
  envBytes: number;
  numItems?: number;
}

/** Runs `fn`, turning any error into a one-line error of class `E` (bad input, exit 2). */
function asBadInput<T>(fn: () => T, wrap: (msg: string) => Error): T {
  try {
    return fn();
  } catch (e) {
    if ((e as { exitCode?: unknown })?.exitCode === 2) throw e;
    throw wrap((e instanceof Error ? e.message : String(e)).split('\n')[0]);
  }
}

/** Builds a one-env vector env of `id`, reads its sizes and closes it. */
function probeEnv(components: Pick<Components, 'makeVector'>, id: string, kwargs: Record<string, unknown>, wrap: (msg: string) => Error): ProbeSizes {
  const probe: VectorEnv = asBadInput(() => components.makeVector(id, 1, kwargs), wrap);
  try {
    const obsFloats = batchLayout(probe.singleObservationSpace).reduce((n, f) => n + (f.kind === 'box' ? f.size : 1), 0);
    const batchBytes = 2 * 4 * obsFloats;
    // A one-env vector's footprint is its sub-env's buffers plus its own two batch rows.
    const envBytes = hasMemoryFootprint(probe) ? Math.max(0, probe.footprintBytes() - batchBytes) : batchBytes;
    return {
      info: { observationSpace: probe.singleObservationSpace, actionSpace: probe.singleActionSpace, spec: probe.spec },
      obsFloats,
      steps: probe.spec?.maxEpisodeSteps ?? 1,
      envBytes,
      numItems: probe.numItems,
    };
  } finally {
    probe.close();
  }
}

/** What to lower when a part of a training run's estimate is the largest. */
const TRAIN_HINTS = {
  agent: 'lower --hidden (or agentOptions sizes), --glimpse-size or --scales',
  envs: 'lower --batch-size or --eval-batch-size',
  batch: 'lower --batch-size, --eval-batch-size, --glimpse-size, --scales or --glimpses',
};

/**
 * The memory estimate of a training run of `config` (see memory-budget.ts) and the agent's weight
 * shapes (null when the agent cannot say), from a one-env probe; bad env kwargs, agent options or
 * a batch larger than the split throw one line (exit 2).
 */
export function trainMemoryEstimate(config: RunConfig, components: Components): { estimate: MemoryEstimate; shapes: Record<string, number[]> | null } {
  const opts = componentOptions(config);
  const bad = (msg: string) => new ConfigError(msg);
  const env = probeEnv(components, config.env, { ...opts.envKwargs, split: 'train' }, bad);
  batchesPerEpoch(config, { numItems: env.numItems });
  const shapes = components.agentWeightShapes ? asBadInput(() => components.agentWeightShapes!(config.agent, env.info, opts.agentOptions), bad) : null;
  const estimate = estimateMemory({
    weightShapes: shapes,
    obsFloats: env.obsFloats,
    steps: env.steps,
    envBytes: env.envBytes,
    trainBatch: config.batchSize,
    evalWidths: [evalBatchWidth(config.evalBatchSize, config.valItems), evalBatchWidth(config.evalBatchSize, undefined)],
  });
  return { estimate, shapes };
}

/**
 * Checks a training config before `prepareRunDir` touches the run directory (see module doc).
 * Throws one line (exit 2) for the first problem found.
 */
export function preflightTrain(config: RunConfig, components: Components): void {
  const runDir = config.out ?? defaultRunDir(config);
  assertUsableRunDir(runDir);
  const { estimate, shapes } = trainMemoryEstimate(config, components);
  assertWithinMemory(estimate, memoryLimit(config.maxMemory), 'this run', TRAIN_HINTS);
  if (config.resume && shapes) {
    // The checkpoint --resume will load must declare exactly this agent's weights. Read only its
    // JSON (read-only: the directory may belong to a live run; claimRunDir decides).
    const last = checkpointPath(runDir, 'last');
    if (fs.existsSync(path.join(last, 'checkpoint.json'))) assertDeclaredShapes(last, readCheckpointMeta(last), shapes);
  }
}

/** A verified checkpoint, its run config and what evaluation needs to build its env. */
export interface OpenedCheckpoint {
  ckpt: LoadedCheckpoint;
  run: RunConfig;
}

/**
 * Opens the checkpoint `eval`/`viz` name (a checkpoint or run directory) for evaluation on
 * `split` with `width` episodes per batch (default: the eval width of its run): reads and checks `checkpoint.json`, its run config and
 * env, the weight shapes its agent config would build and the memory, and only then reads the
 * weights (size, sha256, finite). Throws one line (exit 2) for a checkpoint that cannot be used.
 */
export function openCheckpoint(
  where: string, components: Pick<Components, 'listEnvs' | 'listAgents' | 'makeVector' | 'agentWeightShapes'>,
  options: { split: Split; width?: number; maxMemory?: number },
): OpenedCheckpoint {
  const dir = resolveCheckpointDir(where);
  // A live run may swap the checkpoint while it is read: read again then (readSettled).
  return readSettled(dir, () => {
    const meta = readCheckpointMeta(dir);
    const run = resolveConfig({ values: meta.run as Record<string, unknown>, origin: `checkpoint ${dir}` });
    const bad = (msg: string) => new CheckpointError(`checkpoint ${dir}: ${msg}`);
    const envIds = components.listEnvs().map((e) => e.id);
    if (!envIds.includes(meta.env.id)) throw bad(`env '${meta.env.id}' is not registered here; registered: ${envIds.join(', ')}`);
    const agentIds = components.listAgents().map((a) => a.id);
    if (!agentIds.includes(meta.agent.id)) throw bad(`agent '${meta.agent.id}' is not registered here; registered: ${agentIds.join(', ')}`);
    const kwargs = { ...meta.env.kwargs, split: options.split === 'val' ? 'validation' : options.split };
    const env = probeEnv(components, meta.env.id, kwargs, bad);
    const shapes = components.agentWeightShapes ? asBadInput(() => components.agentWeightShapes!(meta.agent.id, env.info, { ...meta.agent.config }), bad) : null;
    if (shapes) assertDeclaredShapes(dir, meta, shapes);
    // The width `makeEvalVector` will use unless the caller says (viz: one env per pictured image).
    const items = Math.min(env.numItems ?? Infinity, options.split === 'val' ? (run.valItems ?? Infinity) : Infinity);
    const width = options.width ?? evalBatchWidth(run.evalBatchSize, Number.isFinite(items) ? items : undefined);
    const estimate = estimateMemory({ weightShapes: shapes, obsFloats: env.obsFloats, steps: env.steps, envBytes: env.envBytes, trainBatch: 0, evalWidths: [width] });
    assertWithinMemory(estimate, memoryLimit(options.maxMemory), `evaluating checkpoint ${dir}`, {});
    return { ckpt: readCheckpointData(dir, meta), run };
  });
}

/**
 * `train(config)`: a training run as a cold rxjs Observable of {@link RunEvent}s. Subscribing sets
 * up the backend, the run directory (new, `--force`d or `--resume`d), envs, agent and algorithm,
 * then drives {@link trainLoop}. Unsubscribing stops training at the next batch boundary and
 * releases every env, tensor and optimizer the run made.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Observable } from 'rxjs';
import { Rng } from '../envs/rng';
import type { VectorEnv } from '../envs/vector-env';
import type { Agent } from '../agents/agent';
import type { Algorithm } from '../algorithms/algorithm';
import { writeFileAtomic, recoverDir } from './atomic-write';
import { initBackend, describeBackend } from './backend';
import { assertCompatible, readCheckpoint, type Counters, type LoadedCheckpoint } from './checkpoint';
import type { Components, Split } from './components';
import { CONFIG_KEYS, ConfigError, RESUMABLE_OVERRIDES, componentOptions, defaultRunDir, evalBatchWidth, flagName, type RunConfig } from './config';
import type { JsonValue, RunEvent } from './events';
import { batchesPerEpoch, checkpointPath, evalSeed, trainLoop } from './train-loop';
import { epochGifWriter } from '../viz/viz-every';

/** Optional collaborators of {@link train}. */
export interface TrainDeps {
  /** Factories; default: the env/agent/algorithm registries. */
  components?: Components;
  /** Name of a backend already initialised by the caller (skips `initBackend`). */
  backend?: string;
  /** Called once everything the run made has been released (after complete, error or unsubscribe). */
  onFinalize?: () => void;
}

/** Loads the registry-backed components (lazily: importing them registers every env/agent/algo). */
export async function defaultComponents(): Promise<Components> {
  // require, not import(): a dynamic import goes through the ESM loader, which `node -r tsx/cjs` lacks.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { registryComponents } = require('./registries') as typeof import('./registries');
  return registryComponents();
}

/** Throws a one-line error when `id` is not among `listed`, naming the registered ids. */
export function assertKnown(kind: string, flag: string, id: string, listed: { id: string }[]): void {
  if (!listed.some((l) => l.id === id)) {
    throw new ConfigError(`unknown ${kind} '${id}' (${flag}); registered: ${listed.map((l) => l.id).join(', ') || 'none'}`);
  }
}

/** Env kwargs of one split of the run (the envs name the validation split `validation`). */
export function splitKwargs(envKwargs: Record<string, unknown>, split: Split): Record<string, unknown> {
  return { ...envKwargs, split: split === 'val' ? 'validation' : split };
}

/**
 * The vector env an evaluation split runs on: {@link evalBatchWidth} wide, i.e. `evalBatchSize`
 * (default 1000) capped by the items scored (`maxItems`, or the split's size read from a one-env
 * probe), so a wide batch amortises kernel overhead and a small split is not padded.
 */
export function makeEvalVector(
  components: Pick<Components, 'makeVector'>, id: string, kwargs: Record<string, unknown>,
  evalBatchSize: number | undefined, maxItems?: number,
): VectorEnv {
  const probe = components.makeVector(id, 1, kwargs);
  const items = Math.min(probe.numItems ?? Infinity, maxItems ?? Infinity);
  probe.close();
  return components.makeVector(id, evalBatchWidth(evalBatchSize, Number.isFinite(items) ? items : undefined), kwargs);
}

/** Items an evaluation of `env` scores with the cap `maxItems` (undefined for an endless env). */
function itemsScored(env: VectorEnv, maxItems: number | undefined): number | undefined {
  return env.numItems === undefined ? undefined : Math.min(env.numItems, maxItems ?? Infinity);
}

function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v);
}

/** Where a run writes, and the checkpoint it resumes from (null for a fresh start). */
interface PreparedDir {
  runDir: string;
  resumeFrom: LoadedCheckpoint | null;
}

/** Applies the `--out` / `--resume` / `--force` rules to the run directory (see module doc). */
export function prepareRunDir(config: RunConfig): PreparedDir {
  const runDir = config.out ?? defaultRunDir(config);
  const exists = fs.existsSync(runDir) && fs.readdirSync(runDir).length > 0;
  const configFile = path.join(runDir, 'config.json');
  if (config.resume) {
    if (!exists || !fs.existsSync(configFile)) throw new ConfigError(`--resume: ${runDir} holds no run to resume (no config.json); start it without --resume`);
    let saved: Record<string, unknown>;
    try {
      saved = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    } catch (e) {
      throw new ConfigError(`--resume: ${configFile} is not valid JSON (${(e as Error).message})`);
    }
    for (const key of CONFIG_KEYS) {
      if (RESUMABLE_OVERRIDES.includes(key)) continue;
      if (JSON.stringify(saved[key]) !== JSON.stringify(config[key])) {
        throw new ConfigError(`--resume: ${flagName(key)} is ${show(config[key])} but ${runDir} was started with ${show(saved[key])}; drop the flag to continue the saved run`);
      }
    }
    const last = checkpointPath(runDir, 'last');
    recoverDir(last);
    // Killed during the first epoch: nothing to restore, the run starts over in the same directory.
    return { runDir, resumeFrom: fs.existsSync(last) ? readCheckpoint(last) : null };
  }
  if (exists) {
    if (!config.force) throw new ConfigError(`run directory ${runDir} already exists; pass --resume to continue it or --force to overwrite it`);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
  return { runDir, resumeFrom: null };
}

/** Starts a training run on subscribe (see module doc). */
export function train(config: RunConfig, deps: TrainDeps = {}): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let stopRequested = false;
    const made: { envs: VectorEnv[]; agent?: Agent; algorithm?: Algorithm } = { envs: [] };
    const release = () => {
      for (const e of made.envs) e.close();
      made.agent?.dispose();
      made.algorithm?.dispose();
      deps.onFinalize?.();
    };
    (async () => {
      const backend = deps.backend ?? (await initBackend(config.backend), describeBackend());
      const components = deps.components ?? (await defaultComponents());
      assertKnown('env', '--env', config.env, components.listEnvs());
      assertKnown('agent', '--agent', config.agent, components.listAgents());
      assertKnown('algorithm', '--algo', config.algo, components.listAlgorithms());
      const { runDir, resumeFrom } = prepareRunDir(config);
      const opts = componentOptions(config);

      // The factories reject bad kwargs/options (and unreadable data) with one line: bad input, exit 2.
      const build = <T>(fn: () => T): T => {
        try {
          return fn();
        } catch (e) {
          throw new ConfigError(e instanceof Error ? e.message.split('\n')[0] : String(e));
        }
      };
      const trainEnv = build(() => components.makeVector(config.env, config.batchSize, splitKwargs(opts.envKwargs, 'train')));
      made.envs.push(trainEnv);
      const valEnv = build(() => makeEvalVector(components, config.env, splitKwargs(opts.envKwargs, 'val'), config.evalBatchSize, config.valItems));
      made.envs.push(valEnv);
      const testEnv = build(() => makeEvalVector(components, config.env, splitKwargs(opts.envKwargs, 'test'), config.evalBatchSize, config.testItems));
      made.envs.push(testEnv);
      const agent = build(() => components.makeAgent(config.agent, { observationSpace: trainEnv.singleObservationSpace, actionSpace: trainEnv.singleActionSpace, spec: trainEnv.spec }, opts.agentOptions));
      made.agent = agent;
      const algorithm = build(() => components.makeAlgorithm(config.algo, opts.algoOptions));
      made.algorithm = algorithm;

      const rng = new Rng(config.seed);
      let counters: Counters = { epoch: 0, step: 0, episodes: 0 };
      let bestValAccuracy: number | null = null;
      let bestEpoch: number | null = null;
      if (resumeFrom) {
        assertCompatible(resumeFrom, agent.id, agent.getWeights());
        agent.setWeights(resumeFrom.weights);
        algorithm.setState(resumeFrom.optimizer);
        rng.setState(resumeFrom.meta.rng);
        counters = { ...resumeFrom.meta.counters };
        bestValAccuracy = resumeFrom.meta.bestValAccuracy;
        bestEpoch = resumeFrom.meta.bestEpoch;
      }
      const numParams = agent.trainableVariables().reduce((n, v) => n + v.size, 0);
      subscriber.next({
        type: 'start',
        runDir,
        backend,
        config: config as unknown as { [key: string]: JsonValue },
        startEpoch: counters.epoch + 1,
        epochs: config.epochs,
        batchesPerEpoch: batchesPerEpoch(config, trainEnv),
        batchSize: config.batchSize,
        numParams,
        resumed: config.resume,
        evalItems: { val: itemsScored(valEnv, config.valItems), test: itemsScored(testEnv, config.testItems) },
      });
      const loop = trainLoop({
        config,
        runDir,
        trainEnv,
        valEnv,
        testEnv,
        agent,
        algorithm,
        rng,
        counters,
        bestValAccuracy,
        bestEpoch,
        ids: { env: { id: config.env, kwargs: opts.envKwargs }, agent: { id: agent.id, config: agent.config }, algo: { id: algorithm.id, config: algorithm.config } },
        shouldStop: () => stopRequested || subscriber.closed,
        vizGif: config.vizEvery !== undefined ? epochGifWriter({ valEnv, agent, runDir, seed: evalSeed(config.seed, 'val') }) : undefined,
      });
      for await (const ev of loop) {
        if (subscriber.closed) break;
        subscriber.next(ev);
      }
    })().then(
      () => finish(null),
      (e) => finish(e),
    );
    // Release before completing, so a subscriber that sees `complete`/`error` sees a clean process.
    function finish(error: unknown) {
      try {
        release();
      } catch (e) {
        error ??= e;
      }
      if (error) subscriber.error(error);
      else subscriber.complete();
    }
    return () => {
      stopRequested = true;
    };
  });
}

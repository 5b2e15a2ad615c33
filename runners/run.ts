/**
 * `train(config)`: a training run as a cold rxjs Observable of {@link RunEvent}s. Subscribing sets
 * up the backend, envs, agent and algorithm, then claims and locks the run directory (new,
 * `--force`d or `--resume`d: see run-dir.ts) and drives {@link trainLoop}. Unsubscribing, or
 * aborting `deps.signal`, stops training at the next batch boundary and releases every env,
 * tensor, optimizer and the lock the run took.
 */
import { Observable } from 'rxjs';
import { Rng } from '../envs/rng';
import type { VectorEnv } from '../envs/vector-env';
import type { Agent } from '../agents/agent';
import type { Algorithm } from '../algorithms/algorithm';
import { backendReason, initBackend, describeBackend } from './backend';
import { assertCompatible, type Counters } from './checkpoint';
import type { Components, Split } from './components';
import { ConfigError, componentOptions, evalBatchWidth, type RunConfig } from './config';
import { progressSink, type ProgressStream } from './sinks/progress-bar';
import { attachSinks, runSinks } from './sinks/run-sinks';
import type { JsonValue, RunEvent } from './events';
import { claimRunDir, inspectRunDir } from './run-dir';
import type { RunLock } from './run-lock';
import { batchesPerEpoch, checkpointPath, evalSeed, trainLoop } from './train-loop';
import { preflightTrain } from './preflight';
import { epochGifWriter } from '../viz/viz-every';

/** Optional collaborators of {@link train}. */
export interface TrainDeps {
  /** Factories; default: the env/agent/algorithm registries. */
  components?: Components;
  /** Name of a backend already initialised by the caller (skips `initBackend`). */
  backend?: string;
  /** Called once everything the run made has been released (after complete, error or unsubscribe). */
  onFinalize?: () => void;
  /**
   * Stops the run when aborted, like unsubscribing, but the run still emits its `done` event
   * (reason `stopped`) and completes, so every subscriber sees how it ended. Aborted before the
   * run directory is claimed: the run completes without any event and writes nothing.
   */
  signal?: AbortSignal;
  /**
   * Write `metrics.jsonl` and `summary.json` into the run directory, as `rl-run` does (default
   * true). `config.json` and the checkpoints are always written: `--resume` and `eval` need them.
   */
  logs?: boolean;
  /** Where the progress bar goes (default stderr); false, or `config.quiet`, for none. */
  progress?: ProgressStream | false;
  /** Where the one-line summary of the finished run goes (default stdout unless `config.quiet`); false for none. */
  summary?: { write(s: string): unknown } | false;
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

/**
 * Starts a training run on subscribe (see module doc), writing the same run directory as
 * `rl-run` (config.json, checkpoints, metrics.jsonl, summary.json) and, unless `config.quiet`,
 * printing the same progress and summary. `deps` turns each of these off.
 */
export function train(config: RunConfig, deps: TrainDeps = {}): Observable<RunEvent> {
  const progress = deps.progress ?? (config.quiet ? false : process.stderr);
  const summary = deps.summary ?? (config.quiet ? false : process.stdout);
  const sinks = runSinks({ logs: deps.logs !== false, progress: progress ? progressSink(progress) : null, summary: summary || null });
  return attachSinks(runEvents(config, deps), sinks);
}

/** The run itself as an Observable of events, with no sinks attached. */
function runEvents(config: RunConfig, deps: TrainDeps): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let stopRequested = false;
    const made: { envs: VectorEnv[]; agent?: Agent; algorithm?: Algorithm; lock?: RunLock } = { envs: [] };
    const release = () => {
      try {
        for (const e of made.envs) e.close();
        made.agent?.dispose();
        made.algorithm?.dispose();
      } finally {
        made.lock?.release();
        deps.onFinalize?.();
      }
    };
    const stopped = () => stopRequested || subscriber.closed || deps.signal?.aborted === true;
    (async () => {
      const backend = deps.backend ?? (await initBackend(config.backend), describeBackend());
      const reason = deps.backend !== undefined ? 'initialised by the caller' : backendReason();
      const components = deps.components ?? (await defaultComponents());
      assertKnown('env', '--env', config.env, components.listEnvs());
      assertKnown('agent', '--agent', config.agent, components.listAgents());
      assertKnown('algorithm', '--algo', config.algo, components.listAlgorithms());
      // Every input is checked (paths, sizes, memory, a resumed checkpoint's shapes) before the run
      // directory is inspected; nothing is written until every component is built.
      preflightTrain(config, components);
      inspectRunDir(config);
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
      const agent = build(() => components.makeAgent(config.agent, { observationSpace: trainEnv.singleObservationSpace, actionSpace: trainEnv.singleActionSpace, spec: trainEnv.spec }, opts.agentOptions, { seed: config.seed }));
      made.agent = agent;
      const algorithm = build(() => components.makeAlgorithm(config.algo, opts.algoOptions));
      made.algorithm = algorithm;
      if (stopped()) return;
      const { runDir, resumeFrom, lock } = claimRunDir(config);
      made.lock = lock;

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
        backendReason: reason,
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
        shouldStop: stopped,
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

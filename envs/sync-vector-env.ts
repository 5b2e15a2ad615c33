/**
 * `SyncVectorEnv`: N envs stepped one after the other in this thread, exchanging batch-major
 * typed arrays (the batching rule of vector-env.ts). Every `reset`/`step` returns FRESH arrays
 * (runners keep them in rollouts). Envs that implement {@link BatchWritableEnv} write straight
 * into those arrays; others are batched by copying their observation objects.
 */
import type { Env, EnvSpec, Info, ResetOptions } from './core';
import type { Space } from './spaces';
import { subEnvSeeds, type Batch, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from './vector-env';
import { isBatchWritable, type BatchWritableEnv } from './batch-writable';
import { hasMemoryFootprint, type MemoryFootprint } from './memory-footprint';
import { allocateBatch, batchLayout, checkBatch, readRow, writeRow, type BatchField } from './batching';

/** Runs `envs.length` envs of identical spaces as one batch. */
export class SyncVectorEnv implements VectorEnv, MemoryFootprint {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly spec?: EnvSpec;
  readonly numItems?: number;
  /** The sub-envs (env i is row i of every batch). */
  readonly envs: readonly Env[];
  private readonly obsLayout: BatchField[];
  private readonly actLayout: BatchField[];
  private readonly fast: (BatchWritableEnv | null)[];
  private closed = false;

  /** `spec` defaults to the first env's spec. */
  constructor(envs: readonly Env[], spec?: EnvSpec) {
    if (!Array.isArray(envs) || envs.length === 0) throw new RangeError('SyncVectorEnv: needs at least one env');
    const first = envs[0];
    const obsJson = JSON.stringify(first.observationSpace.toJSON());
    const actJson = JSON.stringify(first.actionSpace.toJSON());
    envs.forEach((e, i) => {
      if (JSON.stringify(e.observationSpace.toJSON()) !== obsJson) throw new RangeError(`SyncVectorEnv: env ${i} has observation space ${JSON.stringify(e.observationSpace.toJSON())}, env 0 has ${obsJson}`);
      if (JSON.stringify(e.actionSpace.toJSON()) !== actJson) throw new RangeError(`SyncVectorEnv: env ${i} has action space ${JSON.stringify(e.actionSpace.toJSON())}, env 0 has ${actJson}`);
      if (e.numItems !== first.numItems) throw new RangeError(`SyncVectorEnv: env ${i} has numItems ${e.numItems}, env 0 has ${first.numItems}`);
    });
    this.envs = [...envs];
    this.numEnvs = envs.length;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.spec = spec ?? first.spec;
    this.numItems = first.numItems;
    this.obsLayout = batchLayout(first.observationSpace);
    this.actLayout = batchLayout(first.actionSpace);
    this.fast = this.envs.map((e) => (isBatchWritable(e) ? e : null));
  }

  /**
   * Sub-env i is reset with seed `seed + i` when `seed` is a number, with `seed[i]` when it is a
   * list (one entry per sub-env; an `undefined` entry does not reseed). Both are checked before
   * any sub-env is touched.
   */
  reset(options: VectorResetOptions = {}): VectorResetResult {
    if (this.closed) throw new Error('SyncVectorEnv.reset: the vector env is closed');
    const n = this.numEnvs;
    const { options: perEnv } = options;
    const seeds = subEnvSeeds(options.seed, n, 'SyncVectorEnv.reset');
    if (Array.isArray(perEnv) && perEnv.length !== n) throw new RangeError(`SyncVectorEnv.reset: options has ${perEnv.length} entries, expected one per env (${n})`);
    const observations = allocateBatch(this.obsLayout, n);
    const infos: Info[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const o: ResetOptions = {};
      const seed = seeds?.[i];
      if (seed !== undefined) o.seed = seed;
      const extra = Array.isArray(perEnv) ? perEnv[i] : perEnv;
      if (extra !== undefined) o.options = extra;
      const fast = this.fast[i];
      if (fast) {
        infos[i] = fast.resetInto(o, observations, i);
      } else {
        const r = this.envs[i].reset(o);
        writeRow(this.singleObservationSpace, this.obsLayout, r.observation, observations, i);
        infos[i] = r.info;
      }
    }
    return { observations, infos };
  }

  step(actions: Batch): VectorStepResult {
    if (this.closed) throw new Error('SyncVectorEnv.step: the vector env is closed');
    const n = this.numEnvs;
    checkBatch(this.actLayout, actions, n, 'SyncVectorEnv.step: actions');
    const out = {
      observations: allocateBatch(this.obsLayout, n),
      rewards: new Float32Array(n),
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
    };
    const infos: Info[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const fast = this.fast[i];
      if (fast) {
        infos[i] = fast.stepInto(actions, i, out);
        continue;
      }
      const r = this.envs[i].step(readRow(this.singleActionSpace, this.actLayout, actions, i));
      if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) throw new RangeError(`SyncVectorEnv.step: env ${i} returned reward ${String(r.reward)}, expected a finite number`);
      writeRow(this.singleObservationSpace, this.obsLayout, r.observation, out.observations, i);
      out.rewards[i] = r.reward;
      out.terminated[i] = r.terminated ? 1 : 0;
      out.truncated[i] = r.truncated ? 1 : 0;
      infos[i] = r.info;
    }
    return { ...out, infos };
  }

  /**
   * The sub-envs' buffers (those without {@link MemoryFootprint} counted as two observations) plus
   * the two batches a step has alive (the one returned and the one being written).
   */
  footprintBytes(): number {
    let obsBytes = 0;
    for (const f of this.obsLayout) obsBytes += 4 * (f.kind === 'box' ? f.size : 1);
    let sub = 0;
    for (const e of this.envs) sub += hasMemoryFootprint(e) ? e.footprintBytes() : 2 * obsBytes;
    return sub + 2 * this.numEnvs * obsBytes;
  }

  /** Closes every sub-env; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.envs) e.close();
  }
}

/**
 * What the agents built from RAM's networks share (`ram`, `random-glimpse`): seeded parameters in
 * a {@link ParamStore}, checkpoint I/O, disposal, and reading a batched glimpse observation.
 * Each subclass builds its networks on `this.params` and implements the rest of {@link Agent}.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../envs/rng';
import type { Batch } from '../../envs/vector-env';
import type { NamedWeights } from '../agent';
import { ParamStore } from './params';

export abstract class GlimpseAgentBase {
  /** Registry id; also the prefix of every error message. */
  abstract readonly id: string;
  protected readonly params: ParamStore;
  private disposed = false;

  /**
   * @param prefix readable part of the tfjs variable names.
   * @param seed seed of the weight initialisation.
   */
  protected constructor(prefix: string, seed: number) {
    this.params = new ParamStore(prefix, new Rng(seed));
  }

  /** Values of one glimpse (`scales * g * g`), for observation checks. */
  protected abstract get glimpseInputSize(): number;

  trainableVariables(): tf.Variable[] {
    return this.params.entries.map(([, v]) => v);
  }

  getWeights(): NamedWeights {
    this.assertLive();
    return this.params.getWeights();
  }

  setWeights(weights: NamedWeights): void {
    this.assertLive();
    this.params.setWeights(weights, this.id);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.dispose();
  }

  protected assertLive(): void {
    if (this.disposed) throw new Error(`${this.id}: agent used after dispose()`);
  }

  /** The glimpse and location arrays of a batched observation, checked against the network. */
  protected readObservation(obs: Batch, what: string): { glimpse: Float32Array; location: Float32Array } {
    const { glimpse, location } = obs;
    if (!(glimpse instanceof Float32Array) || !(location instanceof Float32Array) || location.length % 2 !== 0) {
      throw new Error(`${this.id}: ${what} needs Float32Array 'glimpse' and 'location' (B*2 values)`);
    }
    const batch = location.length / 2;
    const size = this.glimpseInputSize;
    if (glimpse.length !== batch * size) {
      throw new Error(`${this.id}: ${what}.glimpse has ${glimpse.length} values, need ${batch} x ${size} (batch x scales*g*g)`);
    }
    return { glimpse, location };
  }
}

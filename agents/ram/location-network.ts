/**
 * RAM location network: a Gaussian policy over the next glimpse location with mean
 * `tanh(W h + b)` and a fixed standard deviation. Sampling happens in JS with the runner's
 * {@link Rng} (reproducible, checkpointed); the env gets the sample clipped to [-1, 1] while the
 * log-probability uses the unclipped sample, which is what was actually drawn.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../envs/rng';
import { stopGradient } from '../../tensor/ops';
import type { RamConfig } from './config';
import { applyDense, denseLayer, type LayerParams, type ParamStore } from '../glimpse/params';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The location policy's layers: names, checkpoint keys, shapes (see `LayerSpec`). */
export const LOCATION_LAYERS = {
  /** Location policy mean (before tanh). */
  location: denseLayer('location', (c: Pick<RamConfig, 'hidden'>) => [c.hidden, 2]),
};

/** Gaussian location policy of a RAM agent. */
export class LocationNetwork {
  readonly std: number;
  /** Whether the mean reads a stop-gradient of h (`detachLocationInput`): REINFORCE then trains only this head. */
  readonly detachInput: boolean;
  private readonly layers: LayerParams<typeof LOCATION_LAYERS>;

  constructor(params: ParamStore, config: RamConfig) {
    this.std = config.std;
    this.detachInput = config.detachLocationInput === true;
    this.layers = params.layers(LOCATION_LAYERS, config);
  }

  /** `[N, H]` core states to `[N, 2]` policy means in (-1, 1) (through stop(h) when {@link detachInput}). */
  mean(h: tf.Tensor2D): tf.Tensor2D {
    return tf.tanh(applyDense(this.layers.location, this.detachInput ? stopGradient(h) : h));
  }

  /**
   * Log-density of `sample` `[N, 2]` under N(mean, std^2 I), summed over the two coordinates: `[N]`.
   */
  logProb(mean: tf.Tensor2D, sample: tf.Tensor2D): tf.Tensor1D {
    const z = tf.div(tf.sub(sample, mean), this.std);
    const perCoord = tf.sub(tf.mul(tf.square(z), -0.5), Math.log(this.std) + HALF_LOG_2PI);
    return tf.sum(perCoord, 1);
  }

  /**
   * {@link logProb} of `sample` `[N*2]` under means `mean` `[N*2]` as plain float32 values `[N]`,
   * for `act` (no tensors). Every operation is rounded to float32 in the order of the fast
   * replay's kernels (fast/replay.ts: z = (s - mu) / std, sum z^2 * -0.5 - 2 (log std + log(2 pi)/2)),
   * so its values equal the replay's bit for bit (test/activation-cache.test.ts).
   */
  logProbValues(mean: Float32Array, sample: Float32Array): Float32Array {
    const f = Math.fround;
    const std = f(this.std);
    const c = f(2 * (Math.log(this.std) + HALF_LOG_2PI));
    const out = new Float32Array(mean.length / 2);
    for (let i = 0; i < out.length; i++) {
      const z0 = f(f(sample[2 * i] - mean[2 * i]) / std);
      const z1 = f(f(sample[2 * i + 1] - mean[2 * i + 1]) / std);
      out[i] = f(f(f(f(z0 * z0) + f(z1 * z1)) * -0.5) - c);
    }
    return out;
  }

  /**
   * Draws `mean + std * N(0, 1)` per coordinate with `rng` (or returns the mean when `greedy`).
   * @returns the unclipped `sample` (for the log-prob) and the `location` clipped to [-1, 1].
   */
  sample(mean: Float32Array, rng: Rng, greedy: boolean): { sample: Float32Array; location: Float32Array } {
    const sample = new Float32Array(mean.length);
    const location = new Float32Array(mean.length);
    for (let i = 0; i < mean.length; i++) {
      const s = greedy ? mean[i] : mean[i] + this.std * rng.normal();
      sample[i] = s;
      location[i] = s < -1 ? -1 : s > 1 ? 1 : s;
    }
    return { sample, location };
  }
}

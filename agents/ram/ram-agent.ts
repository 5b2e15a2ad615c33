/**
 * The Recurrent Attention Model (Mnih et al. 2014) as an {@link Agent}: glimpse, core, location,
 * action and baseline networks composed. `act` runs one batched step without gradients and
 * samples the next location in JS; `evaluate` replays a stored rollout for the algorithm's tape.
 * A sampled rollout's `act` steps keep their forward activations (fast/activation-cache.ts), so that
 * `evaluate` of that rollout under unchanged weights skips the replay's forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../envs/vector-env';
import type { ActOptions, ActResult, Agent, AgentState, Evaluation } from '../agent';
import type { Rollout } from '../rollout';
import { ActionNetwork } from '../glimpse/action-network';
import { BaselineNetwork } from './baseline-network';
import type { RamConfig } from './config';
import { CoreNetwork } from '../glimpse/core-network';
import { GlimpseNetwork } from '../glimpse/glimpse-network';
import { LocationNetwork } from './location-network';
import { GlimpseAgentBase } from '../glimpse/glimpse-agent-base';
import { ramWeightsOf, type RamWeights } from './weights';
import { ACTIVATION_CACHE_RECORD, ActivationCache, actStep, actTapeEnabled, fastPathAvailable, fastReplay } from './fast';

/** A RAM agent built from a resolved {@link RamConfig} (see `resolveRamConfig`). */
export class RamAgent extends GlimpseAgentBase implements Agent {
  readonly id = 'ram';
  readonly config: Record<string, unknown>;
  private readonly cfg: RamConfig;
  private readonly glimpseNet: GlimpseNetwork;
  private readonly coreNet: CoreNetwork;
  private readonly locationNet: LocationNetwork;
  private readonly actionNet: ActionNetwork;
  private readonly baselineNet: BaselineNetwork;
  /** The networks' variables by layer name (weights.ts): the one view the fast path reads them through. */
  readonly weights: RamWeights;
  /** The forward activations of the last sampled rollout (fast/activation-cache.ts), or null. */
  private tape: ActivationCache | null = null;
  /** Steps of the last tape: the row capacity the next one reserves. */
  private tapeSteps = 8;

  constructor(config: RamConfig) {
    super('ram', config.seed);
    this.cfg = { ...config };
    this.config = { ...config };
    // Creation order fixes both the weight values for a seed and trainableVariables' order.
    this.glimpseNet = new GlimpseNetwork(this.params, config);
    this.coreNet = new CoreNetwork(this.params, config);
    this.locationNet = new LocationNetwork(this.params, config);
    this.actionNet = new ActionNetwork(this.params, config);
    this.baselineNet = new BaselineNetwork(this.params, config);
    this.weights = ramWeightsOf({ glimpse: this.glimpseNet, core: this.coreNet, location: this.locationNet, action: this.actionNet, baseline: this.baselineNet });
  }

  initialState(batchSize: number): AgentState {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`ram: batchSize must be a positive integer, got ${batchSize}`);
    // `zero` lets the first act skip the recurrent matMul on the all-zero state.
    return { tensors: this.coreNet.initialState(batchSize), batchSize, zero: true };
  }

  act(observation: Batch, state: AgentState, options: ActOptions): ActResult {
    this.assertLive();
    const { glimpse, location } = this.readObservation(observation, 'observation');
    const batchSize = location.length / 2;
    if (state.tensors.length !== this.coreNet.stateSize || state.tensors[0].shape[0] !== batchSize) {
      throw new Error(`ram: state is for batch ${state.tensors[0]?.shape[0]} with ${state.tensors.length} tensors, observation has batch ${batchSize}`);
    }
    if (fastPathAvailable(this.cfg.core)) return this.actFast(glimpse, location, state, options);
    const { next, packed } = tf.tidy(() => {
      // Copies: the cpu backend keeps a reference to the array it is given, and envs may reuse theirs.
      const x = tf.tensor2d(Float32Array.from(glimpse), [batchSize, this.glimpseNet.inputSize]);
      const l = tf.tensor2d(Float32Array.from(location), [batchSize, 2]);
      const g = this.glimpseNet.forward(x, l);
      const newState = this.coreNet.step(this.coreNet.project(g), state.zero === true ? null : (state.tensors as tf.Tensor2D[]));
      const h = newState[0];
      const mean = this.locationNet.mean(h);
      const label = tf.cast(tf.expandDims(tf.argMax(this.actionNet.logits(h), 1), 1), 'float32');
      // One [B, 3] read-back (mean x, mean y, label) instead of two.
      return { next: newState, packed: tf.concat([mean, label], 1) };
    });
    const values = packed.dataSync();
    packed.dispose();
    this.disposeState(state);
    const mean = new Float32Array(batchSize * 2);
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      mean[2 * b] = values[3 * b];
      mean[2 * b + 1] = values[3 * b + 1];
      labels[b] = values[3 * b + 2];
    }
    const { sample, location: loc } = this.locationNet.sample(mean, options.rng, options.greedy);
    return {
      action: { location: loc, label: labels },
      state: { tensors: next, batchSize, zero: false },
      record: { sample },
    };
  }

  /**
   * `act` on the fast path (fast/act.ts); labels are the argmax of the logits taken in JS (first
   * maximum, as tf.argMax). Same math as the reference networks.
   */
  private actFast(glimpse: Float32Array, location: Float32Array, state: AgentState, options: ActOptions): ActResult {
    const batchSize = location.length / 2;
    if (!options.greedy && actTapeEnabled()) {
      const tape = this.tapeFor(state, batchSize);
      if (tape !== null) return this.actTaped(tape, glimpse, location, state, options);
    }
    const { h, mean: meanValues, logits: logitValues } = actStep(this.weights, glimpse, location, state.zero === true ? null : (state.tensors[0] as tf.Tensor2D));
    this.disposeState(state);
    const C = logitValues.length / batchSize;
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logitValues[b * C + c] > logitValues[b * C + best]) best = c;
      labels[b] = best;
    }
    const { sample, location: loc } = this.locationNet.sample(meanValues, options.rng, options.greedy);
    return {
      action: { location: loc, label: labels },
      state: { tensors: [h], batchSize, zero: false },
      record: { sample },
    };
  }

  /**
   * The tape a sampled `act` step records into: a new one at the first step of a rollout (zero
   * state), the running one when `state` is its last step's and the weights are unchanged, else
   * null (an untaped step; the rollout's evaluate then replays from scratch).
   */
  private tapeFor(state: AgentState, batchSize: number): ActivationCache | null {
    const weights = this.trainableVariables();
    if (state.zero === true) {
      this.tape?.dispose();
      this.tape = new ActivationCache(this.weights, weights, batchSize, this.glimpseNet.inputSize, this.tapeSteps);
      return this.tape;
    }
    const tape = this.tape;
    if (tape === null || state.tape !== tape.token || state.step !== tape.steps || tape.B !== batchSize) return null;
    if (!tape.weightsUnchanged(weights)) {
      tape.dispose();
      this.tape = null;
      return null;
    }
    return tape;
  }

  /** {@link RamAgent.actFast} recording into `tape` (same math; fast/activation-cache.ts). */
  private actTaped(tape: ActivationCache, glimpse: Float32Array, location: Float32Array, state: AgentState, options: ActOptions): ActResult {
    const batchSize = location.length / 2;
    const { h, mean, logits } = tape.step(this.weights, glimpse, location, state.zero === true ? null : (state.tensors[0] as tf.Tensor2D));
    this.tapeSteps = tape.steps;
    this.disposeState(state);
    const C = logits.length / batchSize;
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[b * C + c] > logits[b * C + best]) best = c;
      labels[b] = best;
    }
    const { sample, location: loc } = this.locationNet.sample(mean, options.rng, options.greedy);
    return {
      action: { location: loc, label: labels },
      state: { tensors: [h], batchSize, zero: false, tape: tape.token, step: tape.steps },
      record: { sample, [ACTIVATION_CACHE_RECORD]: new Int32Array(batchSize).fill(tape.token) },
    };
  }

  disposeState(state: AgentState): void {
    for (const t of state.tensors) if (!t.isDisposed) t.dispose();
  }

  /** Frees the variables and the act tape. */
  override dispose(): void {
    this.tape?.dispose();
    this.tape = null;
    super.dispose();
  }

  /**
   * Replays `rollout` for the algorithm's tape. On the fast path, one op with a hand-written
   * gradient (fast/replay.ts: same values, a fraction of the kernels); otherwise the reference
   * networks under autograd ({@link RamAgent.evaluateReference}).
   */
  evaluate(rollout: Rollout): Evaluation {
    this.assertLive();
    if (!fastPathAvailable(this.cfg.core)) return this.evaluateReference(rollout);
    const { batchSize: B, steps: T } = rollout;
    // The act-time activations of this rollout, when it has them and the weights have not moved since.
    const recorded = this.tape?.forwardFor(rollout, this.trainableVariables()) ?? undefined;
    const { glimpses, locations, samples } = this.stackRollout(rollout, recorded === undefined);
    const out = fastReplay(this.weights, {
      T, B, glimpses, locations, samples, std: this.cfg.std, detachLocationInput: this.cfg.detachLocationInput === true,
    }, recorded);
    return { ...out, decisionMask: this.decisionMask(T, B) };
  }

  /**
   * Whether `evaluate(rollout)` would reuse the act tape (skip the replay's forward) right now:
   * the rollout is the last sampled one this agent acted on, with unchanged weights. For tests
   * and benchmarks; `evaluate` decides by itself.
   */
  hasTapeFor(rollout: Rollout): boolean {
    this.assertLive();
    return fastPathAvailable(this.cfg.core) && this.tape?.forwardFor(rollout, this.trainableVariables()) != null;
  }

  /**
   * The same replay through the reference networks under plain autograd (any core, any backend):
   * the definition the fast path is tested against, and the path wherever it does not run.
   */
  evaluateReference(rollout: Rollout): Evaluation {
    this.assertLive();
    const { batchSize: B, steps: T } = rollout;
    const D = this.glimpseNet.inputSize;
    const { glimpses, locations, samples } = this.stackRollout(rollout);
    const x = tf.tensor2d(glimpses, [T * B, D]);
    const l = tf.tensor2d(locations, [T * B, 2]);
    const s = tf.tensor2d(samples, [T * B, 2]);
    const projected = this.coreNet.project(this.glimpseNet.forward(x, l));
    const inputs = T === 1 ? [projected] : (tf.split(projected, T, 0) as tf.Tensor2D[]);
    let state: tf.Tensor2D[] | null = null; // the zero initial state
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < T; t++) {
      state = this.coreNet.step(inputs[t], state);
      hs.push(state[0]);
    }
    const hAll = T === 1 ? hs[0] : (tf.concat(hs, 0) as tf.Tensor2D);
    const logProbs = tf.reshape(this.locationNet.logProb(this.locationNet.mean(hAll), s), [T, B]) as tf.Tensor2D;
    const baselines = tf.reshape(this.baselineNet.forward(hAll), [T, B]) as tf.Tensor2D;
    const classLogProbs = tf.logSoftmax(this.actionNet.logits(hs[T - 1]));
    return { logProbs, baselines, classLogProbs, decisionMask: this.decisionMask(T, B) };
  }

  /** `[T, B]`: 1 for every decision but the last step's (its location is never used). */
  private decisionMask(T: number, B: number): tf.Tensor2D {
    const mask = new Float32Array(T * B);
    mask.fill(1, 0, (T - 1) * B);
    return tf.tensor2d(mask, [T, B]);
  }

  /**
   * Checks a rollout and stacks its T steps step-major. Glimpses do not depend on the parameters
   * once locations are fixed, so all T steps go through the glimpse network as one [T*B, .] batch.
   */
  private stackRollout(rollout: Rollout, inputs = true): { glimpses: Float32Array; locations: Float32Array; samples: Float32Array } {
    const { batchSize: B, steps: T } = rollout;
    if (!Number.isInteger(T) || T < 1 || rollout.observations.length !== T || rollout.records.length !== T) {
      throw new Error(`ram: rollout needs ${T} observations and records (steps=${T}), got ${rollout.observations.length} and ${rollout.records.length}`);
    }
    const D = this.glimpseNet.inputSize;
    // Without `inputs` (the act tape holds them) only the samples are stacked; the checks all run.
    const glimpses = new Float32Array(inputs ? T * B * D : 0);
    const locations = new Float32Array(inputs ? T * B * 2 : 0);
    const samples = new Float32Array(T * B * 2);
    for (let t = 0; t < T; t++) {
      const { glimpse, location } = this.readObservation(rollout.observations[t], `observations[${t}]`);
      if (location.length !== B * 2) throw new Error(`ram: observations[${t}] has batch ${location.length / 2}, rollout batchSize is ${B}`);
      const sample = rollout.records[t]?.sample;
      if (!(sample instanceof Float32Array) || sample.length !== B * 2) {
        throw new Error(`ram: records[${t}].sample must be a Float32Array of ${B * 2} (the unclipped location samples from act)`);
      }
      if (inputs) {
        glimpses.set(glimpse, t * B * D);
        locations.set(location, t * B * 2);
      }
      samples.set(sample, t * B * 2);
    }
    return { glimpses, locations, samples };
  }

  protected get glimpseInputSize(): number {
    return this.glimpseNet.inputSize;
  }
}

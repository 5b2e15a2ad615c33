/**
 * The paper's random-glimpse control (Mnih et al. 2014, table 2: 14.4% error on 60x60 cluttered
 * MNIST): glimpses at uniform random locations, so only the classifier (the glimpse, core and
 * action networks of the glimpse-agent kit, agents/glimpse, as RAM has them) learns. Comparing it with `ram` shows what learned
 * attention buys.
 *
 * Locations are drawn uniformly in [-1, 1]^2 from the `rng` that `act` is given, also when
 * `greedy`: the control has no policy to be greedy about. Evaluation stays reproducible because
 * the runner seeds the evaluation RNG. `evaluate` returns zero log-probs, no baselines: an
 * algorithm's policy-gradient and baseline terms are constants for this agent and train nothing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../envs/vector-env';
import type { ActOptions, ActResult, Agent, AgentState, Evaluation } from '../agent';
import type { Rollout } from '../rollout';
import { ActionNetwork } from '../glimpse/action-network';
import { CoreNetwork } from '../glimpse/core-network';
import { GlimpseNetwork } from '../glimpse/glimpse-network';
import { GlimpseAgentBase } from '../glimpse/glimpse-agent-base';
import type { RandomGlimpseConfig } from './config';

/** A random-glimpse agent built from a resolved {@link RandomGlimpseConfig}. */
export class RandomGlimpseAgent extends GlimpseAgentBase implements Agent {
  readonly id = 'random-glimpse';
  readonly config: Record<string, unknown>;
  private readonly glimpseNet: GlimpseNetwork;
  private readonly coreNet: CoreNetwork;
  private readonly actionNet: ActionNetwork;

  constructor(config: RandomGlimpseConfig) {
    super('random-glimpse', config.seed);
    this.config = { ...config };
    // Same creation order as RAM's, so the shared layers start from the same weights for a seed.
    this.glimpseNet = new GlimpseNetwork(this.params, config);
    this.coreNet = new CoreNetwork(this.params, config);
    this.actionNet = new ActionNetwork(this.params, config);
  }

  initialState(batchSize: number): AgentState {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`random-glimpse: batchSize must be a positive integer, got ${batchSize}`);
    return { tensors: this.coreNet.initialState(batchSize), batchSize, zero: true };
  }

  act(observation: Batch, state: AgentState, options: ActOptions): ActResult {
    this.assertLive();
    const { glimpse, location } = this.readObservation(observation, 'observation');
    const batchSize = location.length / 2;
    if (state.tensors.length !== this.coreNet.stateSize || state.tensors[0].shape[0] !== batchSize) {
      throw new Error(`random-glimpse: state is for batch ${state.tensors[0]?.shape[0]} with ${state.tensors.length} tensors, observation has batch ${batchSize}`);
    }
    const { next, label } = tf.tidy(() => {
      // Copies: the cpu backend keeps a reference to the array it is given, and envs may reuse theirs.
      const x = tf.tensor2d(Float32Array.from(glimpse), [batchSize, this.glimpseNet.inputSize]);
      const l = tf.tensor2d(Float32Array.from(location), [batchSize, 2]);
      const projected = this.coreNet.project(this.glimpseNet.forward(x, l));
      const newState = this.coreNet.step(projected, state.zero === true ? null : (state.tensors as tf.Tensor2D[]));
      return { next: newState, label: tf.argMax(this.actionNet.logits(newState[0]), 1) };
    });
    const labels = Int32Array.from(label.dataSync());
    label.dispose();
    this.disposeState(state);
    const loc = new Float32Array(batchSize * 2);
    for (let i = 0; i < loc.length; i++) loc[i] = Math.fround(options.rng.uniformRange(-1, 1));
    return { action: { location: loc, label: labels }, state: { tensors: next, batchSize, zero: false } };
  }

  disposeState(state: AgentState): void {
    for (const t of state.tensors) if (!t.isDisposed) t.dispose();
  }

  evaluate(rollout: Rollout): Evaluation {
    this.assertLive();
    const { batchSize: B, steps: T } = rollout;
    if (!Number.isInteger(T) || T < 1 || rollout.observations.length !== T) {
      throw new Error(`random-glimpse: rollout needs ${T} observations (steps=${T}), got ${rollout.observations.length}`);
    }
    const D = this.glimpseNet.inputSize;
    // The glimpses are fixed inputs: all T steps go through the glimpse network in one matMul.
    const glimpses = new Float32Array(T * B * D);
    const locations = new Float32Array(T * B * 2);
    for (let t = 0; t < T; t++) {
      const { glimpse, location } = this.readObservation(rollout.observations[t], `observations[${t}]`);
      if (location.length !== B * 2) throw new Error(`random-glimpse: observations[${t}] has batch ${location.length / 2}, rollout batchSize is ${B}`);
      glimpses.set(glimpse, t * B * D);
      locations.set(location, t * B * 2);
    }
    const projected = this.coreNet.project(this.glimpseNet.forward(tf.tensor2d(glimpses, [T * B, D]), tf.tensor2d(locations, [T * B, 2])));
    const inputs = T === 1 ? [projected] : (tf.split(projected, T, 0) as tf.Tensor2D[]);
    let state: tf.Tensor2D[] | null = null; // the zero initial state
    for (let t = 0; t < T; t++) state = this.coreNet.step(inputs[t], state);
    const classLogProbs = tf.logSoftmax(this.actionNet.logits(state![0]));
    const mask = new Float32Array(T * B);
    mask.fill(1, 0, (T - 1) * B);
    // No location policy: its log-probs are constant zeros and there is no baseline.
    return { logProbs: tf.zeros([T, B]) as tf.Tensor2D, baselines: null, classLogProbs, decisionMask: tf.tensor2d(mask, [T, B]) };
  }

  protected get glimpseInputSize(): number {
    return this.glimpseNet.inputSize;
  }
}

/**
 * The Recurrent Attention Model (Mnih et al. 2014) as an {@link Agent}: glimpse, core, location,
 * action and baseline networks composed. `act` runs one batched step without gradients and
 * samples the next location in JS, returning what learning needs (location log-prob, baseline,
 * class logits: `ActOutputs`); `evaluate` replays a stored rollout for the algorithm's tape.
 * Where the fast path runs (fast/), `act` can record its activations into the rollout's cache
 * (`ActivationCaching`), and `evaluate` of that rollout under unchanged weights skips the
 * replay's forward pass; elsewhere both run the reference networks.
 *
 * With the `context` option (Ba et al. 2015; context-network.ts) the first act step of an
 * episode, on the agent's initial state, is the context step: the env's coarse view sets the
 * state (h0 = relu(Wctx k + bctx), and c0 = 0 for the lstm) and the step's glimpse is ignored;
 * its location mean, baseline and logits come from h0 as on any step, so the location it samples
 * (glimpse 1's) is a REINFORCE decision like the others. Every later step is an ordinary RAM step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../../envs/vector-env';
import type { ActivationCaching, ActOptions, ActResult, Agent, AgentState, Evaluation, NamedWeights } from '../agent';
import type { Rollout, RolloutCache } from '../rollout';
import { ActionNetwork } from '../glimpse/action-network';
import { BaselineNetwork } from './baseline-network';
import type { RamConfig } from './config';
import { CoreNetwork } from '../glimpse/core-network';
import { GlimpseNetwork } from '../glimpse/glimpse-network';
import { LocationNetwork } from './location-network';
import { ContextNetwork } from './context-network';
import { GlimpseAgentBase } from '../glimpse/glimpse-agent-base';
import { ramWeightsOf, type RamWeights } from './weights';
import { ActivationCache, actStep, fastPathAvailable, fastReplay, type ForwardBuffers, type WeightsStamp } from './fast';

/** What one act step computes, before sampling: next state, location means, baseline, logits. */
interface ActStep {
  state: tf.Tensor2D[];
  mean: Float32Array;
  baseline: Float32Array;
  logits: Float32Array;
}

/** A RAM agent built from a resolved {@link RamConfig} (see `resolveRamConfig`). */
export class RamAgent extends GlimpseAgentBase implements Agent, ActivationCaching {
  readonly id = 'ram';
  readonly config: Record<string, unknown>;
  private readonly cfg: RamConfig;
  private readonly glimpseNet: GlimpseNetwork;
  private readonly coreNet: CoreNetwork;
  private readonly locationNet: LocationNetwork;
  private readonly actionNet: ActionNetwork;
  private readonly baselineNet: BaselineNetwork;
  /** The context network (option `context`), or null. */
  private readonly contextNet: ContextNetwork | null;
  /** The networks' variables by layer name (weights.ts): the one view the fast path reads them through. */
  readonly weights: RamWeights;
  /** States made by initialState (all zero): act skips their recurrent product. */
  private readonly initialStates = new WeakSet<AgentState>();
  /** Steps of the last recorded rollout: the row capacity the next cache reserves. */
  private cacheSteps = 8;
  /** Bumped by setWeights and weightsChanged: the explicit version activation caches check. */
  private weightsVersion = 0;

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
    // Optional layers last: without them every other weight is what it was for the seed.
    if (config.context === true) {
      if (!Number.isInteger(config.contextSize) || (config.contextSize as number) < 1) throw new Error(`ram: context needs contextSize (the env's coarse view size), got ${String(config.contextSize)}`);
      this.contextNet = new ContextNetwork(this.params, { contextSize: config.contextSize as number, hidden: config.hidden });
    } else {
      this.contextNet = null;
    }
    this.weights = ramWeightsOf(this.params.entries);
  }

  initialState(batchSize: number): AgentState {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`ram: batchSize must be a positive integer, got ${batchSize}`);
    const state: AgentState = { tensors: this.coreNet.initialState(batchSize) };
    this.initialStates.add(state);
    return state;
  }

  act(observation: Batch, state: AgentState, options: ActOptions): ActResult {
    this.assertLive();
    const { glimpse, location } = this.readObservation(observation, 'observation');
    const batchSize = location.length / 2;
    if (state.tensors.length !== this.coreNet.stateSize || state.tensors[0].shape[0] !== batchSize) {
      throw new Error(`ram: state is for batch ${state.tensors[0]?.shape[0]} with ${state.tensors.length} tensors, observation has batch ${batchSize}`);
    }
    // The initial (all-zero) state: its recurrent product is skipped; with the context network it
    // is the context step, whose state comes from the coarse view.
    const prev = this.initialStates.has(state) ? null : (state.tensors as tf.Tensor2D[]);
    const context = prev === null && this.contextNet !== null ? this.readContext(observation, batchSize, 'observation') : null;
    const step = this.fast ? this.stepFast(glimpse, location, prev, context, options) : this.stepReference(glimpse, location, prev, context);
    this.disposeState(state);
    const { mean, logits } = step;
    const C = this.cfg.numClasses;
    // Labels: the argmax of the logits (first maximum, as tf.argMax).
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (logits[b * C + c] > logits[b * C + best]) best = c;
      labels[b] = best;
    }
    const { sample, location: loc } = this.locationNet.sample(mean, options.rng, options.greedy);
    return {
      action: { location: loc, label: labels },
      state: { tensors: step.state },
      record: { sample },
      outputs: { logProb: this.locationNet.logProbValues(mean, sample), baseline: step.baseline, classLogits: logits },
    };
  }

  /** Whether act and evaluate run the fast path (fast/) for this agent now. */
  private get fast(): boolean {
    return fastPathAvailable(this.cfg.core);
  }

  /**
   * One step through the reference networks (any core, any backend). `context` (the context
   * step, `prev` null): the state is set from the coarse views and the glimpse is not read.
   */
  private stepReference(glimpse: Float32Array, location: Float32Array, prev: tf.Tensor2D[] | null, context: Float32Array | null): ActStep {
    const batchSize = location.length / 2;
    const C = this.cfg.numClasses;
    const { next, packed } = tf.tidy(() => {
      let newState: tf.Tensor2D[];
      if (context !== null && this.contextNet !== null) {
        newState = this.coreNet.stateFrom(this.contextNet.forward(tf.tensor2d(Float32Array.from(context), [batchSize, this.contextNet.inputSize])));
      } else {
        // Copies: the cpu backend keeps a reference to the array it is given, and envs may reuse theirs.
        const x = tf.tensor2d(Float32Array.from(glimpse), [batchSize, this.glimpseNet.inputSize]);
        const l = tf.tensor2d(Float32Array.from(location), [batchSize, 2]);
        newState = this.coreNet.step(this.coreNet.project(this.glimpseNet.forward(x, l)), prev);
      }
      const h = newState[0];
      // One [B, 3 + C] read-back (mean x, mean y, baseline, logits) instead of three.
      const heads = tf.concat([this.locationNet.mean(h), tf.expandDims(this.baselineNet.forward(h), 1), this.actionNet.logits(h)], 1);
      return { next: newState, packed: heads };
    });
    const values = packed.dataSync() as Float32Array;
    packed.dispose();
    const mean = new Float32Array(batchSize * 2);
    const baseline = new Float32Array(batchSize);
    const logits = new Float32Array(batchSize * C);
    const W = 3 + C;
    for (let b = 0; b < batchSize; b++) {
      mean[2 * b] = values[W * b];
      mean[2 * b + 1] = values[W * b + 1];
      baseline[b] = values[W * b + 2];
      logits.set(values.subarray(W * b + 3, W * (b + 1)), b * C);
    }
    return { state: next, mean, baseline, logits };
  }

  /**
   * One step on the fast path (fast/act.ts), recorded into `options.cache` when it is this
   * agent's activation cache and can take the step (fast/activation-cache.ts).
   */
  private stepFast(glimpse: Float32Array, location: Float32Array, prev: tf.Tensor2D[] | null, context: Float32Array | null, options: ActOptions): ActStep {
    const hPrev = prev === null ? null : prev[0];
    const cache = options.cache instanceof ActivationCache && options.cache.owner === this ? options.cache : null;
    const stamp = this.weightsStamp();
    const out = cache !== null && cache.accepts(hPrev, stamp)
      ? cache.step(this.weights, glimpse, location, prev, stamp, context)
      : actStep(this.weights, glimpse, location, prev, context);
    if (cache !== null) this.cacheSteps = Math.max(1, cache.steps);
    return { state: out.c === null ? [out.h] : [out.h, out.c], mean: out.mean, baseline: out.baseline, logits: out.logits };
  }

  /**
   * A new activation cache for one rollout of `batchSize` episodes (ActivationCaching). It
   * records only on the fast path; elsewhere it stays empty and the replay recomputes.
   */
  createRolloutCache(batchSize: number): RolloutCache {
    this.assertLive();
    if (!this.fast) return { dispose: () => undefined };
    return new ActivationCache(this, this.weights, batchSize, this.glimpseNet.inputSize, this.cacheSteps);
  }

  override setWeights(weights: NamedWeights): void {
    super.setWeights(weights);
    this.weightsVersion++;
  }

  weightsChanged(): void {
    this.weightsVersion++;
  }

  /** The weights' version as the activation cache checks it (see fast/activation-cache.ts). */
  private weightsStamp(): WeightsStamp {
    return { version: this.weightsVersion, buffers: this.trainableVariables().map((v) => v.dataId) };
  }

  disposeState(state: AgentState): void {
    for (const t of state.tensors) if (!t.isDisposed) t.dispose();
  }


  /**
   * Replays `rollout` for the algorithm's tape. On the fast path, one op with a hand-written
   * gradient (fast/replay.ts: same values, a fraction of the kernels); otherwise the reference
   * networks under autograd ({@link RamAgent.evaluateReference}).
   */
  evaluate(rollout: Rollout): Evaluation {
    this.assertLive();
    const { batchSize: B, steps: T } = rollout;
    // A context step alone (no glimpse: no env makes one) is left to the reference networks.
    if (!this.fast || (this.contextNet !== null && T < 2)) return this.evaluateReference(rollout);
    // The act-time activations of this rollout, when it has them and the weights have not moved since.
    const recorded = this.cachedForward(rollout) ?? undefined;
    const { glimpses, locations, samples, contexts } = this.stackRollout(rollout, recorded === undefined);
    const out = fastReplay(this.weights, {
      T, B, glimpses, locations, samples, contexts, std: this.cfg.std, detachLocationInput: this.cfg.detachLocationInput === true,
    }, recorded);
    return { ...out, decisionMask: this.decisionMask(T, B) };
  }

  /**
   * Whether `evaluate(rollout)` would reuse the rollout's activation cache (skip the replay's
   * forward) right now. For tests and benchmarks; `evaluate` decides by itself.
   */
  usesCacheFor(rollout: Rollout): boolean {
    this.assertLive();
    return this.cachedForward(rollout) !== null;
  }

  private cachedForward(rollout: Rollout): ForwardBuffers | null {
    const cache = rollout.cache;
    if (!this.fast || !(cache instanceof ActivationCache) || cache.owner !== this) return null;
    return cache.forwardFor(rollout, this.weightsStamp());
  }

  /**
   * The same replay through the reference networks under plain autograd (any core, any backend):
   * the definition the fast path is tested against, and the path wherever it does not run.
   */
  evaluateReference(rollout: Rollout): Evaluation {
    this.assertLive();
    const { batchSize: B, steps: T } = rollout;
    const D = this.glimpseNet.inputSize;
    const { glimpses, locations, samples, contexts } = this.stackRollout(rollout);
    const s = tf.tensor2d(samples, [T * B, 2]);
    // With the context network, step 0 is the context step: its state comes from the coarse
    // views and its glimpse is not read, so only steps 1.. go through the glimpse network.
    const first = this.contextNet !== null ? 1 : 0;
    let state: tf.Tensor2D[] | null = null; // the zero initial state
    const hs: tf.Tensor2D[] = [];
    if (this.contextNet !== null) {
      state = this.coreNet.stateFrom(this.contextNet.forward(tf.tensor2d(contexts, [B, this.contextNet.inputSize])));
      hs.push(state[0]);
    }
    const G = T - first; // glimpse steps
    if (G > 0) {
      const x = tf.tensor2d(glimpses.subarray(first * B * D), [G * B, D]);
      const l = tf.tensor2d(locations.subarray(first * B * 2), [G * B, 2]);
      const projected = this.coreNet.project(this.glimpseNet.forward(x, l));
      const inputs = G === 1 ? [projected] : (tf.split(projected, G, 0) as tf.Tensor2D[]);
      for (let t = 0; t < G; t++) {
        state = this.coreNet.step(inputs[t], state);
        hs.push(state[0]);
      }
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
  private stackRollout(rollout: Rollout, inputs = true): { glimpses: Float32Array; locations: Float32Array; samples: Float32Array; contexts: Float32Array } {
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
    // The context step's coarse views (step 0; later steps repeat them and are not read).
    const contexts = this.contextNet !== null ? this.readContext(rollout.observations[0], B, 'observations[0]') : new Float32Array(0);
    return { glimpses, locations, samples, contexts };
  }

  /** The `context` array of a batched observation (`[B, contextSize]`), checked; with the context network only. */
  private readContext(obs: Batch, batch: number, what: string): Float32Array {
    const size = this.contextNet?.inputSize ?? 0;
    const context = obs.context;
    if (!(context instanceof Float32Array)) {
      throw new Error(`ram: ${what} has no 'context' (the agent has context: true); give the env envKwargs.context, e.g. {"context": 12}`);
    }
    if (context.length !== batch * size) throw new Error(`ram: ${what}.context has ${context.length} values, need ${batch} x ${size} (batch x the coarse view's c*c)`);
    return context;
  }

  protected get glimpseInputSize(): number {
    return this.glimpseNet.inputSize;
  }
}

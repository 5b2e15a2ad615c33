/**
 * A new agent in a user's own package: a GRU core in place of RAM's, on the glimpse network and
 * classifier head of glimpse-gym's glimpse-agent kit, with a Gaussian location policy and a
 * learned baseline. Load it with `rl-run --require ./gru-agent.js --agent gru`.
 */
import {
  ActionNetwork, GLIMPSE_CLASSIFIER_OPTIONS, GlimpseAgentBase, GlimpseNetwork, applyDense, registerAgent,
  resolveGlimpseAgentOptions, stopGradient, tf,
  type ActOptions, type ActResult, type Agent, type AgentState, type Batch, type Dense, type Evaluation, type OptionSchema, type Rollout,
} from 'glimpse-gym';

// The kit's layer widths (glimpseHidden, locationHidden, glimpseFeatures, hidden); the core is ours.
const { core: _core, ...WIDTHS } = GLIMPSE_CLASSIFIER_OPTIONS;

/** The options `gru` declares: `rl-run list --agent gru` prints them, `--set agent.std=0.1` sets one. */
export const GRU_OPTIONS: OptionSchema = {
  ...WIDTHS,
  std: { type: 'number', min: 0, exclusiveMin: true, default: 0.17, help: 'std of the Gaussian location policy', flag: 'std' },
  seed: { type: 'integer', min: 0, max: 4294967295, help: 'seed of the weight initialisation (default: the run seed)' },
};

type GruConfig = { glimpseHidden: number; locationHidden: number; glimpseFeatures: number; hidden: number; std: number; seed: number; scales: number; glimpseSize: number; numClasses: number };

export class GruAgent extends GlimpseAgentBase implements Agent {
  readonly id = 'gru';
  readonly config: Record<string, unknown>;
  private readonly glimpseNet: GlimpseNetwork;
  private readonly input: Dense; // x -> [reset | update | candidate] pre-activations
  private readonly recurrent: tf.Variable;
  private readonly location: Dense;
  private readonly baseline: Dense;
  private readonly actionNet: ActionNetwork;

  constructor(private readonly cfg: GruConfig) {
    super('gru', cfg.seed);
    this.config = { ...cfg };
    this.glimpseNet = new GlimpseNetwork(this.params, cfg);
    this.input = this.params.dense('core/input', cfg.glimpseFeatures, 3 * cfg.hidden);
    this.recurrent = this.params.matrix('core/recurrent', cfg.hidden, 3 * cfg.hidden);
    this.location = this.params.dense('location', cfg.hidden, 2);
    this.baseline = this.params.dense('baseline', cfg.hidden, 1);
    this.actionNet = new ActionNetwork(this.params, cfg);
  }

  protected get glimpseInputSize(): number {
    return this.glimpseNet.inputSize;
  }

  /** The state is `[h]`; none yet means h = 0. */
  initialState(batchSize: number): AgentState {
    return { tensors: [], batchSize };
  }

  /** One GRU step on a glimpse: `h' = (1 - z) n + z h`. */
  private step(glimpse: Float32Array, location: Float32Array, h: tf.Tensor2D | null): tf.Tensor2D {
    const B = location.length / 2;
    const g = this.glimpseNet.forward(tf.tensor2d(glimpse, [B, this.glimpseNet.inputSize]), tf.tensor2d(location, [B, 2]));
    const [xr, xz, xn] = tf.split(applyDense(this.input, g), 3, 1) as tf.Tensor2D[];
    if (h === null) return tf.mul(tf.sub(1, tf.sigmoid(xz)), tf.tanh(xn)) as tf.Tensor2D;
    const [hr, hz, hn] = tf.split(tf.matMul(h, this.recurrent as tf.Tensor2D), 3, 1) as tf.Tensor2D[];
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(tf.sigmoid(tf.add(xr, hr)), hn)));
    return tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
  }

  act(observation: Batch, state: AgentState, options: ActOptions): ActResult {
    this.assertLive();
    const { glimpse, location } = this.readObservation(observation, 'observation');
    const B = location.length / 2;
    const { h, packed } = tf.tidy(() => {
      const h = this.step(Float32Array.from(glimpse), Float32Array.from(location), (state.tensors[0] as tf.Tensor2D) ?? null);
      const label = tf.cast(tf.expandDims(tf.argMax(this.actionNet.logits(h), 1), 1), 'float32');
      return { h, packed: tf.concat([tf.tanh(applyDense(this.location, h)), label], 1) };
    });
    const values = packed.dataSync();
    packed.dispose();
    this.disposeState(state);
    const sample = new Float32Array(2 * B); // what was drawn, for the log-prob in evaluate
    const next = new Float32Array(2 * B); // clipped to the image, for the env
    const labels = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < 2; k++) {
        const mean = values[3 * b + k];
        sample[2 * b + k] = options.greedy ? mean : mean + this.cfg.std * options.rng.normal();
        next[2 * b + k] = Math.min(1, Math.max(-1, sample[2 * b + k]));
      }
      labels[b] = values[3 * b + 2];
    }
    return { action: { location: next, label: labels }, state: { tensors: [h], batchSize: B }, record: { sample } };
  }

  disposeState(state: AgentState): void {
    for (const t of state.tensors) if (!t.isDisposed) t.dispose();
  }

  /** Replays the rollout inside the algorithm's gradient tape. */
  evaluate(rollout: Rollout): Evaluation {
    this.assertLive();
    const { batchSize: B, steps: T } = rollout;
    const logProbs: tf.Tensor1D[] = [];
    const baselines: tf.Tensor1D[] = [];
    let h: tf.Tensor2D | null = null;
    for (let t = 0; t < T; t++) {
      const { glimpse, location } = this.readObservation(rollout.observations[t], `observations[${t}]`);
      h = this.step(glimpse, location, h);
      // log N(sample; mean, std^2) summed over x and y (the constant term does not matter for gradients).
      const z = tf.div(tf.sub(tf.tensor2d(rollout.records[t].sample as Float32Array, [B, 2]), tf.tanh(applyDense(this.location, h))), this.cfg.std);
      logProbs.push(tf.sum(tf.mul(tf.square(z), -0.5), 1));
      baselines.push(tf.reshape(applyDense(this.baseline, stopGradient(h)), [B]));
    }
    const mask = new Float32Array(T * B).fill(1, 0, (T - 1) * B); // the last location is never looked at
    return {
      logProbs: tf.stack(logProbs) as tf.Tensor2D,
      baselines: tf.stack(baselines) as tf.Tensor2D,
      classLogProbs: tf.logSoftmax(this.actionNet.logits(h!)),
      decisionMask: tf.tensor2d(mask, [T, B]),
    };
  }
}

registerAgent('gru', {
  description: "GRU-core glimpse agent (user package example): the kit's glimpse network and classifier, Gaussian locations, baseline",
  options: GRU_OPTIONS,
  create: (env, options, context) => new GruAgent(resolveGlimpseAgentOptions('gru', env, GRU_OPTIONS, options, context) as unknown as GruConfig),
});

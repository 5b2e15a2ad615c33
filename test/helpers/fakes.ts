/**
 * A tiny fake env, agent and algorithm implementing the shared contracts, so runner tests do not
 * depend on the real MNIST env or RAM agent. The task is learnable: item i has class i % C and its
 * observation is a noisy one-hot of that class; a softmax-regression agent learns it in a few steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ActOptions, ActResult, Agent, AgentEnvInfo, AgentState, Evaluation, NamedWeights } from '../../agents/agent';
import type { Rollout } from '../../agents/rollout';
import type { Algorithm, AlgorithmState, Metrics } from '../../algorithms/algorithm';
import type { EnvSpec, Info } from '../../envs/core';
import { Rng } from '../../envs/rng';
import { Box, Dict, Discrete } from '../../envs/spaces';
import { subEnvSeeds, type Batch, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from '../../envs/vector-env';
import type { Components } from '../../runners/components';

/** Options of the fake env (all optional, passed as env kwargs). */
export interface FakeEnvKwargs {
  classes?: number;
  steps?: number;
  items?: number;
  split?: string;
  noise?: number;
}

/** A vector env of the fake task (see module doc). */
export class FakeVectorEnv implements VectorEnv {
  readonly singleObservationSpace: Dict;
  readonly singleActionSpace: Dict;
  readonly spec: EnvSpec;
  readonly numItems: number;
  readonly classes: number;
  readonly steps: number;
  private readonly noise: number;
  private rngs: Rng[];
  private items: Int32Array;
  private t = 0;
  closed = 0;

  constructor(readonly numEnvs: number, kwargs: FakeEnvKwargs = {}) {
    const known = ['classes', 'steps', 'items', 'split', 'noise'];
    for (const k of Object.keys(kwargs)) if (!known.includes(k)) throw new Error(`fake env: unknown kwarg '${k}'`);
    this.classes = kwargs.classes ?? 3;
    this.steps = kwargs.steps ?? 2;
    this.numItems = kwargs.items ?? 60;
    this.noise = kwargs.noise ?? 0.3;
    this.singleObservationSpace = new Dict({ x: new Box(-10, 10, [this.classes]) });
    this.singleActionSpace = new Dict({ location: new Box(-1, 1, [2]), label: new Discrete(this.classes) });
    this.spec = { id: 'fake', maxEpisodeSteps: this.steps, kwargs: { ...kwargs } };
    this.rngs = Array.from({ length: numEnvs }, (_, i) => new Rng(i));
    this.items = new Int32Array(numEnvs);
  }

  private observe(): Batch {
    const x = new Float32Array(this.numEnvs * this.classes);
    for (let i = 0; i < this.numEnvs; i++) {
      for (let c = 0; c < this.classes; c++) x[i * this.classes + c] = this.noise * this.rngs[i].normal();
      x[i * this.classes + (this.items[i] % this.classes)] += 1;
    }
    return { x };
  }

  reset(options: VectorResetOptions = {}): VectorResetResult {
    const seeds = subEnvSeeds(options.seed, this.numEnvs, 'fake env reset');
    for (let i = 0; i < this.numEnvs; i++) {
      const seed = seeds?.[i];
      if (seed !== undefined) this.rngs[i].seed(seed);
      const o = Array.isArray(options.options) ? options.options[i] : options.options;
      const index = o?.index;
      this.items[i] = typeof index === 'number' ? index : this.rngs[i].int(this.numItems);
      if (this.items[i] < 0 || this.items[i] >= this.numItems) throw new Error(`fake env: index ${this.items[i]} out of [0, ${this.numItems})`);
    }
    this.t = 0;
    return { observations: this.observe(), infos: Array.from({ length: this.numEnvs }, () => ({})) };
  }

  step(actions: Batch): VectorStepResult {
    this.t++;
    const last = this.t >= this.steps;
    const rewards = new Float32Array(this.numEnvs);
    const infos: Info[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      const label = this.items[i] % this.classes;
      if (last) rewards[i] = actions.label[i] === label ? 1 : 0;
      infos.push(last ? { label } : {});
    }
    return { observations: this.observe(), rewards, terminated: new Uint8Array(this.numEnvs).fill(last ? 1 : 0), truncated: new Uint8Array(this.numEnvs), infos };
  }

  close(): void {
    this.closed++;
  }
}

/** Softmax regression on the last observation; location samples draw from the runner's RNG. */
export class FakeAgent implements Agent {
  readonly id = 'fake';
  readonly config: Record<string, unknown>;
  readonly w: tf.Variable;
  private readonly classes: number;

  constructor(env: AgentEnvInfo, options: Record<string, unknown> = {}) {
    const known = ['hidden', 'std', 'core', 'classes', 'rows', 'seed'];
    for (const k of Object.keys(options)) if (!known.includes(k)) throw new Error(`fake agent: unknown option '${k}'`);
    const x = (env.observationSpace as Dict).spaces.x as Box;
    this.classes = x.size;
    // `hidden` only changes the weight shape, to test shape-mismatch errors on load.
    const rows = typeof options.hidden === 'number' ? options.hidden : typeof options.rows === 'number' ? options.rows : this.classes;
    this.config = { classes: this.classes, rows };
    this.w = tf.tidy(() => tf.variable(tf.zeros([rows, this.classes]), true, `fake/w${nextId++}`));
  }

  initialState(): AgentState {
    return { tensors: [] };
  }

  act(observation: Batch, state: AgentState, options: ActOptions): ActResult {
    const B = observation.x.length / this.classes;
    const label = tf.tidy(() => tf.argMax(tf.matMul(tf.tensor2d(observation.x as Float32Array, [B, this.classes]), tf.slice(this.w, [0, 0], [this.classes, this.classes])), 1));
    const labels = Int32Array.from(label.dataSync());
    label.dispose();
    const location = new Float32Array(B * 2);
    if (!options.greedy) for (let i = 0; i < location.length; i++) location[i] = Math.max(-1, Math.min(1, 0.1 * options.rng.normal()));
    return { action: { location, label: labels }, state, record: { noise: location.slice() } };
  }

  disposeState(): void {}

  evaluate(rollout: Rollout): Evaluation {
    const B = rollout.batchSize;
    const T = rollout.steps;
    const x = tf.tensor2d(rollout.observations[T - 1].x as Float32Array, [B, this.classes]);
    const logits = tf.matMul(x, tf.slice(this.w, [0, 0], [this.classes, this.classes]));
    return {
      logProbs: tf.zeros([T, B]) as tf.Tensor2D,
      baselines: null,
      classLogProbs: tf.logSoftmax(logits) as tf.Tensor2D,
      decisionMask: tf.zeros([T, B]) as tf.Tensor2D,
    };
  }

  trainableVariables(): tf.Variable[] {
    return [this.w];
  }

  getWeights(): NamedWeights {
    return { w: { shape: [...this.w.shape], data: Float32Array.from(this.w.dataSync()) } };
  }

  setWeights(weights: NamedWeights): void {
    const w = weights.w;
    if (!w || w.shape.join() !== this.w.shape.join()) throw new Error(`fake agent: weight 'w' missing or of wrong shape`);
    tf.tidy(() => this.w.assign(tf.tensor(Float32Array.from(w.data), w.shape)));
  }

  dispose(): void {
    this.w.dispose();
  }
}
let nextId = 0;

/** SGD with momentum on the class NLL. `nanAtStep` makes that update produce NaN (for NaN tests). */
export class FakeAlgorithm implements Algorithm {
  readonly id = 'fake-sgd';
  readonly config: Record<string, unknown>;
  private velocity: tf.Variable | null = null;
  private steps = 0;
  private readonly lr: number;
  private readonly nanAtStep: number;
  /** Milliseconds of busy work per update, to make runs slow enough to interrupt. */
  private readonly sleepMs: number;
  epochsStarted: number[] = [];

  constructor(options: Record<string, unknown> = {}) {
    this.lr = typeof options.lr === 'number' ? options.lr : 0.5;
    this.nanAtStep = typeof options.nanAtStep === 'number' ? options.nanAtStep : -1;
    this.sleepMs = typeof options.sleepMs === 'number' ? options.sleepMs : 0;
    this.config = { lr: this.lr };
  }

  onEpochStart(epoch: number): void {
    this.epochsStarted.push(epoch);
  }

  update(agent: Agent, rollout: Rollout): Metrics {
    const until = Date.now() + this.sleepMs;
    while (Date.now() < until) {
      // busy wait: a synchronous update, like a real one
    }
    this.steps++;
    const vars = agent.trainableVariables();
    const targets = rollout.targets;
    const { value, grads } = tf.variableGrads(() => {
      const ev = agent.evaluate(rollout);
      const oneHot = tf.oneHot(tf.tensor1d(targets, 'int32'), ev.classLogProbs.shape[1]);
      const loss = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, ev.classLogProbs), 1))) as tf.Scalar;
      return this.steps === this.nanAtStep ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
    }, vars);
    const g = grads[vars[0].name];
    if (!this.velocity) this.velocity = tf.tidy(() => tf.variable(tf.zerosLike(vars[0]), false));
    tf.tidy(() => {
      this.velocity!.assign(tf.add(tf.mul(this.velocity!, 0.5), g));
      vars[0].assign(tf.sub(vars[0], tf.mul(this.velocity!, this.lr)));
    });
    const loss = value.dataSync()[0];
    value.dispose();
    for (const k of Object.keys(grads)) grads[k].dispose();
    let reward = 0;
    for (const r of rollout.returns) reward += r;
    return { loss, reward: reward / rollout.batchSize };
  }

  getState(): AlgorithmState {
    const weights: NamedWeights = this.velocity ? { velocity: { shape: [...this.velocity.shape], data: Float32Array.from(this.velocity.dataSync()) } } : {};
    return { weights, scalars: { steps: this.steps } };
  }

  setState(state: AlgorithmState): void {
    this.steps = state.scalars.steps ?? 0;
    const v = state.weights.velocity;
    if (v) {
      this.velocity?.dispose();
      this.velocity = tf.tidy(() => tf.variable(tf.tensor(Float32Array.from(v.data), v.shape), false));
    }
  }

  dispose(): void {
    this.velocity?.dispose();
    this.velocity = null;
  }
}

/** Components serving the fakes under ids `fake` (env, agent) and `fake-sgd` (algorithm). */
export function fakeComponents(algoExtra: Record<string, unknown> = {}): Components & { envs: FakeVectorEnv[]; algos: FakeAlgorithm[] } {
  const envs: FakeVectorEnv[] = [];
  const algos: FakeAlgorithm[] = [];
  return {
    envs,
    algos,
    listEnvs: () => [{ id: 'fake', description: 'noisy one-hot classification' }],
    listAgents: () => [{ id: 'fake', description: 'softmax regression' }],
    listAlgorithms: () => [{ id: 'fake-sgd', description: 'SGD with momentum' }],
    makeVector(id, numEnvs, kwargs) {
      if (id !== 'fake') throw new Error(`unknown env ${id}`);
      const e = new FakeVectorEnv(numEnvs, kwargs as FakeEnvKwargs);
      envs.push(e);
      return e;
    },
    makeAgent: (id, env, options) => new FakeAgent(env, options),
    makeAlgorithm(id, options) {
      const a = new FakeAlgorithm({ ...options, ...algoExtra });
      algos.push(a);
      return a;
    },
  };
}

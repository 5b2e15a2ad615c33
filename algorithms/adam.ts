/**
 * The Adam optimizer of the policy-gradient algorithms. On the wasm backend with the native addon
 * built, each variable's step is one native pass over the wasm heap, in place (tensor/native-adam.ts);
 * otherwise the same step runs as tfjs kernels. Both paths compute tfjs's AdamOptimizer update
 * with the same float32 operations in the same order, so they agree bit for bit, and so does a run
 * resumed from {@link Adam.getSlots} / {@link Adam.setSlots} with the one that was not stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeAdamAvailable, nativeAdamUnavailableReason, nativeAdamUpdate, nativeSumSquares } from '../tensor/native-adam';

/** Which implementation {@link Adam} uses: `auto` picks native whenever it can run. */
export type AdamImplementation = 'auto' | 'native' | 'tfjs';

/** Adam's hyper-parameters. */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Default `auto`; `native` throws at the first step when the native kernel cannot run. */
  implementation?: AdamImplementation;
}

/** Everything a resumed optimizer needs; `m[i]`, `v[i]` are the moments of the i-th variable. */
export interface AdamSlots {
  m: Float32Array[];
  v: Float32Array[];
  shapes: number[][];
  /** Steps taken. */
  iterations: number;
  /** beta1^(iterations+1) as the float32 product tfjs keeps (beta1 before the first step). */
  accBeta1: number;
  /** beta2^(iterations+1) likewise. */
  accBeta2: number;
}

/**
 * Adam over a fixed, ordered list of variables (moments matched by position, created on the
 * first step). Learning rate settable between steps.
 */
export class Adam {
  /** The learning rate of the next step. */
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly implementation: AdamImplementation;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];
  private accBeta1: number;
  private accBeta2: number;
  private steps = 0;

  constructor(config: AdamConfig) {
    const { lr, beta1, beta2, epsilon } = config;
    const implementation = config.implementation ?? 'auto';
    if (!['auto', 'native', 'tfjs'].includes(implementation)) {
      throw new Error(`adam: implementation must be 'auto', 'native' or 'tfjs', got ${JSON.stringify(implementation)}`);
    }
    const bad = !(lr > 0) ? ['lr', lr, '> 0'] : !(beta1 >= 0 && beta1 < 1) ? ['beta1', beta1, 'in [0, 1)']
      : !(beta2 >= 0 && beta2 < 1) ? ['beta2', beta2, 'in [0, 1)'] : !(epsilon > 0) ? ['epsilon', epsilon, '> 0'] : null;
    if (bad) throw new Error(`adam: ${bad[0]} must be a number ${bad[2]}, got ${JSON.stringify(bad[1])}`);
    this.learningRate = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.implementation = implementation;
    // tfjs keeps these as float32 scalars starting at beta; products below stay float32 too.
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
  }

  /** Steps taken so far. */
  get iterations(): number {
    return this.steps;
  }

  /** Whether the next step runs the native kernel. */
  usesNative(): boolean {
    if (this.implementation === 'tfjs') return false;
    if (this.implementation === 'native' && !nativeAdamAvailable()) {
      throw new Error(`adam: implementation 'native' requested but unavailable: ${nativeAdamUnavailableReason()}`);
    }
    return nativeAdamAvailable();
  }

  /** Shapes of the moments (empty before the first step): what the variables must match. */
  slotShapes(): number[][] {
    return this.m.map((s) => [...s.shape]);
  }

  /** Sum of the squares of every gradient value (for the global norm), in one pass per tensor. */
  squaredNorm(grads: tf.Tensor[]): number {
    if (this.usesNative()) return nativeSumSquares(grads);
    const sq = tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
    const value = sq.dataSync()[0];
    sq.dispose();
    return value;
  }

  /**
   * One step: each `vars[i]` moves by Adam on `grads[i] * gradScale` (gradScale < 1 clips).
   * Throws one line when the lists differ in length or a moment does not fit its variable.
   */
  apply(vars: tf.Variable[], grads: tf.Tensor[], gradScale = 1): void {
    if (vars.length !== grads.length) throw new Error(`adam: ${vars.length} variables but ${grads.length} gradients`);
    // 0 is allowed: clipping an infinite norm gives it, and the non-finite step is the caller's to report.
    if (!(gradScale >= 0 && gradScale <= 1)) throw new Error(`adam: gradScale must be in [0, 1], got ${gradScale}`);
    if (this.m.length === 0) {
      // tidy disposes the zeros: the variables keep the only reference to their buffers.
      this.m = tf.tidy(() => vars.map((x) => tf.variable(tf.zeros(x.shape), false)));
      this.v = tf.tidy(() => vars.map((x) => tf.variable(tf.zeros(x.shape), false)));
    }
    if (this.m.length !== vars.length || this.m.some((s, i) => s.shape.join() !== vars[i].shape.join())) {
      throw new Error(`adam: ${this.m.length} moment slots do not match the ${vars.length} variables given`);
    }
    const c = {
      beta1: this.beta1,
      beta2: this.beta2,
      oneMinusBeta1: 1 - this.beta1,
      oneMinusBeta2: 1 - this.beta2,
      // tfjs: sub(1, accBeta) in float32; exact operands, so fround of the double difference equals it.
      biasCorrection1: Math.fround(1 - this.accBeta1),
      biasCorrection2: Math.fround(1 - this.accBeta2),
      negLr: -this.learningRate,
      epsilon: this.epsilon,
      gradScale,
    };
    if (this.usesNative()) {
      vars.forEach((x, i) => nativeAdamUpdate(x, grads[i], this.m[i], this.v[i], c));
    } else {
      this.applyTfjs(vars, grads, c);
    }
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    this.steps++;
  }

  /** tfjs's AdamOptimizer.applyGradients, kernel for kernel (plus the gradient scale). */
  private applyTfjs(vars: tf.Variable[], grads: tf.Tensor[], c: { negLr: number; biasCorrection1: number; biasCorrection2: number; gradScale: number }): void {
    tf.tidy(() => {
      const c1 = tf.scalar(c.biasCorrection1);
      const c2 = tf.scalar(c.biasCorrection2);
      vars.forEach((x, i) => {
        const g = c.gradScale === 1 ? grads[i] : tf.mul(grads[i], c.gradScale);
        const m = tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const mHat = tf.div(m, c1);
        const vHat = tf.div(v, c2);
        this.m[i].assign(m);
        this.v[i].assign(v);
        x.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), c.negLr), x));
      });
    });
  }

  /** Copies of the moments and counters, for a checkpoint. */
  getSlots(): AdamSlots {
    return {
      m: this.m.map((s) => Float32Array.from(s.dataSync() as Float32Array)),
      v: this.v.map((s) => Float32Array.from(s.dataSync() as Float32Array)),
      shapes: this.slotShapes(),
      iterations: this.steps,
      accBeta1: this.accBeta1,
      accBeta2: this.accBeta2,
    };
  }

  /** Replaces the moments and counters (validated by the caller; lengths must match shapes). */
  setSlots(slots: AdamSlots): void {
    const { m, v, shapes } = slots;
    if (m.length !== shapes.length || v.length !== shapes.length) {
      throw new Error(`adam: ${m.length} first and ${v.length} second moments for ${shapes.length} shapes`);
    }
    const make = (data: Float32Array, shape: number[]): tf.Variable => {
      const init = tf.tensor(Float32Array.from(data), shape);
      const variable = tf.variable(init, false);
      init.dispose();
      return variable;
    };
    const newM = m.map((d, i) => make(d, shapes[i]));
    const newV = v.map((d, i) => make(d, shapes[i]));
    tf.dispose([...this.m, ...this.v]);
    this.m = newM;
    this.v = newV;
    this.steps = slots.iterations;
    this.accBeta1 = Math.fround(slots.accBeta1);
    this.accBeta2 = Math.fround(slots.accBeta2);
  }

  /** Releases the moments. */
  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.m = [];
    this.v = [];
  }
}

/**
 * Trainable-parameter bookkeeping for the RAM modules: seeded initialisation from our {@link Rng},
 * stable checkpoint keys (`glimpse/what/kernel`) and unique tfjs variable names per agent instance.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../../envs/rng';
import type { NamedWeights } from '../agent';

/** A fully connected layer `y = x W + b`. */
export interface Dense {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * One layer as a network declares it: its kind (`dense`: kernel `[fanIn, fanOut]` and bias
 * `[fanOut]`; `matrix`: a kernel alone), its checkpoint key, and `[fanIn, fanOut]` from the
 * config. A network's table of these (`{ name: spec }`) is the one place its layers are named
 * and sized: {@link ParamStore.layers} creates them, {@link layerShapes} lists their checkpoint
 * shapes without allocating, and RAM's named view of its weights (agents/ram/weights.ts) is the
 * union of its networks' tables.
 */
export interface LayerSpec<C> {
  readonly kind: 'dense' | 'matrix';
  readonly key: string;
  /** `[fanIn, fanOut]` for a config (a method, so tables of different config types combine). */
  shape(config: C): readonly [number, number];
}

/** A {@link LayerSpec} of a dense layer (kernel + bias). */
export function denseLayer<C>(key: string, shape: (config: C) => readonly [number, number]): LayerSpec<C> & { readonly kind: 'dense' } {
  return { kind: 'dense', key, shape };
}

/** A {@link LayerSpec} of a bias-free matrix (its key is the checkpoint key itself). */
export function matrixLayer<C>(key: string, shape: (config: C) => readonly [number, number]): LayerSpec<C> & { readonly kind: 'matrix' } {
  return { kind: 'matrix', key, shape };
}

/** What {@link ParamStore.layers} creates for a layer table: a {@link Dense} or a matrix per name. */
export type LayerParams<L> = { readonly [K in keyof L]: L[K] extends { kind: 'dense' } ? Dense : tf.Variable };

/**
 * The checkpoint shapes of a layer table's weights (`key/kernel`, `key/bias`; a matrix: `key`),
 * in table order, from the config alone: no tensor is allocated.
 */
export function layerShapes<C>(table: Readonly<Record<string, LayerSpec<C>>>, config: C): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const spec of Object.values(table)) {
    const [fanIn, fanOut] = spec.shape(config);
    if (spec.kind === 'dense') {
      out[`${spec.key}/kernel`] = [fanIn, fanOut];
      out[`${spec.key}/bias`] = [fanOut];
    } else {
      out[spec.key] = [fanIn, fanOut];
    }
  }
  return out;
}

let instances = 0;

/** Creates and remembers the variables of one agent, in creation order. */
export class ParamStore {
  /** `[key, variable]` in creation order (the stable order of `trainableVariables`). */
  readonly entries: Array<[string, tf.Variable]> = [];
  private readonly scope: string;

  /**
   * @param prefix readable part of the tfjs variable names (e.g. `ram`).
   * @param rng source of the initial weights (seeded by the agent's `seed` option).
   */
  constructor(prefix: string, private readonly rng: Rng) {
    // tfjs variable names are global to the engine; a counter keeps two agents apart.
    this.scope = `${prefix}_${++instances}`;
  }

  /**
   * A dense layer with PyTorch's default init, U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for kernel and bias.
   */
  dense(key: string, fanIn: number, fanOut: number): Dense {
    const bound = 1 / Math.sqrt(fanIn);
    return {
      kernel: this.variable(`${key}/kernel`, [fanIn, fanOut], bound),
      bias: this.variable(`${key}/bias`, [fanOut], bound),
    };
  }

  /** A bias-free weight matrix `[fanIn, fanOut]` with the same init as {@link dense}. */
  matrix(key: string, fanIn: number, fanOut: number): tf.Variable {
    return this.variable(key, [fanIn, fanOut], 1 / Math.sqrt(fanIn));
  }

  /**
   * Creates every layer of a table (see {@link LayerSpec}), in table order, with {@link dense} or
   * {@link matrix}: a network's layers by the names its table gives them.
   */
  layers<C, L extends Readonly<Record<string, LayerSpec<C>>>>(table: L, config: C): LayerParams<L> {
    const out: Record<string, Dense | tf.Variable> = {};
    for (const [name, spec] of Object.entries(table)) {
      const [fanIn, fanOut] = spec.shape(config);
      out[name] = spec.kind === 'dense' ? this.dense(spec.key, fanIn, fanOut) : this.matrix(spec.key, fanIn, fanOut);
    }
    return out as LayerParams<L>;
  }

  /** The weights as named plain arrays (copies), the checkpoint format. */
  getWeights(): NamedWeights {
    const out: NamedWeights = {};
    for (const [key, v] of this.entries) out[key] = { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
    return out;
  }

  /**
   * Loads named weights. Every name and shape is checked before anything is assigned, so a bad
   * checkpoint leaves the parameters intact; errors name `owner` (the agent id) and the weight.
   */
  setWeights(weights: NamedWeights, owner: string): void {
    const keys = this.entries.map(([k]) => k);
    for (const key of Object.keys(weights)) {
      if (!keys.includes(key)) throw new Error(`${owner}: unknown weight '${key}'; expected: ${keys.join(', ')}`);
    }
    for (const [key, v] of this.entries) {
      const w = weights[key];
      if (!w) throw new Error(`${owner}: weight '${key}' is missing from the checkpoint`);
      if (w.shape.length !== v.shape.length || w.shape.some((d, i) => d !== v.shape[i]) || w.data.length !== v.size) {
        throw new Error(`${owner}: weight '${key}' has shape [${w.shape.join(', ')}] (${w.data.length} values), the agent needs [${v.shape.join(', ')}]`);
      }
    }
    for (const [key, v] of this.entries) tf.tidy(() => v.assign(tf.tensor(Float32Array.from(weights[key].data), v.shape)));
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const [, v] of this.entries) v.dispose();
  }

  private variable(key: string, shape: number[], bound: number): tf.Variable {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = this.rng.uniformRange(-bound, bound);
    const init = tf.tensor(data, shape);
    const v = tf.variable(init, true, `${this.scope}/${key}`);
    init.dispose(); // the variable holds its own reference to the data

    this.entries.push([key, v]);
    return v;
  }
}

/** `x W + b` for a {@link Dense} layer. */
export function applyDense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.kernel as tf.Tensor2D), layer.bias);
}

/**
 * One typed, named view of a RAM agent's weights: what the fast path (agents/ram/fast/) reads and
 * what its hand-written backward returns gradients for. Each layer is declared once, with its
 * name, checkpoint key and shape, in the table of the reference network that uses it
 * (GLIMPSE_LAYERS, CORE_LAYERS, LOCATION_LAYERS, ACTION_LAYERS, BASELINE_LAYERS); the network
 * creates it from there (ParamStore.layers), the agent's `weightShapes` lists it from there, and
 * {@link RAM_LAYERS} is the union of those tables, so this view, its type and its order follow
 * by themselves. {@link ramWeightsOf} only finds the variables by their keys.
 *
 * A differentiable op (`tf.customGrad`) takes and returns plain tensor lists; {@link flattenRamWeights}
 * and {@link unflattenRamWeights} convert in the one order that {@link RAM_LAYERS} defines, so no
 * code ever picks a weight by position.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ACTION_LAYERS } from '../glimpse/action-network';
import { CORE_LAYERS } from '../glimpse/core-network';
import { GLIMPSE_LAYERS } from '../glimpse/glimpse-network';
import { layerShapes } from '../glimpse/params';
import { BASELINE_LAYERS } from './baseline-network';
import type { RamConfig } from './config';
import { LOCATION_LAYERS } from './location-network';

/** A dense layer's kernel `[in, out]` and bias `[out]` (weights, or their gradients). */
export interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * RAM's layers by name (kind, checkpoint key, shape): its networks' tables in the order RamAgent
 * builds the networks, which is the order their variables are created in (the seeded initial
 * values, `trainableVariables`, checkpoints) and the order of {@link flattenRamWeights}.
 * A new layer is an entry in its network's table, not here.
 */
export const RAM_LAYERS = { ...GLIMPSE_LAYERS, ...CORE_LAYERS, ...LOCATION_LAYERS, ...ACTION_LAYERS, ...BASELINE_LAYERS };

/** Name to checkpoint shape of every weight of a RAM agent with `config`, in creation order (nothing allocated). */
export function ramWeightShapes(config: RamConfig): Record<string, number[]> {
  return layerShapes<RamConfig>(RAM_LAYERS, config);
}

type Layers = typeof RAM_LAYERS;

/** RAM's weights (or their gradients) by layer name, see {@link RAM_LAYERS}. */
export type RamWeights = { readonly [K in keyof Layers]: Layers[K]['kind'] extends 'dense' ? DenseWeights : tf.Tensor2D };

/**
 * The named view of a RAM agent's variables (references, no copies), found by the checkpoint keys
 * of {@link RAM_LAYERS} among `entries` (the agent's ParamStore entries). Throws one line naming a
 * key the networks did not create.
 */
export function ramWeightsOf(entries: ReadonlyArray<readonly [string, tf.Variable]>): RamWeights {
  const byKey = new Map(entries);
  const get = (key: string): tf.Tensor => {
    const v = byKey.get(key);
    if (v === undefined) throw new Error(`ram: no variable '${key}'; the networks created: ${[...byKey.keys()].join(', ')}`);
    return v;
  };
  const list: tf.Tensor[] = [];
  for (const { kind, key } of Object.values(RAM_LAYERS)) {
    if (kind === 'dense') list.push(get(`${key}/kernel`), get(`${key}/bias`));
    else list.push(get(key));
  }
  return unflattenRamWeights(list);
}

/** The tensors of `w` as a list in {@link RAM_LAYERS} order (a dense layer: kernel, then bias). */
export function flattenRamWeights(w: RamWeights): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const [name, { kind }] of Object.entries(RAM_LAYERS) as Array<[keyof Layers, { kind: string }]>) {
    const layer = w[name];
    if (kind === 'dense') out.push((layer as DenseWeights).kernel, (layer as DenseWeights).bias);
    else out.push(layer as tf.Tensor2D);
  }
  return out;
}

/** Number of tensors in a flattened {@link RamWeights}. */
export const RAM_WEIGHT_COUNT = Object.values(RAM_LAYERS).reduce((n, { kind }) => n + (kind === 'dense' ? 2 : 1), 0);

/** The inverse of {@link flattenRamWeights}. Throws when the list has the wrong length. */
export function unflattenRamWeights(list: readonly tf.Tensor[]): RamWeights {
  if (list.length !== RAM_WEIGHT_COUNT) throw new Error(`ram: expected ${RAM_WEIGHT_COUNT} weight tensors, got ${list.length}`);
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const [name, { kind }] of Object.entries(RAM_LAYERS)) {
    if (kind === 'dense') {
      out[name] = { kernel: list[i] as tf.Tensor2D, bias: list[i + 1] as tf.Tensor1D };
      i += 2;
    } else {
      out[name] = list[i++] as tf.Tensor2D;
    }
  }
  return out as RamWeights;
}

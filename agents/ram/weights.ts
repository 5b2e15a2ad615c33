/**
 * One typed, named view of a RAM agent's weights: what the fast path (agents/ram/fast/) reads and
 * what its hand-written backward returns gradients for. Each layer is declared once, with its
 * name, checkpoint key and shape, in the table of the reference network that uses it
 * (GLIMPSE_LAYERS, CORE_LAYERS, LOCATION_LAYERS, ACTION_LAYERS, BASELINE_LAYERS); the network
 * creates it from there (ParamStore.layers), the agent's `weightShapes` lists it from there, and
 * {@link RAM_LAYERS} is the union of those tables, so this view, its type and its order follow
 * by themselves. {@link ramWeightsOf} only finds the variables by their keys. An optional layer
 * (the context network's, {@link RAM_OPTIONAL_LAYERS}) exists only when its option is on; it
 * comes after every other layer in each of these orders.
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
import { CONTEXT_LAYERS } from './context-network';
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

/**
 * RAM's optional layers, each present only with its option, created after {@link RAM_LAYERS} in
 * this order: the context network's (`context: true`).
 */
export const RAM_OPTIONAL_LAYERS = { ...CONTEXT_LAYERS };

/** Name to checkpoint shape of every weight of a RAM agent with `config`, in creation order (nothing allocated). */
export function ramWeightShapes(config: RamConfig): Record<string, number[]> {
  const shapes = layerShapes<RamConfig>(RAM_LAYERS, config);
  if (config.context === true) Object.assign(shapes, layerShapes(CONTEXT_LAYERS, { contextSize: config.contextSize ?? 0, hidden: config.hidden }));
  return shapes;
}

type Layers = typeof RAM_LAYERS;

/**
 * RAM's weights (or their gradients) by layer name, see {@link RAM_LAYERS}; `context` (a dense
 * layer, {@link RAM_OPTIONAL_LAYERS}) only when the agent has the context network.
 */
export type RamWeights = { readonly [K in keyof Layers]: Layers[K]['kind'] extends 'dense' ? DenseWeights : tf.Tensor2D } & {
  readonly context?: DenseWeights;
};

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
  // Optional layers: present exactly when the networks created them.
  const ctx = CONTEXT_LAYERS.context.key;
  if (byKey.has(`${ctx}/kernel`)) list.push(get(`${ctx}/kernel`), get(`${ctx}/bias`));
  return unflattenRamWeights(list);
}

/**
 * The tensors of `w` as a list in {@link RAM_LAYERS} order (a dense layer: kernel, then bias),
 * then the optional layers `w` has.
 */
export function flattenRamWeights(w: RamWeights): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const [name, { kind }] of Object.entries(RAM_LAYERS) as Array<[keyof Layers, { kind: string }]>) {
    const layer = w[name];
    if (kind === 'dense') out.push((layer as DenseWeights).kernel, (layer as DenseWeights).bias);
    else out.push(layer as tf.Tensor2D);
  }
  if (w.context !== undefined) out.push(w.context.kernel, w.context.bias);
  return out;
}

/** Number of tensors in a flattened {@link RamWeights} without optional layers (each adds 2: kernel and bias). */
export const RAM_WEIGHT_COUNT = Object.values(RAM_LAYERS).reduce((n, { kind }) => n + (kind === 'dense' ? 2 : 1), 0);

/**
 * The inverse of {@link flattenRamWeights}: {@link RAM_WEIGHT_COUNT} tensors, or 2 more for the
 * context layer. Throws when the list has another length.
 */
export function unflattenRamWeights(list: readonly tf.Tensor[]): RamWeights {
  if (list.length !== RAM_WEIGHT_COUNT && list.length !== RAM_WEIGHT_COUNT + 2) {
    throw new Error(`ram: expected ${RAM_WEIGHT_COUNT} weight tensors (${RAM_WEIGHT_COUNT + 2} with the context layer), got ${list.length}`);
  }
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
  if (i < list.length) out.context = { kernel: list[i] as tf.Tensor2D, bias: list[i + 1] as tf.Tensor1D };
  return out as RamWeights;
}

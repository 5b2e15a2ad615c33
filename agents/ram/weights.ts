/**
 * One typed, named view of a RAM agent's weights: what the fast path (agents/ram/fast/) reads and
 * what its hand-written backward returns gradients for. The layers themselves are created, with
 * their checkpoint keys, shapes and seeded initial values, by the reference networks (glimpse,
 * core, location, action, baseline); {@link ramWeightsOf} only finds them by their keys.
 *
 * A differentiable op (`tf.customGrad`) takes and returns plain tensor lists; {@link flattenRamWeights}
 * and {@link unflattenRamWeights} convert in the one order that {@link RAM_LAYERS} defines, so no
 * code ever picks a weight by position.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A dense layer's kernel `[in, out]` and bias `[out]` (weights, or their gradients). */
export interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * RAM's layers: name, kind (`dense`: kernel + bias; `matrix`: a kernel alone) and checkpoint key
 * (the ParamStore key the reference network creates it under). The order of the entries is the
 * order of {@link flattenRamWeights}; a new layer is one entry here.
 */
export const RAM_LAYERS = {
  /** Glimpse network "what" layer on the flattened patch. */
  what: { kind: 'dense', key: 'glimpse/what' },
  /** Glimpse network "where" layer on the location. */
  where: { kind: 'dense', key: 'glimpse/where' },
  /** Glimpse network layer on `[what, where]`. */
  combine: { kind: 'dense', key: 'glimpse/combine' },
  /** Core input projection (width hidden, or 4 hidden for the lstm gates i, f, o, u). */
  coreInput: { kind: 'dense', key: 'core/input' },
  /** Core recurrent matrix `[hidden, width]`. */
  coreRecurrent: { kind: 'matrix', key: 'core/recurrent/kernel' },
  /** Location policy mean (before tanh). */
  location: { kind: 'dense', key: 'location' },
  /** Class logits. */
  action: { kind: 'dense', key: 'action' },
  /** Reward baseline. */
  baseline: { kind: 'dense', key: 'baseline' },
} as const;

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

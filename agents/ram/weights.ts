/**
 * One typed, named view of a RAM agent's weights: what the fast path (agents/ram/fast/) reads and
 * what its hand-written backward returns gradients for. The layers themselves are created, with
 * their checkpoint keys, shapes and seeded initial values, by the reference networks (glimpse,
 * core, location, action, baseline); {@link ramWeightsOf} only collects references to them by name.
 *
 * A differentiable op (`tf.customGrad`) takes and returns plain tensor lists; {@link flattenRamWeights}
 * and {@link unflattenRamWeights} convert in the one order that {@link RAM_LAYERS} defines, so no
 * code ever picks a weight by position.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Dense } from '../glimpse/params';

/** A dense layer's kernel `[in, out]` and bias `[out]` (weights, or their gradients). */
export interface DenseWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * RAM's layers by name and kind (`dense`: kernel + bias; `matrix`: a kernel alone). The order of
 * the keys is the order of {@link flattenRamWeights}; a new layer is one entry here.
 */
export const RAM_LAYERS = {
  /** Glimpse network "what" layer on the flattened patch. */
  what: 'dense',
  /** Glimpse network "where" layer on the location. */
  where: 'dense',
  /** Glimpse network layer on `[what, where]`. */
  combine: 'dense',
  /** Core input projection (width hidden, or 4 hidden for the lstm gates i, f, o, u). */
  coreInput: 'dense',
  /** Core recurrent matrix `[hidden, width]`. */
  coreRecurrent: 'matrix',
  /** Location policy mean (before tanh). */
  location: 'dense',
  /** Class logits. */
  action: 'dense',
  /** Reward baseline. */
  baseline: 'dense',
} as const;

type Layers = typeof RAM_LAYERS;

/** RAM's weights (or their gradients) by layer name, see {@link RAM_LAYERS}. */
export type RamWeights = { readonly [K in keyof Layers]: Layers[K] extends 'dense' ? DenseWeights : tf.Tensor2D };

/** The reference networks' layers, as the agent builds them. */
export interface RamLayerSources {
  glimpse: { what: Dense; where: Dense; combine: Dense };
  core: { input: Dense; recurrent: tf.Variable };
  location: { layer: Dense };
  action: { layer: Dense };
  baseline: { layer: Dense };
}

function dense(d: Dense): DenseWeights {
  return { kernel: d.kernel as unknown as tf.Tensor2D, bias: d.bias as unknown as tf.Tensor1D };
}

/** The named view of the variables of a RAM agent's networks (references, no copies). */
export function ramWeightsOf(n: RamLayerSources): RamWeights {
  return {
    what: dense(n.glimpse.what),
    where: dense(n.glimpse.where),
    combine: dense(n.glimpse.combine),
    coreInput: dense(n.core.input),
    coreRecurrent: n.core.recurrent as unknown as tf.Tensor2D,
    location: dense(n.location.layer),
    action: dense(n.action.layer),
    baseline: dense(n.baseline.layer),
  };
}

/** The tensors of `w` as a list in {@link RAM_LAYERS} order (a dense layer: kernel, then bias). */
export function flattenRamWeights(w: RamWeights): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const [name, kind] of Object.entries(RAM_LAYERS) as Array<[keyof Layers, string]>) {
    const layer = w[name];
    if (kind === 'dense') out.push((layer as DenseWeights).kernel, (layer as DenseWeights).bias);
    else out.push(layer as tf.Tensor2D);
  }
  return out;
}

/** Number of tensors in a flattened {@link RamWeights}. */
export const RAM_WEIGHT_COUNT = Object.values(RAM_LAYERS).reduce((n, kind) => n + (kind === 'dense' ? 2 : 1), 0);

/** The inverse of {@link flattenRamWeights}. Throws when the list has the wrong length. */
export function unflattenRamWeights(list: readonly tf.Tensor[]): RamWeights {
  if (list.length !== RAM_WEIGHT_COUNT) throw new Error(`ram: expected ${RAM_WEIGHT_COUNT} weight tensors, got ${list.length}`);
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const [name, kind] of Object.entries(RAM_LAYERS)) {
    if (kind === 'dense') {
      out[name] = { kernel: list[i] as tf.Tensor2D, bias: list[i + 1] as tf.Tensor1D };
      i += 2;
    } else {
      out[name] = list[i++] as tf.Tensor2D;
    }
  }
  return out as RamWeights;
}

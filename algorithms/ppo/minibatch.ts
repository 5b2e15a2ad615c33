/**
 * Minibatches of a {@link Rollout}: the episodes split into `count` near-equal groups, each a
 * rollout of its own, so an algorithm can replay a stored batch in parts (PPO's minibatch epochs).
 */
import type { Rollout } from '../../agents/rollout';
import type { Batch } from '../../envs/vector-env';
import type { Rng } from '../../envs/rng';

/** The rows `indices` of a batch whose arrays hold `batchSize` equal rows (env-major, see vector-env.ts). */
function selectRows(batch: Batch, batchSize: number, indices: ArrayLike<number>): Batch {
  const out: Batch = {};
  for (const [key, arr] of Object.entries(batch)) {
    if (arr.length % batchSize !== 0) throw new Error(`selectEpisodes: '${key}' has ${arr.length} values, not a whole number of rows for batch ${batchSize}`);
    const D = arr.length / batchSize;
    const sel = new (arr.constructor as Float32ArrayConstructor | Int32ArrayConstructor)(indices.length * D);
    for (let i = 0; i < indices.length; i++) sel.set(arr.subarray(indices[i] * D, (indices[i] + 1) * D), i * D);
    out[key] = sel;
  }
  return out;
}

/**
 * The episodes `indices` of `rollout`, in that order, as a new rollout (copies; the input is
 * untouched), with the rows of its act outputs; never with its activation cache.
 */
export function selectEpisodes(rollout: Rollout, indices: ArrayLike<number>): Rollout {
  const B = rollout.batchSize;
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!Number.isInteger(k) || k < 0 || k >= B) throw new Error(`selectEpisodes: index ${k} is not an episode in [0, ${B})`);
  }
  const pick = <A extends Float32Array | Int32Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = a[indices[i]];
    return out;
  };
  const selected: Rollout = {
    batchSize: indices.length,
    steps: rollout.steps,
    observations: rollout.observations.map((b) => selectRows(b, B, indices)),
    actions: rollout.actions.map((b) => selectRows(b, B, indices)),
    records: rollout.records.map((b) => selectRows(b, B, indices)),
    rewards: rollout.rewards.map(pick),
    returns: pick(rollout.returns),
    targets: pick(rollout.targets),
  };
  // The act outputs go along, row-selected; the activation cache does not (it is the whole batch's).
  if (rollout.outputs) {
    selected.outputs = rollout.outputs.map((o) => ({
      logProb: pick(o.logProb),
      baseline: o.baseline === null ? null : pick(o.baseline),
      classLogits: selectRows({ c: o.classLogits }, B, indices).c as Float32Array,
    }));
  }
  return selected;
}

/**
 * A shuffled split of `0 .. batchSize-1` into `count` groups whose sizes differ by at most one.
 * Throws one line when `count` is not in `[1, batchSize]`.
 */
export function minibatchIndices(batchSize: number, count: number, rng: Rng): Int32Array[] {
  if (!Number.isInteger(count) || count < 1 || count > batchSize) {
    throw new Error(`minibatches=${count} must be an integer in [1, ${batchSize}] (the rollout's batch size)`);
  }
  const order = rng.permutation(batchSize);
  const groups: Int32Array[] = [];
  for (let k = 0; k < count; k++) {
    const from = Math.floor((k * batchSize) / count);
    const to = Math.floor(((k + 1) * batchSize) / count);
    groups.push(Int32Array.from(order.subarray(from, to)));
  }
  return groups;
}

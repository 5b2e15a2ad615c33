/**
 * Golden observations of the MNIST glimpse tasks: a checksum of every glimpse and location of a
 * fixed sequence (test items 0..31 with fixed locations, then a seeded train batch with a second
 * reset), recorded with the code before the env speed-ups of issue 4. Any optimisation of reset,
 * step, transforms or the retina must keep these bit-identical: same RNG draws in the same order,
 * same pixel values.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeVector } from '../envs/registry';
import type { Batch } from '../envs/vector-env';
import '../envs/tasks';

/** FNV-1a over the raw bytes of float32 arrays (so -0 vs 0 or a last-bit change shows). */
function fnv(hash: number, a: Float32Array): number {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

function observe(hash: number, obs: Batch): number {
  return fnv(fnv(hash, obs.glimpse as Float32Array), obs.location as Float32Array);
}

/** Fixed locations for step t of row i, some outside [-1, 1] (clipped) and on the borders. */
function actions(B: number, t: number): Batch {
  const location = new Float32Array(2 * B);
  for (let i = 0; i < B; i++) {
    location[2 * i] = Math.fround(((i * 7 + t * 3) % 23) / 10 - 1.1);
    location[2 * i + 1] = Math.fround(((i * 5 + t * 11) % 19) / 8 - 1.125);
  }
  return { location, label: Int32Array.from({ length: B }, (_, i) => (i + t) % 10) };
}

function checksum(id: string): string {
  const B = 32;
  const parts: string[] = [];
  for (const split of ['test', 'train'] as const) {
    const env = makeVector(id, B, { split, glimpses: 4 });
    let h = 2166136261;
    let rewards = 0;
    for (let episode = 0; episode < 2; episode++) {
      const options = split === 'test' ? Array.from({ length: B }, (_, i) => ({ index: i })) : undefined;
      let obs = env.reset({ seed: 1234 + episode, options }).observations;
      h = observe(h, obs);
      for (let t = 0; t < 4; t++) {
        const r = env.step(actions(B, t));
        h = observe(h, r.observations);
        for (const x of r.rewards) rewards += x;
        obs = r.observations;
      }
    }
    env.close();
    parts.push(`${split}:${h.toString(16)}:${rewards}`);
  }
  return parts.join(' ');
}

// Recorded with the code of commit e6d34a4 (before issue 4's speed-ups).
const GOLDEN: Record<string, string> = {
  'cluttered-mnist': 'test:1400ead:4 train:e01264b5:3',
  'translated-mnist': 'test:fefa2015:4 train:6ca98a51:3',
  mnist: 'test:d825a09:4 train:1d149adf:3',
};

for (const id of Object.keys(GOLDEN)) {
  test(`${id}: observations are bit-identical to the recorded ones`, () => {
    assert.is(checksum(id), GOLDEN[id]);
  });
}

test.run();

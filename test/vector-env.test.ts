import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Env } from '../envs/core';
import { Box, Dict, Discrete } from '../envs/spaces';
import { SyncVectorEnv } from '../envs/sync-vector-env';
import { make, makeVector } from '../envs/registry';
import { batchLayout } from '../envs/batching';
import type { GlimpseEnv } from '../envs/vision/glimpse-env';
import '../envs/tasks';

/** A counter env without the batch fast path: observation {count: Box[1], parity: Discrete(2)}. */
class CounterEnv implements Env<{ count: Float32Array; parity: number }, Float32Array> {
  readonly observationSpace = new Dict({ count: new Box(-1000, 1000, [1]), parity: new Discrete(2) });
  readonly actionSpace = new Box(-1, 1, [2]);
  private n = 0;
  seen: Float32Array[] = [];
  reset(o?: { seed?: number }) {
    this.n = o?.seed ?? 0;
    return { observation: { count: Float32Array.of(this.n), parity: this.n % 2 }, info: {} };
  }
  step(a: Float32Array) {
    this.seen.push(a);
    this.n += a[0] + a[1];
    return { observation: { count: Float32Array.of(this.n), parity: Math.abs(this.n) % 2 }, reward: a[0], terminated: this.n > 5, truncated: false, info: { n: this.n } };
  }
  close() {}
}

test('batch layout follows the rule: Dict per key, Box -> Float32 rows, Discrete -> Int32', () => {
  const e = make('cluttered-mnist');
  assert.equal(batchLayout(e.observationSpace), [{ key: 'glimpse', kind: 'box', size: 432 }, { key: 'location', kind: 'box', size: 2 }]);
  assert.equal(batchLayout(e.actionSpace), [{ key: 'location', kind: 'box', size: 2 }, { key: 'label', kind: 'discrete', size: 1 }]);
  assert.equal(batchLayout(new Box(0, 1, [3])), [{ key: 'value', kind: 'box', size: 3 }]);
  assert.throws(() => batchLayout(new Dict({ a: new Dict({ b: new Discrete(2) }) })), /Dict key 'a' is a 'dict' space; only Box and Discrete can be batched/);
});

test('glimpse vector env: row i equals a single env seeded seed + i, fresh arrays every call', () => {
  const B = 4;
  const v = makeVector('translated-mnist', B, { glimpses: 3 });
  assert.is(v.numItems, 55000);
  assert.is(v.spec?.maxEpisodeSteps, 3);
  const singles = Array.from({ length: B }, () => make('translated-mnist', { glimpses: 3 }) as GlimpseEnv);
  const r = v.reset({ seed: 10 });
  const sr = singles.map((e, i) => e.reset({ seed: 10 + i }));
  assert.equal(r.infos, sr.map((s) => s.info));
  const G = 3 * 12 * 12;
  sr.forEach((s, i) => assert.equal(Array.from(r.observations.glimpse.subarray(i * G, (i + 1) * G)), Array.from(s.observation.glimpse), `env ${i} reset`));
  let prev = r.observations.glimpse;
  for (let t = 0; t < 3; t++) {
    const location = Float32Array.from({ length: 2 * B }, (_, k) => Math.sin(t * 7 + k));
    const label = Int32Array.from({ length: B }, (_, i) => (i + t) % 10);
    const s = v.step({ location, label });
    assert.ok(s.observations.glimpse !== prev, 'a fresh array per step');
    prev = s.observations.glimpse;
    singles.forEach((e, i) => {
      const one = e.step({ location: [location[2 * i], location[2 * i + 1]], label: label[i] });
      assert.equal(Array.from(s.observations.glimpse.subarray(i * G, (i + 1) * G)), Array.from(one.observation.glimpse), `env ${i} step ${t}`);
      assert.equal(Array.from(s.observations.location.subarray(2 * i, 2 * i + 2)), Array.from(one.observation.location));
      assert.is(s.rewards[i], one.reward);
      assert.is(s.terminated[i], one.terminated ? 1 : 0);
      assert.equal(s.infos[i], one.info);
    });
  }
  assert.equal(Array.from(prev.subarray(0, 1)).length, 1);
  assert.throws(() => v.step({ location: new Float32Array(2 * B), label: new Int32Array(B) }), /the episode ended after 3 steps/);
  v.close();
  v.close();
  assert.throws(() => v.reset(), /vector env is closed/);
});

test('vector reset options: per-env index list, same options for all, wrong length rejected', () => {
  const v = makeVector('mnist', 3, { split: 'test' });
  const r = v.reset({ options: [{ index: 5 }, { index: 6 }, { index: 7 }] });
  assert.equal(r.infos, [{ index: 5 }, { index: 6 }, { index: 7 }]);
  assert.equal(v.reset({ options: { index: 9 } }).infos, [{ index: 9 }, { index: 9 }, { index: 9 }]);
  assert.throws(() => v.reset({ options: [{ index: 1 }] }), /options has 1 entries, expected one per env \(3\)/);
  assert.throws(() => v.reset({ seed: 4294967295 }), /seed \+ 2 must be <= 4294967295/);
});

test("a seed list (Gymnasium's shape) seeds sub-env i with seed[i]; undefined leaves its RNG alone; bad lists are rejected", () => {
  const B = 4;
  const v = makeVector('translated-mnist', B, { glimpses: 2 });
  const G = batchLayout(v.singleObservationSpace)[0].size;
  const row = (b: Float32Array | Int32Array, i: number) => Array.from(b.subarray(i * G, (i + 1) * G));
  const single = (o: { seed: number; options?: { index: number } }) => (make('translated-mnist', { glimpses: 2 }) as GlimpseEnv).reset(o).observation.glimpse;
  // A number is the same as the list seed, seed + 1, ...: Gymnasium's rule stays the default.
  const scalar = v.reset({ seed: 40 }).observations.glimpse;
  const list = v.reset({ seed: [40, 41, 42, 43] }).observations.glimpse;
  assert.equal(Array.from(list), Array.from(scalar));
  // Each entry is that sub-env's seed: a single env reset with it gives the same row.
  const seeds = [7, 7, 123, 4294967295];
  const r = v.reset({ seed: seeds, options: { index: 3 } });
  seeds.forEach((s, i) => {
    assert.equal(row(r.observations.glimpse, i), Array.from(single({ seed: s, options: { index: 3 } })), `env ${i}`);
  });
  assert.equal(row(r.observations.glimpse, 0), row(r.observations.glimpse, 1), 'same seed and index: same observation');
  assert.not.equal(row(r.observations.glimpse, 0), row(r.observations.glimpse, 2), 'another seed: another translation');
  // undefined (Gymnasium's None): that sub-env's RNG continues, the others are reseeded.
  const a = makeVector('translated-mnist', 2, { glimpses: 2 });
  const b = makeVector('translated-mnist', 2, { glimpses: 2 });
  a.reset({ seed: 5 });
  b.reset({ seed: 5 });
  const cont = a.reset().observations.glimpse;
  const mixed = b.reset({ seed: [undefined, 99] }).observations.glimpse;
  assert.equal(row(mixed, 0), row(cont, 0), 'undefined entry: no reseed');
  assert.equal(row(mixed, 1), Array.from(single({ seed: 99 })));
  assert.throws(() => v.reset({ seed: [1, 2, 3] }), /SyncVectorEnv.reset: seed has 3 entries, expected one per env \(4\)/);
  assert.throws(() => v.reset({ seed: [1, 2, -3, 4] }), /SyncVectorEnv.reset: seed\[2\] must be an integer in \[0, 4294967295\], got -3/);
  assert.throws(() => v.reset({ seed: [1, 2, 1.5, 4] }), /seed\[2\] must be an integer in \[0, 4294967295\], got 1.5/);
  assert.throws(() => v.reset({ seed: [1, 2, 3, 2 ** 32] }), /seed\[3\] must be an integer/);
  assert.throws(() => v.reset({ seed: 'x' as never }), /SyncVectorEnv.reset: seed must be an integer or a list of one seed per env, got x/);
  // A rejected list touches no sub-env: the stream continues as if the call had not happened.
  const c = makeVector('translated-mnist', 2, { glimpses: 2 });
  c.reset({ seed: 5 });
  assert.throws(() => c.reset({ seed: [1, -1] }));
  assert.equal(Array.from(c.reset().observations.glimpse), Array.from(cont));
  for (const e of [v, a, b, c]) e.close();
});

test('bad action batches are rejected naming the key, type or length', () => {
  const v = makeVector('mnist', 2);
  v.reset({ seed: 1 });
  assert.throws(() => v.step({ location: new Float32Array(4) }), /'label' must be an Int32Array, got nothing/);
  assert.throws(() => v.step({ location: new Float32Array(3), label: new Int32Array(2) }), /'location' has 3 values, 2 envs need 4/);
  assert.throws(() => v.step({ location: new Float32Array(4), label: new Float32Array(2) }), /'label' must be an Int32Array, got Float32Array/);
  assert.throws(() => v.step({ location: new Float32Array(4), label: new Int32Array(2), extra: new Int32Array(2) }), /unknown key 'extra', expected location, label/);
  assert.throws(() => v.step({ location: Float32Array.of(0, NaN, 0, 0), label: new Int32Array(2) }), /action\.location must be two finite numbers, got \[0, NaN\]/);
  assert.throws(() => v.step({ location: new Float32Array(4), label: Int32Array.of(0, 10) }), /action\.label must be an integer in \[0, 9\], got 10/);
});

test('generic path (no fast path): Dict observations and a non-Dict action batch under "value"', () => {
  const envs = [new CounterEnv(), new CounterEnv()];
  const v = new SyncVectorEnv(envs);
  const r = v.reset({ seed: 3 });
  assert.equal(Array.from(r.observations.count), [3, 4]);
  assert.ok(r.observations.parity instanceof Int32Array);
  assert.equal(Array.from(r.observations.parity), [1, 0]);
  const s = v.step({ value: Float32Array.of(0.5, 0.5, 1, 1) });
  assert.equal(Array.from(s.observations.count), [4, 6]);
  assert.equal(Array.from(s.rewards), [0.5, 1]);
  assert.equal(Array.from(s.terminated), [0, 1]);
  assert.equal(s.infos, [{ n: 4 }, { n: 6 }]);
  assert.equal(Array.from(envs[1].seen[0]), [1, 1], 'env 1 got row 1 of the action batch');
  assert.throws(() => new SyncVectorEnv([]), /needs at least one env/);
  assert.throws(() => new SyncVectorEnv([make('mnist'), make('translated-mnist')]), /env 1 has observation space/);
});

test('cost of one batched step of 128 cluttered-mnist envs (printed, bounded loosely)', () => {
  const B = 128, T = 8;
  const v = makeVector('cluttered-mnist', B);
  const location = Float32Array.from({ length: 2 * B }, (_, k) => Math.cos(k) * 0.8);
  const label = new Int32Array(B);
  for (let ep = 0; ep < 3; ep++) {
    // Warm-up episodes, so the figure is not the JIT's.
    v.reset({ seed: 1000 + ep });
    for (let t = 0; t < T; t++) v.step({ location, label });
  }
  let steps = 0, stepMs = 0, resetMs = 0;
  for (let ep = 0; ep < 4; ep++) {
    let t0 = performance.now();
    v.reset({ seed: ep * B });
    resetMs += performance.now() - t0;
    t0 = performance.now();
    for (let t = 0; t < T; t++) v.step({ location, label });
    stepMs += performance.now() - t0;
    steps += T;
  }
  const perStep = stepMs / steps, perReset = resetMs / 4;
  console.log(`    128 x cluttered-mnist, wall clock: ${perStep.toFixed(3)} ms per step, ${perReset.toFixed(2)} ms per reset (4 episodes of 8 steps after 3 warm-up)`);
  assert.ok(perStep < 20, `step took ${perStep} ms`);
});

test.run();

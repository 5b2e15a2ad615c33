import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Box, Dict, Discrete } from '../envs/spaces';

test('Box: shape, contains, sample inside, seeded sampling', () => {
  const b = new Box(0, 1, [2, 3], 5);
  assert.equal(b.shape, [2, 3]);
  assert.is(b.size, 6);
  assert.ok(b.contains(new Float32Array(6).fill(0.5)));
  assert.not.ok(b.contains(new Float32Array(5)), 'wrong length');
  assert.not.ok(b.contains(new Float32Array(6).fill(1.5)), 'above high');
  assert.not.ok(b.contains(new Float32Array(6).fill(NaN)), 'NaN');
  assert.not.ok(b.contains([0, 0, 0, 0, 0, 0]), 'plain arrays are not Box values');
  for (let i = 0; i < 100; i++) assert.ok(b.contains(b.sample()));
  b.seed(9);
  const s1 = b.sample();
  b.seed(9);
  assert.equal(Array.from(b.sample()), Array.from(s1));
  assert.equal(b.toJSON(), { kind: 'box', shape: [2, 3], low: 0, high: 1 });
});

test('Box: unbounded sides sample normals; bad shapes and bounds are rejected', () => {
  const b = new Box(-Infinity, Infinity, [1000], 1);
  const s = b.sample();
  assert.ok(b.contains(s));
  assert.ok(Math.abs(s.reduce((a, v) => a + v, 0) / 1000) < 0.2);
  assert.throws(() => new Box(0, 1, [0]), /shape must be positive integers/);
  assert.throws(() => new Box(1, 0, [2]), /need low <= high/);
  assert.throws(() => new Box(new Float32Array(3), 1, [2]), /low has 3 values/);
});

test('Discrete: contains integers in range only; sample covers the range', () => {
  const d = new Discrete(3, 0, 1);
  assert.equal(d.shape, []);
  assert.ok(d.contains(0) && d.contains(2));
  assert.not.ok(d.contains(3));
  assert.not.ok(d.contains(1.5));
  assert.not.ok(d.contains('1'));
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(d.sample());
  assert.equal([...seen].sort(), [0, 1, 2]);
  assert.throws(() => new Discrete(0), /n must be a positive integer/);
  assert.ok(new Discrete(2, 5).contains(6));
});

test('Dict: contains needs exactly its keys; seeding is per sub-space and deterministic', () => {
  const mk = () => new Dict({ location: new Box(-1, 1, [2]), label: new Discrete(10) });
  const d = mk();
  assert.is(d.shape, null);
  assert.ok(d.contains({ location: new Float32Array([0, 0]), label: 3 }));
  assert.not.ok(d.contains({ location: new Float32Array([0, 0]) }), 'missing key');
  assert.not.ok(d.contains({ location: new Float32Array([0, 0]), label: 3, extra: 1 }), 'extra key');
  assert.not.ok(d.contains({ location: new Float32Array([2, 0]), label: 3 }), 'sub-space violated');
  const a = mk(), b = mk();
  a.seed(4);
  b.seed(4);
  const sa = a.sample(), sb = b.sample();
  assert.equal(Array.from(sa.location), Array.from(sb.location));
  assert.is(sa.label, sb.label);
  assert.ok(a.contains(sa));
  assert.throws(() => new Dict({}), /at least one sub-space/);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, hashSeed } from '../envs/rng';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.nextUint32());
  const xb = Array.from({ length: 5 }, () => b.nextUint32());
  const xc = Array.from({ length: 5 }, () => c.nextUint32());
  assert.equal(xa, xb);
  assert.not.equal(xa, xc);
});

test('state round-trips, including the cached normal', () => {
  const a = new Rng(7);
  a.normal();
  const s = a.getState();
  const next = [a.normal(), a.uniform(), a.int(10)];
  const b = new Rng(0);
  b.setState(s);
  assert.equal([b.normal(), b.uniform(), b.int(10)], next);
});

test('uniform, int and normal have the right ranges and moments', () => {
  const r = new Rng(1);
  let sum = 0, sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(3);
    assert.ok(k === 0 || k === 1 || k === 2);
    const z = r.normal();
    sum += z; sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.05, `var ${sq / n}`);
});

test('permutation is a permutation; bad seeds and states are rejected', () => {
  const p = Array.from(new Rng(3).permutation(50)).sort((x, y) => x - y);
  assert.equal(p, Array.from({ length: 50 }, (_, i) => i));
  assert.throws(() => new Rng(-1), /seed must be an integer/);
  assert.throws(() => new Rng(1.5), /seed must be an integer/);
  assert.throws(() => new Rng(0).setState({ s: [1, 2], spare: null } as never), /invalid RNG state/);
  assert.is(hashSeed(1, 2), hashSeed(1, 2));
  assert.is.not(hashSeed(1, 2), hashSeed(2, 1));
});

test.run();

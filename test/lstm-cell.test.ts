/**
 * The native lstm cell kernels (tensor/native-lstm.ts, native/src/lstm_cell.cc) against a plain
 * float64 JS implementation of the same math: the forward cell with and without a previous cell
 * state, the backward step with and without one and with a non-zero carry, the accuracy of the
 * kernels' own sigmoid and tanh over the whole float range (including the special values), and
 * one-line errors for operands that do not fit or overlap.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../runners/backend';
import { loadNativeAddon } from '../native/addon';
import { nativeEmpty, nativeReadRows, nativeWriteRows } from '../tensor/native-dense';
import { nativeLstmAvailable, nativeLstmCellBackward, nativeLstmCellForward } from '../tensor/native-lstm';
import { Rng } from '../envs/rng';

let available = false;

test.before(async () => {
  await initBackend('wasm');
  available = nativeLstmAvailable();
  if (!available) console.log('lstm-cell tests skipped: the native addon is not loaded');
});

test('a built addon has the lstm cell kernels', () => {
  // The addon is built by `npm ci`; when it loads it must be this build's, with the kernels.
  if (loadNativeAddon() === null) return;
  assert.ok(available, 'the native addon loaded but lacks lstmCellForward / lstmCellBackward');
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A `[rows, cols]` wasm tensor holding `data`. */
function heapTensor(data: Float32Array, rows: number, cols: number): tf.Tensor2D {
  const t = nativeEmpty(rows, cols);
  nativeWriteRows(t, 0, data);
  return t;
}

function normals(rng: Rng, n: number, scale: number): Float32Array {
  return rng.fillNormal(new Float32Array(n)).map((v) => v * scale);
}

/** The forward cell in float64 on float32 inputs: activations, c, tanh(c), h. */
function forwardReference(z: Float32Array, cPrev: Float32Array | null, rows: number, H: number) {
  const a = new Float64Array(4 * rows * H), c = new Float64Array(rows * H), tc = new Float64Array(rows * H), h = new Float64Array(rows * H);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < H; j++) {
      const k = 4 * H * b + j;
      const i = sigmoid(z[k]), f = sigmoid(z[k + H]), o = sigmoid(z[k + 2 * H]), u = Math.tanh(z[k + 3 * H]);
      [a[k], a[k + H], a[k + 2 * H], a[k + 3 * H]] = [i, f, o, u];
      const cv = i * u + (cPrev === null ? 0 : f * cPrev[H * b + j]);
      c[H * b + j] = cv;
      tc[H * b + j] = Math.tanh(cv);
      h[H * b + j] = o * Math.tanh(cv);
    }
  }
  return { a, c, tc, h };
}

/** |got - want| <= rel |want| + abs for every element. */
function assertNear(got: Float32Array, want: Float64Array, rel: number, abs: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let k = 0; k < got.length; k++) {
    const ok = Math.abs(got[k] - want[k]) <= rel * Math.abs(want[k]) + abs;
    if (!ok) assert.unreachable(`${what}[${k}]: native ${got[k]} vs float64 ${want[k]}`);
  }
}

// H = 37 and 5 rows: a vector body and a scalar tail in every row, rows not starting aligned.
for (const withPrev of [false, true]) {
  test(`forward cell ${withPrev ? 'with' : 'without'} a previous cell state equals the float64 math`, () => {
    if (!available) return;
    const rows = 5, H = 37;
    const rng = new Rng(withPrev ? 2 : 1);
    const z = normals(rng, 4 * rows * H, 3);
    const cPrev = withPrev ? normals(rng, rows * H, 2) : null;
    const want = forwardReference(z, cPrev, rows, H);
    const before = tf.memory().numTensors;
    const A = heapTensor(z, rows, 4 * H);
    // The cell state rows sit at row 2 of a taller tensor (row offsets are honoured).
    const P = cPrev === null ? null : heapTensor(new Float32Array([...new Float32Array(2 * H), ...cPrev]), rows + 2, H);
    const [C, TC, Hs] = [nativeEmpty(rows, H), nativeEmpty(rows, H), nativeEmpty(rows, H)];
    nativeLstmCellForward({ gates: { t: A }, cPrev: P === null ? null : { t: P, row: 2 }, c: { t: C }, tanhC: { t: TC }, h: { t: Hs } }, rows);
    // Activations within 4 ulp (2^-22) of exact; c, tanh(c), h add a few roundings of values <= |c|.
    assertNear(nativeReadRows(A, 0, rows), want.a, 2 ** -22, 0, 'activations');
    const absC = 4 * 2 ** -24 * (1 + (cPrev === null ? 0 : Math.max(...cPrev.map(Math.abs))));
    assertNear(nativeReadRows(C, 0, rows), want.c, 0, absC, 'c');
    assertNear(nativeReadRows(TC, 0, rows), want.tc, 2 ** -22, absC, 'tanh(c)');
    assertNear(nativeReadRows(Hs, 0, rows), want.h, 2 ** -21, absC, 'h');
    tf.dispose([A, C, TC, Hs, ...(P === null ? [] : [P])]);
    assert.is(tf.memory().numTensors, before, 'no tensor leak');
  });
}

/** One backward step in float64 on float32 inputs: dz and the new carry. */
function backwardReference(dh: Float32Array, a: Float32Array, tc: Float32Array, cPrev: Float32Array | null, carry: Float32Array, rows: number, H: number) {
  const dz = new Float64Array(4 * rows * H), next = new Float64Array(rows * H);
  for (let b = 0; b < rows; b++) {
    for (let j = 0; j < H; j++) {
      const k = 4 * H * b + j, m = H * b + j;
      const [i, f, o, u] = [a[k], a[k + H], a[k + 2 * H], a[k + 3 * H]];
      const dc = dh[m] * o * (1 - tc[m] * tc[m]) + carry[m];
      dz[k] = dc * u * i * (1 - i);
      dz[k + H] = cPrev === null ? 0 : dc * cPrev[m] * f * (1 - f);
      dz[k + 2 * H] = dh[m] * tc[m] * o * (1 - o);
      dz[k + 3 * H] = dc * i * (1 - u * u);
      next[m] = dc * f;
    }
  }
  return { dz, next };
}

for (const withPrev of [false, true]) {
  test(`backward step ${withPrev ? 'with' : 'without'} a previous cell state equals the float64 math`, () => {
    if (!available) return;
    const rows = 5, H = 37;
    const rng = new Rng(withPrev ? 4 : 3);
    const a = new Float32Array(4 * rows * H).map((_, k) => (Math.floor(k / H) % 4 === 3 ? Math.tanh(rng.normal()) : sigmoid(2 * rng.normal())));
    const tc = new Float32Array(rows * H).map(() => Math.tanh(rng.normal()));
    const dh = normals(rng, rows * H, 1), carry = normals(rng, rows * H, 1);
    const cPrev = withPrev ? normals(rng, rows * H, 2) : null;
    const want = backwardReference(dh, a, tc, cPrev, carry, rows, H);
    const before = tf.memory().numTensors;
    const [DH, A, TC, DC] = [heapTensor(dh, rows, H), heapTensor(a, rows, 4 * H), heapTensor(tc, rows, H), heapTensor(carry, rows, H)];
    const P = cPrev === null ? null : heapTensor(cPrev, rows, H);
    const DZ = nativeEmpty(rows, 4 * H);
    nativeLstmCellBackward({ dh: { t: DH }, gates: { t: A }, tanhC: { t: TC }, cPrev: P === null ? null : { t: P }, dcCarry: { t: DC }, dz: { t: DZ } }, rows);
    // Products of <= 6 float32 factors of magnitude <= ~4: a few ulp of each term.
    assertNear(nativeReadRows(DZ, 0, rows), want.dz, 1e-6, 1e-6, 'dz');
    assertNear(nativeReadRows(DC, 0, rows), want.next, 1e-6, 1e-6, 'carry');
    if (!withPrev) assert.ok(nativeReadRows(DZ, 0, rows).every((v, k) => Math.floor(k / H) % 4 !== 1 || v === 0), 'df is 0 without a previous state');
    tf.dispose([DH, A, TC, DC, DZ, ...(P === null ? [] : [P])]);
    assert.is(tf.memory().numTensors, before, 'no tensor leak');
  });
}

test('sigmoid and tanh are within 4 ulp over the float range, and keep the special values', () => {
  if (!available) return;
  // Random bit patterns of |x| <= 100 (every exponent), a dense uniform sweep of [-12, 12] and the
  // edges of the kernels' branches and clamps.
  const rng = new Rng(7);
  const edges = [0, -0, 1e-30, -1e-30, 1e-8, 0.3125, 0.625, -0.625, 0.62499994, 9, -9, 10, 44, 86.9, -87, -87.3, -87.33, -87.34, -87.4, 87.5, 88, -88.5, 100, -100];
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const values: number[] = [...edges];
  while (values.length < 20000) {
    bits[0] = Math.floor(rng.uniform() * 2 ** 32);
    if (Math.abs(asFloat[0]) <= 100) values.push(asFloat[0]);
  }
  for (let k = 0; k < 20000; k++) values.push(rng.uniformRange(-12, 12));
  const H = values.length;
  // One row: the same values in all four gate blocks (sigmoid in i, f, o; tanh in u).
  const z = new Float32Array(4 * H);
  for (let g = 0; g < 4; g++) z.set(values, g * H);
  const A = heapTensor(z, 1, 4 * H);
  const [C, TC, Hs] = [nativeEmpty(1, H), nativeEmpty(1, H), nativeEmpty(1, H)];
  nativeLstmCellForward({ gates: { t: A }, cPrev: null, c: { t: C }, tanhC: { t: TC }, h: { t: Hs } }, 1);
  const a = nativeReadRows(A, 0, 1);
  const x = new Float32Array(values);
  let worstSigmoid = 0, worstTanh = 0;
  for (let k = 0; k < H; k++) {
    const s = sigmoid(x[k]), t = Math.tanh(x[k]);
    // The kernel flushes subnormal sigmoids (x below -126 ln 2) to 0.
    if (s > 2 ** -126 * 1.0001) worstSigmoid = Math.max(worstSigmoid, Math.abs(a[k] - s) / s);
    else assert.ok(a[k] >= 0 && a[k] <= 2 ** -125, `sigmoid(${x[k]}) = ${a[k]}`);
    if (t !== 0) worstTanh = Math.max(worstTanh, Math.abs(a[3 * H + k] - t) / Math.abs(t));
  }
  assert.ok(worstSigmoid <= 4 * 2 ** -24, `sigmoid max relative error ${worstSigmoid}`);
  assert.ok(worstTanh <= 4 * 2 ** -24, `tanh max relative error ${worstTanh}`);
  // Exact values: sigmoid(0) = 0.5, tanh(0) = 0, sigmoid and tanh saturate exactly.
  const at = (v: number) => values.indexOf(v);
  assert.is(a[at(0)], 0.5);
  assert.ok(a[3 * H + at(0)] === 0, 'tanh(0) = 0');
  assert.is(a[at(100)], 1);
  assert.is(a[at(-100)], 0);
  assert.is(a[3 * H + at(10)], 1);
  assert.is(a[3 * H + at(-100)], -1);
  tf.dispose([A, C, TC, Hs]);

  // Infinities saturate, NaN propagates to every output of its element.
  const special = new Float32Array([Infinity, -Infinity, NaN, Infinity, -Infinity, NaN, Infinity, -Infinity, NaN, Infinity, -Infinity, NaN]);
  const S = heapTensor(special, 1, 12);
  const [C3, TC3, H3] = [nativeEmpty(1, 3), nativeEmpty(1, 3), nativeEmpty(1, 3)];
  nativeLstmCellForward({ gates: { t: S }, cPrev: null, c: { t: C3 }, tanhC: { t: TC3 }, h: { t: H3 } }, 1);
  assert.equal(Array.from(nativeReadRows(S, 0, 1)), [1, 0, NaN, 1, 0, NaN, 1, 0, NaN, 1, -1, NaN]);
  assert.equal(Array.from(nativeReadRows(H3, 0, 1)), [Math.fround(Math.tanh(1)), 0, NaN]);
  tf.dispose([S, C3, TC3, H3]);
});

test('operands that do not fit or overlap: one line naming them', () => {
  if (!available) return;
  const A = nativeEmpty(4, 8), C = nativeEmpty(4, 2), W = nativeEmpty(4, 3);
  assert.throws(() => nativeLstmCellForward({ gates: { t: A }, cPrev: null, c: { t: W }, tanhC: { t: W }, h: { t: W } }, 4),
    /^nativeLstmCellForward: gates is \[4, 8\], needs 12 columns$/);
  assert.throws(() => nativeLstmCellForward({ gates: { t: A, row: 1 }, cPrev: null, c: { t: C }, tanhC: { t: C }, h: { t: C } }, 4),
    /^nativeLstmCellForward \(gates\): rows 1\+4 do not fit float32 \[4, 8\]$/);
  assert.throws(() => nativeLstmCellForward({ gates: { t: A }, cPrev: null, c: { t: C }, tanhC: { t: C }, h: { t: C } }, 4),
    /^lstmCellForward: C and Tc overlap; they must be distinct$/);
  assert.throws(() => nativeLstmCellBackward({ dh: { t: C }, gates: { t: A }, tanhC: { t: C }, cPrev: null, dcCarry: { t: C }, dz: { t: A } }, 4),
    /^lstmCellBackward: Dh and Dc overlap; they must be distinct$/);
  tf.dispose([A, C, W]);
});

test.run();

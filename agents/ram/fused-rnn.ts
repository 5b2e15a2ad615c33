/**
 * The whole RAM replay (rnn core) as ONE differentiable op with a hand-written backward pass.
 *
 * Autograd over the modular networks records ~400 small kernels per update (explicit transposes,
 * bias reductions over axis 0, per-op gradient closures). This op runs the same forward math
 * untaped, saves the few activations the backward needs, and computes every weight gradient with
 * ~60 kernels: transposed matMuls (cheap with the native GEMM), bias sums as `1^T dZ` matMuls,
 * one ReLU mask for the concatenated glimpse layers, and the recurrent gradient as one
 * `H_{0..T-2}^T dZ_{1..T-1}` matMul after the time loop.
 *
 * The math is exactly the modular path's (ram-agent.ts falls back to it for the lstm core):
 *   hg = relu(X Ww + bw), hl = relu(L Wl' + bl'), g = relu([hg, hl] Wc + bc), p = g Wi + bi,
 *   h_t = relu(p_t + h_{t-1} Wh) (h_{-1} = 0), mu = tanh(H Wloc + bloc),
 *   logp = sum_k -0.5 ((s - mu)/std)^2 - log std - log(2 pi)/2, base = stop(H) Wb + bb,
 *   classLogProbs = logSoftmax(h_{T-1} Wa + ba).
 * With `detachLocationInput` the location head reads stop(H) as well (mu's forward is the same):
 * the backward keeps dWloc, dbloc but sends none of the location gradient into H.
 */
import * as tf from '@tensorflow/tfjs-core';
import { flattenRamWeights, unflattenRamWeights, type RamWeights } from './weights';
import { nativeColSum, nativeDenseAvailable, nativeEmpty, nativeLinear, nativeLinearInto, nativeMatMulTN, nativeReluMaskRows } from '../../tensor/native-dense';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Stacked rollout data of the fused replay: step-major rows (row t*B + b is step t, episode b). */
export interface FusedRnnInput {
  T: number;
  B: number;
  /** `[T*B, D]` glimpses. */
  glimpses: Float32Array;
  /** `[T*B, 2]` locations the glimpses were taken at. */
  locations: Float32Array;
  /** `[T*B, 2]` unclipped location samples drawn by `act`. */
  samples: Float32Array;
  /** Standard deviation of the Gaussian location policy. */
  std: number;
  /** The location head reads stop(H) (RamOptions.detachLocationInput); absent means false. */
  detachLocationInput?: boolean;
}

/**
 * The replay's forward activations that do not depend on the location samples, all `[T*B, .]`
 * step-major: what an {@link ActTape} records during `act` (act-tape.ts) so the replay can skip
 * its forward. `cat` is `[hg, hl]` side by side (both ReLU outputs).
 */
export interface FusedForward {
  X: tf.Tensor2D;
  L: tf.Tensor2D;
  cat: tf.Tensor2D;
  g: tf.Tensor2D;
  H: tf.Tensor2D;
  mu: tf.Tensor2D;
}

/** What {@link fusedRnnEvaluate} returns (all differentiable with respect to the weights). */
export interface FusedRnnOutput {
  /** `[T, B]` log-probabilities of the samples. */
  logProbs: tf.Tensor2D;
  /** `[T, B]` baselines (their gradient never reaches h). */
  baselines: tf.Tensor2D;
  /** `[B, C]` class log-probabilities at the last step. */
  classLogProbs: tf.Tensor2D;
}

/** Column sums of `[N, K]` as `[K]`, by a `1^T M` matMul (wasm's Sum over axis 0 transposes first). */
function colSum(m: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, m.shape[0]]), m), [m.shape[1]]);
}

/** `dy` where `y > 0` (ReLU's derivative expressed through its output), else 0. */
function reluBack(dy: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(dy, tf.step(y));
}

/** Rows `[t*B, (t+1)*B)` of a step-major `[T*B, K]` tensor. */
function rows(x: tf.Tensor2D, from: number, count: number): tf.Tensor2D {
  return tf.slice(x, [from, 0], [count, x.shape[1]]);
}

/** The forward activations the loss values and the backward need. */
interface Forward {
  /** `[N, hg + hl]`: both glimpse layers' ReLU outputs side by side. */
  cat: tf.Tensor2D;
  g: tf.Tensor2D;
  /** `[N, H]`: every step's hidden state, step-major. */
  H: tf.Tensor2D;
  mu: tf.Tensor2D;
  /** `[N, 1]` baseline values. */
  base: tf.Tensor2D;
  /** `[B, C]` class logits at the last step. */
  logits: tf.Tensor2D;
}

/** The forward as tfjs kernels (any backend). */
function forwardKernels(w: RamWeights, X: tf.Tensor2D, L: tf.Tensor2D, T: number, B: number): Forward {
  const { what, where, combine, coreInput, coreRecurrent: Wh, location, action, baseline } = w;
  // Glimpse network on all T*B rows at once; [hg, hl] kept concatenated for one combine matMul.
  const cat = tf.concat([tf.relu(tf.add(tf.matMul(X, what.kernel), what.bias)), tf.relu(tf.add(tf.matMul(L, where.kernel), where.bias))], 1) as tf.Tensor2D;
  const g = tf.relu(tf.add(tf.matMul(cat, combine.kernel), combine.bias)) as tf.Tensor2D;
  const P = tf.add(tf.matMul(g, coreInput.kernel), coreInput.bias) as tf.Tensor2D;
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const p = T === 1 ? P : rows(P, t * B, B);
    hs.push(tf.relu(t === 0 ? p : tf.add(p, tf.matMul(hs[t - 1], Wh))) as tf.Tensor2D);
  }
  const H = T === 1 ? hs[0] : (tf.concat(hs, 0) as tf.Tensor2D);
  const mu = tf.tanh(tf.add(tf.matMul(H, location.kernel), location.bias)) as tf.Tensor2D;
  const base = tf.add(tf.matMul(H, baseline.kernel), baseline.bias) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(hs[T - 1], action.kernel), action.bias) as tf.Tensor2D;
  return { cat, g, H, mu, base, logits };
}

/**
 * The same forward on native dense layers over the wasm heap (tensor/native-dense.ts): layers
 * write straight into their row/column blocks of `cat` and `H` and read step t's rows in place,
 * so the Slices, Concats, Adds and activations of {@link forwardKernels} are gone.
 */
function forwardNative(w: RamWeights, X: tf.Tensor2D, L: tf.Tensor2D, T: number, B: number): Forward {
  const { what, where, combine, coreInput, coreRecurrent: Wh, location } = w;
  const N = T * B;
  const hg = what.kernel.shape[1];
  const cat = nativeEmpty(N, hg + where.kernel.shape[1]);
  nativeLinearInto(cat, 0, 0, [{ x: X, w: what.kernel }], what.bias, 'relu');
  nativeLinearInto(cat, 0, hg, [{ x: L, w: where.kernel }], where.bias, 'relu');
  const g = nativeLinear([{ x: cat, w: combine.kernel }], combine.bias, 'relu');
  const H = nativeEmpty(N, Wh.shape[1]);
  for (let t = 0; t < T; t++) {
    const terms = [{ x: g, w: coreInput.kernel, xRowStart: t * B }];
    if (t > 0) terms.push({ x: H, w: Wh, xRowStart: (t - 1) * B });
    nativeLinearInto(H, t * B, 0, terms, coreInput.bias, 'relu', B);
  }
  const mu = nativeLinear([{ x: H, w: location.kernel }], location.bias, 'tanh');
  return { cat, g, H, mu, ...headsNative(w, H, T, B) };
}

/** The baseline and the last step's logits from H, on native dense layers (the heads act does not keep). */
function headsNative(w: RamWeights, H: tf.Tensor2D, T: number, B: number): { base: tf.Tensor2D; logits: tf.Tensor2D } {
  const base = nativeLinear([{ x: H, w: w.baseline.kernel }], w.baseline.bias, 'linear');
  const logits = nativeLinear([{ x: H, w: w.action.kernel, xRowStart: (T - 1) * B }], w.action.bias, 'linear', B);
  return { base, logits };
}

/**
 * Backward through time as tfjs kernels: dZ_t = (dH_t [+ dLast at T-1] + dZ_{t+1} Wh^T) * (h_t > 0),
 * returned step-major as `[N, H]`. `dH` null: no per-step head gradient (detached location head).
 */
function backThroughTimeKernels(dH: tf.Tensor2D | null, dLast: tf.Tensor2D, Wh: tf.Tensor2D, sH: tf.Tensor2D, T: number, B: number): tf.Tensor2D {
  const dZs: tf.Tensor2D[] = new Array(T);
  let carry: tf.Tensor2D | null = null;
  for (let t = T - 1; t >= 0; t--) {
    let dh: tf.Tensor2D | null = dH === null ? null : T === 1 ? dH : rows(dH, t * B, B);
    if (t === T - 1) dh = dh === null ? dLast : (tf.add(dh, dLast) as tf.Tensor2D);
    if (carry) dh = dh === null ? carry : (tf.add(dh, carry) as tf.Tensor2D);
    if (dh === null) throw new Error('backThroughTimeKernels: unreachable, step t always has a gradient');
    const ht = T === 1 ? sH : rows(sH, t * B, B);
    dZs[t] = reluBack(dh, ht);
    if (t > 0) carry = tf.matMul(dZs[t], Wh, false, true) as tf.Tensor2D;
  }
  return T === 1 ? dZs[0] : (tf.concat(dZs, 0) as tf.Tensor2D);
}

/**
 * The same on the native addon: dH is computed straight into dZ, then each step's block gets the
 * head and recurrent gradients accumulated into it (GEMMs with beta = 1 reading block t+1 in
 * place) and the ReLU mask; no Slices, Adds, Steps or Concat. `dPreLoc` null (detached location
 * head): dZ starts uninitialised and every block is written (not accumulated) by its first GEMM.
 */
function backThroughTimeNative(
  dPreLoc: tf.Tensor2D | null, Wloc: tf.Tensor2D, dLogits: tf.Tensor2D, Wa: tf.Tensor2D, Wh: tf.Tensor2D, sH: tf.Tensor2D, T: number, B: number,
): tf.Tensor2D {
  const headInH = dPreLoc !== null;
  const dZ = headInH ? nativeLinear([{ x: dPreLoc, w: Wloc, transposeW: true }], null, 'linear') : nativeEmpty(T * B, Wh.shape[0]);
  nativeLinearInto(dZ, (T - 1) * B, 0, [{ x: dLogits, w: Wa, transposeW: true }], null, 'linear', B, headInH);
  for (let t = T - 1; t >= 0; t--) {
    if (t < T - 1) nativeLinearInto(dZ, t * B, 0, [{ x: dZ, w: Wh, xRowStart: (t + 1) * B, transposeW: true }], null, 'linear', B, headInH);
    nativeReluMaskRows(dZ, t * B, sH, t * B, B);
  }
  return dZ;
}

let nativeBackward = true;

/**
 * Turns {@link backwardNative} off (true restores it): the backward then computes the weight
 * gradients as tfjs matMuls on Slices (the backward through time stays native). For side-by-side
 * timing (bench/step-ab.ts) and tests; the values are the same.
 */
export function setNativeBackwardEnabled(on: boolean): void {
  nativeBackward = on;
}

/** Sizes and options {@link backwardNative} needs. */
interface BackwardDims {
  T: number;
  B: number;
  C: number;
  /** Width of the what layer (the first columns of `[hg, hl]`). */
  hg: number;
  std: number;
  detachLoc: boolean;
}

/**
 * The backward pass on the native addon, the same math as the kernels' one in
 * {@link fusedRnnEvaluate}: the weight gradients are `x^T dz` GEMMs read straight from row and
 * column blocks of the saved activations (no Slice; `[hg, hl]`'s gradient is not split), the
 * bias gradients `1^T dz` GEMMs, the ReLU masks in place. Only the loss-side products on `[N, 2]`
 * and `[B, C]` stay tfjs kernels.
 */
function backwardNative(w: RamWeights, saved: tf.Tensor2D[], dy: tf.Tensor, d: BackwardDims): RamWeights {
  const { T, B, C, hg, std, detachLoc } = d;
  const N = T * B;
  const [sX, sL, sCat, sG, sH, sMu, sZ, sCls] = saved;
  const Wh = w.coreRecurrent;
  const dLogp = tf.reshape(tf.slice(dy, [0], [N]), [N, 1]) as tf.Tensor2D;
  const dBase = tf.reshape(tf.slice(dy, [N], [N]), [N, 1]) as tf.Tensor2D;
  const dCls = tf.reshape(tf.slice(dy, [2 * N], [B * C]), [B, C]) as tf.Tensor2D;
  const ones = tf.ones([N]);
  const colSum = (t: tf.Tensor2D, col = 0, cols?: number, rows = N) => nativeColSum(ones, { t, col, cols }, rows);
  // d logp / d mu = z / std; through tanh: (1 - mu^2).
  const dPreLoc = tf.mul(tf.mul(dLogp, sZ), tf.mul(tf.sub(1, tf.square(sMu)), 1 / std)) as tf.Tensor2D;
  const dWloc = nativeMatMulTN({ t: sH }, { t: dPreLoc }, N);
  const dbloc = colSum(dPreLoc);
  const dWb = nativeMatMulTN({ t: sH }, { t: dBase }, N);
  const dbb = tf.reshape(tf.sum(dBase), [1]);
  // logSoftmax: d logits = dCls - softmax * rowSum(dCls).
  const dLogits = tf.sub(dCls, tf.mul(tf.exp(sCls), tf.sum(dCls, 1, true))) as tf.Tensor2D;
  const dWa = nativeMatMulTN({ t: sH, row: (T - 1) * B }, { t: dLogits }, B);
  const dba = colSum(dLogits, 0, undefined, B);
  const dZ = backThroughTimeNative(detachLoc ? null : dPreLoc, w.location.kernel, dLogits, w.action.kernel, Wh, sH, T, B);
  // h_t = relu(p_t + h_{t-1} Wh) with h_{-1} = 0: dWh = sum_{t>=1} h_{t-1}^T dz_t, one GEMM over row blocks.
  const dWh = T === 1 ? tf.zerosLike(Wh) : nativeMatMulTN({ t: sH }, { t: dZ, row: B }, (T - 1) * B);
  const dWi = nativeMatMulTN({ t: sG }, { t: dZ }, N);
  const dbi = colSum(dZ);
  const dA3 = nativeLinear([{ x: dZ, w: w.coreInput.kernel, transposeW: true }], null, 'linear');
  nativeReluMaskRows(dA3, 0, sG, 0, N);
  const dWc = nativeMatMulTN({ t: sCat }, { t: dA3 }, N);
  const dbc = colSum(dA3);
  // [hg, hl] are both ReLU outputs: one mask for the pair; their gradients are column blocks.
  const dCat = nativeLinear([{ x: dA3, w: w.combine.kernel, transposeW: true }], null, 'linear');
  nativeReluMaskRows(dCat, 0, sCat, 0, N);
  const hl = dCat.shape[1] - hg;
  return {
    what: { kernel: nativeMatMulTN({ t: sX }, { t: dCat, cols: hg }, N), bias: colSum(dCat, 0, hg) },
    where: { kernel: nativeMatMulTN({ t: sL }, { t: dCat, col: hg, cols: hl }, N), bias: colSum(dCat, hg, hl) },
    combine: { kernel: dWc, bias: dbc },
    coreInput: { kernel: dWi, bias: dbi },
    coreRecurrent: dWh as tf.Tensor2D,
    location: { kernel: dWloc, bias: dbloc },
    action: { kernel: dWa, bias: dba },
    baseline: { kernel: dWb, bias: dbb as tf.Tensor1D },
  };
}

/**
 * Replays a rollout through the rnn RAM whose variables are `weights` as one op with a hand-written gradient (see module doc). Call inside a gradient scope to
 * train; outside one it is a plain forward pass. `recorded`: the forward activations of this very
 * rollout under these very weights (an act tape, act-tape.ts; native dense layers only): the
 * forward is then not recomputed, and `input.glimpses` / `input.locations` are not read.
 */
export function fusedRnnEvaluate(weights: RamWeights, input: FusedRnnInput, recorded?: FusedForward): FusedRnnOutput {
  const { T, B, std } = input;
  const detachLoc = input.detachLocationInput === true;
  const N = T * B;
  if (recorded !== undefined && (recorded.H.shape[0] !== N || recorded.X.shape[0] !== N || !nativeDenseAvailable())) {
    throw new Error(`fusedRnnEvaluate: recorded forward has ${recorded.H.shape[0]} rows, the rollout ${N}, or the native dense layers are off`);
  }
  const D = recorded !== undefined ? recorded.X.shape[1] : input.glimpses.length / N;
  const C = weights.action.kernel.shape[1];
  const hg = weights.what.kernel.shape[1];

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const w = unflattenRamWeights(args.slice(0, -1) as tf.Tensor[]);
    const X = recorded?.X ?? tf.tensor2d(input.glimpses, [N, D]);
    const L = recorded?.L ?? tf.tensor2d(input.locations, [N, 2]);
    const S = tf.tensor2d(input.samples, [N, 2]);
    const f = recorded !== undefined ? { ...recorded, ...headsNative(w, recorded.H, T, B) }
      : nativeDenseAvailable() ? forwardNative(w, X, L, T, B) : forwardKernels(w, X, L, T, B);
    const { cat, g, H, mu } = f;
    const z = tf.div(tf.sub(S, mu), std) as tf.Tensor2D;
    const logp = tf.sub(tf.mul(tf.sum(tf.square(z), 1), -0.5), 2 * (Math.log(std) + HALF_LOG_2PI));
    const base = tf.reshape(f.base, [N]);
    const cls = tf.logSoftmax(f.logits) as tf.Tensor2D;
    save([X, L, cat, g, H, mu, z, cls]);
    const value = tf.concat([logp, base, tf.reshape(cls, [B * C])]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      if (nativeDenseAvailable() && nativeBackward) return flattenRamWeights(backwardNative(w, saved as tf.Tensor2D[], dy, { T, B, C, hg, std, detachLoc }));
      const { combine, coreInput, coreRecurrent: Wh, location, action } = w;
      const [sX, sL, sCat, sG, sH, sMu, sZ, sCls] = saved as tf.Tensor2D[];
      const dLogp = tf.reshape(tf.slice(dy, [0], [N]), [N, 1]) as tf.Tensor2D;
      const dBase = tf.reshape(tf.slice(dy, [N], [N]), [N, 1]) as tf.Tensor2D;
      const dCls = tf.reshape(tf.slice(dy, [2 * N], [B * C]), [B, C]) as tf.Tensor2D;
      // d logp / d mu = z / std; through tanh: (1 - mu^2).
      const dPreLoc = tf.mul(tf.mul(dLogp, sZ), tf.mul(tf.sub(1, tf.square(sMu)), 1 / std)) as tf.Tensor2D;
      const dWloc = tf.matMul(sH, dPreLoc, true, false);
      const dbloc = colSum(dPreLoc);
      const dWb = tf.matMul(sH, dBase, true, false);
      const dbb = tf.reshape(tf.sum(dBase), [1]);
      // logSoftmax: d logits = dCls - softmax * rowSum(dCls).
      const dLogits = tf.sub(dCls, tf.mul(tf.exp(sCls), tf.sum(dCls, 1, true))) as tf.Tensor2D;
      const hLast = T === 1 ? sH : rows(sH, (T - 1) * B, B);
      const dWa = tf.matMul(hLast, dLogits, true, false);
      const dba = colSum(dLogits);
      // The baseline reads stop(h): only the location and action heads send gradient into H, and
      // only the action head when the location head reads stop(h) too (detachLocationInput).
      const dZ = nativeDenseAvailable()
        ? backThroughTimeNative(detachLoc ? null : dPreLoc, location.kernel, dLogits, action.kernel, Wh, sH, T, B)
        : backThroughTimeKernels(detachLoc ? null : (tf.matMul(dPreLoc, location.kernel, false, true) as tf.Tensor2D), tf.matMul(dLogits, action.kernel, false, true), Wh, sH, T, B);
      // h_t = relu(p_t + h_{t-1} Wh) with h_{-1} = 0: dWh = sum_{t>=1} h_{t-1}^T dz_t in one matMul.
      const dWh = T === 1 ? tf.zerosLike(Wh) : tf.matMul(rows(sH, 0, (T - 1) * B), rows(dZ, B, (T - 1) * B), true, false);
      const dWi = tf.matMul(sG, dZ, true, false);
      const dbi = colSum(dZ);
      const dA3 = reluBack(tf.matMul(dZ, coreInput.kernel, false, true), sG);
      const dWc = tf.matMul(sCat, dA3, true, false);
      const dbc = colSum(dA3);
      // [hg, hl] are both ReLU outputs: one mask for the pair, then split by columns.
      const dCat = reluBack(tf.matMul(dA3, combine.kernel, false, true), sCat);
      const dA1 = tf.slice(dCat, [0, 0], [N, hg]) as tf.Tensor2D;
      const dA2 = tf.slice(dCat, [0, hg], [N, dCat.shape[1] - hg]) as tf.Tensor2D;
      const k2 = (t: tf.Tensor) => t as tf.Tensor2D;
      return flattenRamWeights({
        what: { kernel: tf.matMul(sX, dA1, true, false), bias: colSum(dA1) },
        where: { kernel: tf.matMul(sL, dA2, true, false), bias: colSum(dA2) },
        combine: { kernel: k2(dWc), bias: dbc },
        coreInput: { kernel: k2(dWi), bias: dbi },
        coreRecurrent: dWh as tf.Tensor2D,
        location: { kernel: k2(dWloc), bias: dbloc },
        action: { kernel: k2(dWa), bias: dba },
        baseline: { kernel: k2(dWb), bias: dbb as tf.Tensor1D },
      });
    };
    return { value, gradFunc };
  });
  const packed = op(...flattenRamWeights(weights)) as tf.Tensor1D;
  return {
    logProbs: tf.reshape(tf.slice(packed, [0], [N]), [T, B]),
    baselines: tf.reshape(tf.slice(packed, [N], [N]), [T, B]),
    classLogProbs: tf.reshape(tf.slice(packed, [2 * N], [B * C]), [B, C]),
  };
}

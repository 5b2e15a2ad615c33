/**
 * The whole RAM replay (rnn or lstm core) as ONE differentiable op with a hand-written backward pass.
 *
 * Autograd over the reference networks records ~400 small kernels per update (explicit
 * transposes, bias reductions, per-op gradient closures). This op runs the forward of forward.ts
 * untaped (or takes the activations `act` kept, activation-cache.ts), saves what the backward
 * needs, and computes every weight gradient as native GEMMs on row and column blocks of the saved
 * activations: `x^T dz` weight gradients, `1^T dz` bias sums, one ReLU mask for the concatenated
 * glimpse layers, and the recurrent gradient as one `H_{0..T-2}^T dZ_{1..T-1}` GEMM after the
 * time loop. Only the loss-side products on `[N, 2]` and `[B, C]` stay tfjs kernels.
 *
 * The outputs are the reference replay's (RamAgent.evaluateReference; test/fast-path.test.ts):
 *   logp = sum_k -0.5 ((s - mu)/std)^2 - log std - log(2 pi)/2, base = stop(H) Wb + bb,
 *   classLogProbs = logSoftmax(h_{T-1} Wa + ba).
 * With `detachLocationInput` the location head reads stop(H) as well (mu's forward is the same):
 * the backward keeps dWloc, dbloc but sends none of the location gradient into H.
 * With the context network (weights `context`), step 0 is the context step (forward.ts): its
 * dH_0 (head gradients + dZ_1 Wh^T) goes through h_0's ReLU into Wcontext and its bias, and the
 * glimpse and core-input gradients sum over the steps 1.. only (step 0 has no glimpse).
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeColSum, nativeCopyRows, nativeEmpty, nativeLinear, nativeLinearInto, nativeMatMulTN, nativeReluMaskRows, nativeRowsView, nativeWriteRows, type MatBlock } from '../../../tensor/native-dense';
import { flattenRamWeights, unflattenRamWeights, type RamWeights } from '../weights';
import { nativeLstmCellBackward } from '../../../tensor/native-lstm';
import { allocateForward, baselineRows, forwardAll, forwardWidths, logitRows, type ForwardBuffers } from './forward';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Stacked rollout data of the replay: step-major rows (row t*B + b is step t, episode b). */
export interface ReplayInput {
  T: number;
  B: number;
  /** `[T*B, D]` glimpses (not read when the forward comes from an activation cache). */
  glimpses: Float32Array;
  /** `[T*B, 2]` locations the glimpses were taken at (idem). */
  locations: Float32Array;
  /** `[T*B, 2]` unclipped location samples drawn by `act`. */
  samples: Float32Array;
  /** Standard deviation of the Gaussian location policy. */
  std: number;
  /** The location head reads stop(H) (RamOptions.detachLocationInput). */
  detachLocationInput: boolean;
  /** `[B, c*c]` coarse views of the context step (weights with the context network; not read when the forward comes from an activation cache). */
  contexts?: Float32Array;
}

/** What {@link fastReplay} returns (all differentiable with respect to the weights). */
export interface ReplayOutput {
  /** `[T, B]` log-probabilities of the samples. */
  logProbs: tf.Tensor2D;
  /** `[T, B]` baselines (their gradient never reaches h). */
  baselines: tf.Tensor2D;
  /** `[B, C]` class log-probabilities at the last step. */
  classLogProbs: tf.Tensor2D;
}

/**
 * Backward through time: dZ_t = (dH_t [+ dLast at T-1] + dZ_{t+1} Wh^T) * (h_t > 0), step-major
 * `[N, H]`. dH is computed straight into dZ, then each step's block gets the
 * head and recurrent gradients accumulated into it (GEMMs with beta = 1 reading block t+1 in
 * place) and the ReLU mask; no Slices, Adds, Steps or Concat. `dPreLoc` null (detached location
 * head): dZ starts uninitialised and every block is written (not accumulated) by its first GEMM.
 */
function backThroughTime(
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

/**
 * Backward through time of the lstm core, into `[N, 4H]` dZ (the gradient of the gate
 * pre-activations, column blocks i, f, o, u). dH_t = head gradients + dZ_{t+1} Wh^T (GEMMs
 * accumulating in place); the cell's chain rule is one native call per step
 * (tensor/native-lstm.ts) on the saved gates `sA`, cells `sC` and their tanh `sTC`:
 *   do = dh tanh(c), dc = dh o (1 - tanh(c)^2) + dc_{t+1} f_{t+1}, di = dc u, du = dc i,
 *   df = dc c_{t-1} (0 at t = 0); dz = [di i(1-i), df f(1-f), do o(1-o), du (1-u^2)].
 */
function backThroughTimeLstm(
  dPreLoc: tf.Tensor2D | null, Wloc: tf.Tensor2D, dLogits: tf.Tensor2D, Wa: tf.Tensor2D, Wh: tf.Tensor2D,
  sA: tf.Tensor2D, sC: tf.Tensor2D, sTC: tf.Tensor2D, T: number, B: number, sH: tf.Tensor2D, contextStep: boolean,
): { dZ: tf.Tensor2D; dContext: tf.Tensor2D | null } {
  const H = Wh.shape[0];
  const N = T * B;
  const dH = dPreLoc !== null ? nativeLinear([{ x: dPreLoc, w: Wloc, transposeW: true }], null, 'linear') : nativeEmpty(N, H);
  if (dPreLoc === null) nativeRowsView(dH, 0, N).fill(0);
  nativeLinearInto(dH, (T - 1) * B, 0, [{ x: dLogits, w: Wa, transposeW: true }], null, 'linear', B, true);
  const dZ = nativeEmpty(N, 4 * H);
  const dcCarry = nativeEmpty(B, H);
  let dContext: tf.Tensor2D | null = null;
  try {
    nativeRowsView(dcCarry, 0, B).fill(0);
    // The context step (step 0) is no cell step: its dH goes to the context network below.
    const last = contextStep ? 1 : 0;
    for (let t = T - 1; t >= last; t--) {
      if (t < T - 1) nativeLinearInto(dH, t * B, 0, [{ x: dZ, w: Wh, xRowStart: (t + 1) * B, transposeW: true }], null, 'linear', B, true);
      const cPrev = t > 0 ? { t: sC, row: (t - 1) * B } : null;
      const row = t * B;
      nativeLstmCellBackward({ dh: { t: dH, row }, gates: { t: sA, row }, tanhC: { t: sTC, row }, cPrev, dcCarry: { t: dcCarry }, dz: { t: dZ, row } }, B);
    }
    if (contextStep) {
      // dh_0 = head gradients + dz_1 Wh^T (c_0 = 0 is a constant: no gradient), then h_0's ReLU.
      if (T > 1) nativeLinearInto(dH, 0, 0, [{ x: dZ, w: Wh, xRowStart: B, transposeW: true }], null, 'linear', B, true);
      dContext = nativeEmpty(B, H);
      nativeCopyRows(dContext, 0, dH, 0, B);
      nativeReluMaskRows(dContext, 0, sH, 0, B);
    }
  } finally {
    tf.dispose([dH, dcCarry]);
  }
  return { dZ, dContext };
}

/**
 * What the replay keeps for its backward, by name: every forward buffer (forward.ts) and the
 * loss side's standardised samples `z` `[N, 2]` and class log-probabilities `cls` `[B, C]`.
 * (`tf.customGrad` saves a list; {@link fastReplay} converts by these names, never by position.)
 */
type Saved = ForwardBuffers & { z: tf.Tensor2D; cls: tf.Tensor2D };

/** Sizes and options {@link backward} needs. */
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
 * The replay's backward pass: the weight gradients are `x^T dz` GEMMs read straight from row and
 * column blocks of the saved activations (no Slice; `[hg, hl]`'s gradient is not split), the
 * bias gradients `1^T dz` GEMMs, the ReLU masks in place. Only the loss-side products on `[N, 2]`
 * and `[B, C]` stay tfjs kernels.
 */
function backward(w: RamWeights, saved: Saved, dy: tf.Tensor, d: BackwardDims): RamWeights {
  const { T, B, C, hg, std, detachLoc } = d;
  const N = T * B;
  const { X: sX, L: sL, cat: sCat, g: sG, H: sH, mu: sMu, z: sZ, cls: sCls, A: sA, K: sK } = saved;
  const sC = saved.C!, sTC = saved.TC!; // lstm only: present exactly when A is
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
  const withContext = w.context !== undefined;
  let dContext: MatBlock | null = null;
  let dZ: tf.Tensor2D;
  if (sA === undefined) {
    // rnn: h_0 = relu(K Wcontext + b) has the core's own ReLU, so dZ's step-0 rows are the context's pre-activation gradient.
    dZ = backThroughTime(detachLoc ? null : dPreLoc, w.location.kernel, dLogits, w.action.kernel, Wh, sH, T, B);
    if (withContext) dContext = { t: dZ, row: 0 };
  } else {
    const lstm = backThroughTimeLstm(detachLoc ? null : dPreLoc, w.location.kernel, dLogits, w.action.kernel, Wh, sA, sC, sTC, T, B, sH, withContext);
    dZ = lstm.dZ;
    if (lstm.dContext !== null) dContext = { t: lstm.dContext };
  }
  // z_t = p_t + h_{t-1} Wh with h_{-1} = 0: dWh = sum_{t>=1} h_{t-1}^T dz_t, one GEMM over row blocks.
  const dWh = T === 1 ? tf.zerosLike(Wh) : nativeMatMulTN({ t: sH }, { t: dZ, row: B }, (T - 1) * B);
  // The glimpse steps: all rows, or rows B.. with the context step (its glimpse rows are never computed).
  const r0 = withContext ? B : 0;
  const Ng = N - r0;
  const dWi = nativeMatMulTN({ t: sG, row: r0 }, { t: dZ, row: r0 }, Ng);
  const dbi = nativeColSum(ones, { t: dZ, row: r0 }, Ng);
  const dA3 = nativeLinear([{ x: dZ, w: w.coreInput.kernel, transposeW: true, xRowStart: r0 }], null, 'linear', Ng);
  nativeReluMaskRows(dA3, 0, sG, r0, Ng);
  const dWc = nativeMatMulTN({ t: sCat, row: r0 }, { t: dA3 }, Ng);
  const dbc = colSum(dA3, 0, undefined, Ng);
  // [hg, hl] are both ReLU outputs: one mask for the pair; their gradients are column blocks.
  const dCat = nativeLinear([{ x: dA3, w: w.combine.kernel, transposeW: true }], null, 'linear');
  nativeReluMaskRows(dCat, 0, sCat, r0, Ng);
  const hl = dCat.shape[1] - hg;
  const context = dContext === null || sK === undefined ? {} : {
    context: { kernel: nativeMatMulTN({ t: sK }, dContext, B), bias: nativeColSum(ones, dContext, B) },
  };
  return {
    ...context,
    what: { kernel: nativeMatMulTN({ t: sX, row: r0 }, { t: dCat, cols: hg }, Ng), bias: colSum(dCat, 0, hg, Ng) },
    where: { kernel: nativeMatMulTN({ t: sL, row: r0 }, { t: dCat, col: hg, cols: hl }, Ng), bias: colSum(dCat, hg, hl, Ng) },
    combine: { kernel: dWc, bias: dbc },
    coreInput: { kernel: dWi, bias: dbi },
    coreRecurrent: dWh as tf.Tensor2D,
    location: { kernel: dWloc, bias: dbloc },
    action: { kernel: dWa, bias: dba },
    baseline: { kernel: dWb, bias: dbb as tf.Tensor1D },
  };
}

/**
 * Replays a rollout through the rnn RAM with weights `weights` as one op with a hand-written
 * gradient (see module doc). Call inside a gradient scope to train; outside one it is a plain
 * forward pass. `recorded`: the forward activations of this very rollout under these very weights
 * (exactly `[T*B, .]`, from an activation cache): the forward is then not recomputed, and
 * `input.glimpses` / `input.locations` are not read.
 */
export function fastReplay(weights: RamWeights, input: ReplayInput, recorded?: ForwardBuffers): ReplayOutput {
  const { T, B, std } = input;
  const detachLoc = input.detachLocationInput;
  const N = T * B;
  if (recorded !== undefined && (recorded.H.shape[0] !== N || recorded.X.shape[0] !== N)) {
    throw new Error(`fastReplay: recorded forward has ${recorded.H.shape[0]} rows, the rollout ${N}`);
  }
  const D = recorded !== undefined ? recorded.X.shape[1] : input.glimpses.length / N;
  const C = weights.action.kernel.shape[1];
  const hg = weights.what.kernel.shape[1];

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const w = unflattenRamWeights(args.slice(0, -1) as tf.Tensor[]);
    let f = recorded;
    if (f === undefined) {
      f = allocateForward(forwardWidths(w, D), N, false);
      nativeWriteRows(f.X, 0, input.glimpses);
      nativeWriteRows(f.L, 0, input.locations);
      if (f.K !== undefined) {
        if (input.contexts === undefined || input.contexts.length !== B * f.K.shape[1]) throw new Error(`fastReplay: the context network needs ${B} x ${f.K.shape[1]} coarse views (input.contexts)`);
        nativeWriteRows(f.K, 0, input.contexts);
      }
      forwardAll(w, f, T, B);
    }
    const { H, mu } = f;
    const S = tf.tensor2d(input.samples, [N, 2]);
    const z = tf.div(tf.sub(S, mu), std) as tf.Tensor2D;
    const logp = tf.sub(tf.mul(tf.sum(tf.square(z), 1), -0.5), 2 * (Math.log(std) + HALF_LOG_2PI));
    const base = tf.reshape(baselineRows(w, H, 0, N), [N]);
    const cls = tf.logSoftmax(logitRows(w, H, (T - 1) * B, B)) as tf.Tensor2D;
    const kept: Saved = { ...f, z, cls };
    const names = (Object.keys(kept) as Array<keyof Saved>).filter((k) => kept[k] !== undefined);
    save(names.map((k) => kept[k]!));
    const value = tf.concat([logp, base, tf.reshape(cls, [B * C])]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const byName = Object.fromEntries(names.map((k, i) => [k, saved[i]])) as unknown as Saved;
      return flattenRamWeights(backward(w, byName, dy, { T, B, C, hg, std, detachLoc }));
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

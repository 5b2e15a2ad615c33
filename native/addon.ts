/**
 * Typed loader of the optional native addon (GEMM, fused Adam step, dense epilogues, lstm cell;
 * native/src, built by scripts/build-native.js into native/build/Release/glimpse_native.node). Loading never throws: a missing or broken
 * build, or `GLIMPSE_NATIVE=0`, gives `null` and a one-line reason from {@link nativeAddonError}.
 */
import { nativeDisabledReason, nativeEnabled } from '../tensor/flags';
import * as fs from 'fs';
import * as path from 'path';

/** Memory an operand lives in: an ArrayBuffer or any TypedArray (e.g. the wasm heap's HEAPU8). */
export type NativeMemory = ArrayBuffer | ArrayBufferView;

/** The addon's functions. Offsets are in bytes (multiples of 4); sizes and strides in floats. */
export interface NativeAddon {
  /**
   * `C = alpha * op(A) * op(B) + beta * C` on row-major float32 matrices, op(X) = X or X^T;
   * op(A) is M x K, op(B) is K x N, C is M x N, with row strides lda, ldb, ldc. `beta` 0 never
   * reads C. Throws one line naming a bad argument (sizes, strides, offsets, out-of-bounds).
   */
  sgemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: NativeMemory, aOffset: number, lda: number,
    B: NativeMemory, bOffset: number, ldb: number,
    beta: number, C: NativeMemory, cOffset: number, ldc: number,
  ): void;
  /** `batch` GEMMs of the same shape; matrix i starts `i * stride` floats further (0 = broadcast). */
  sgemmBatched(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: NativeMemory, aOffset: number, lda: number, strideA: number,
    B: NativeMemory, bOffset: number, ldb: number, strideB: number,
    beta: number, C: NativeMemory, cOffset: number, ldc: number, strideC: number, batch: number,
  ): void;
  /**
   * One Adam step over `n` floats of arrays in `memory` (byte offsets): weights W and gradient G
   * are read, moments M and V updated in place, the new weights written to Wout (which may be W;
   * all other arrays distinct). With g = G * gradScale: M = M*beta1 + g*oneMinusBeta1;
   * V = V*beta2 + g^2*oneMinusBeta2; Wout = (M/biasCorrection1) / (sqrt(V/biasCorrection2) +
   * epsilon) * negLr + W, every constant and operation in float32 in tfjs's order (bit-identical
   * to tfjs's AdamOptimizer kernels). Absent from builds made before it was added.
   */
  adamUpdate?(
    memory: NativeMemory, wOffset: number, gOffset: number, mOffset: number, vOffset: number, woutOffset: number, n: number,
    beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number,
    biasCorrection1: number, biasCorrection2: number, negLr: number, epsilon: number, gradScale: number,
  ): void;
  /** Sum of squares of `n` floats at byte `offset` of `memory`, accumulated in double. Absent from older builds. */
  sumSquares?(memory: NativeMemory, offset: number, n: number): number;
  /**
   * In place on the M x N row-major matrix C (row stride ldc, byte offset cOffset in `memory`):
   * C[i][j] = act(C[i][j] + bias[j]), bias read from `biasMemory` at `biasOffset` (null: none);
   * activation 0 linear, 1 relu, 2 tanh. Absent from builds made before it was added.
   */
  biasActivation?(
    memory: NativeMemory, cOffset: number, M: number, N: number, ldc: number,
    biasMemory: NativeMemory | null, biasOffset: number, activation: 0 | 1 | 2,
  ): void;
  /** In place over `n` floats: D = Y > 0 ? D : 0 (ReLU's backward through its output Y). Absent from older builds. */
  reluMask?(memory: NativeMemory, dOffset: number, yOffset: number, n: number): void;
  /**
   * The elementwise part of an lstm cell on `rows` rows of hidden size H (native/src/lstm_cell.h),
   * all operands in `memory` at byte offsets: the `[rows, 4H]` gate pre-activations A (column
   * blocks i, f, o, u) are replaced by their activations (sigmoid, sigmoid, sigmoid, tanh); writes
   * the `[rows, H]` C = i u + f cPrev, Tc = tanh(C) and H = o Tc. `cPrevMemory` null: the zero
   * previous state. Outputs must not overlap. Absent from builds made before it was added.
   */
  lstmCellForward?(
    memory: NativeMemory, aOffset: number, cOffset: number, tcOffset: number, hOffset: number, rows: number, H: number,
    cPrevMemory: NativeMemory | null, cPrevOffset: number,
  ): void;
  /**
   * One step of the lstm cell's backward: from Dh, the saved activations A, Tc = tanh(c) and
   * cPrev (null at the first step) and the carry Dc (the cell gradient from the next step, zeros
   * at the last), writes the `[rows, 4H]` gate pre-activation gradient Dz and replaces Dc by
   * dc * f for the step before. Absent from builds made before it was added.
   */
  lstmCellBackward?(
    memory: NativeMemory, dhOffset: number, aOffset: number, tcOffset: number, dcOffset: number, dzOffset: number,
    rows: number, H: number, cPrevMemory: NativeMemory | null, cPrevOffset: number,
  ): void;
  /** The build's SIMD path, thread count and register tile. */
  config(): NativeConfig;
  /** Sets the thread count (1..64) and the FLOP count below which a call runs on one thread. */
  setThreads(threads: number, minParallelFlops?: number): void;
}

/** What {@link NativeAddon.config} reports. */
export interface NativeConfig {
  simd: 'avx512' | 'avx2' | 'generic';
  threads: number;
  minParallelFlops: number;
  tileRows: number;
  tileCols: number;
}

const ADDON_FILE = path.join('build', 'Release', 'glimpse_native.node');

let cached: NativeAddon | null | undefined;
let loadError: string | null = null;

/** Where the built addon may be: beside this file (tsx) or in the source tree (compiled dist/native). */
function candidatePaths(): string[] {
  return [path.join(__dirname, ADDON_FILE), path.join(__dirname, '..', '..', 'native', ADDON_FILE)];
}

/**
 * The native addon, or `null` when it is disabled (the `GLIMPSE_NATIVE` flag, tensor/flags.ts),
 * not built, or fails to load. The loaded module is cached; the flag is read on every call.
 */
export function loadNativeAddon(): NativeAddon | null {
  if (!nativeEnabled()) return null;
  if (cached !== undefined) return cached;
  cached = null;
  const file = candidatePaths().find((p) => fs.existsSync(p));
  if (file === undefined) {
    loadError = 'addon not built; run `node scripts/build-native.js`';
    return cached;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cached = require(file) as NativeAddon;
  } catch (err) {
    loadError = `${file} failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
  }
  return cached;
}

/** Why {@link loadNativeAddon} returned `null` (one line), or `null` if it loaded or was not tried. */
export function nativeAddonError(): string | null {
  if (!nativeEnabled()) return nativeDisabledReason();
  return loadError;
}

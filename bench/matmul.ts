/**
 * matMul throughput, stock tfjs wasm kernel vs the native GEMM addon (agents/native-kernels.ts),
 * side by side in one run, for the RAM's shapes and the shapes of their gradients. Each shape is
 * timed in alternating rounds (stock, native, stock, ...) and the median round is reported, because
 * the machine is shared and noisy.
 *
 * Run: `npx tsx bench/matmul.ts [--rounds 7] [--ms 40] [--json out.json]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerNativeKernels, unregisterNativeKernels, nativeKernelsUnavailableReason } from '../tensor/native-kernels';
import { loadNativeAddon } from '../native/addon';
import { initBackend } from '../runners/backend';
import { Rng } from '../envs/rng';

/** One matMul case: `op(A) [M x K] @ op(B) [K x N]`. */
export interface MatMulCase {
  /** e.g. `fwd 128x64x128` or `dA 128x64x128` (the gradient of that forward). */
  name: string;
  M: number;
  N: number;
  K: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** Median throughput of one case under both kernels. */
export interface MatMulBenchResult extends MatMulCase {
  stockGflops: number;
  nativeGflops: number | null;
  stockUs: number;
  nativeUs: number | null;
  /** native / stock throughput. */
  speedup: number | null;
}

/** Options of {@link benchMatMul}. */
export interface MatMulBenchOptions {
  /** Alternating rounds per kernel; the median is reported (default 7). */
  rounds?: number;
  /** Milliseconds per round (default 40). */
  msPerRound?: number;
  /** Forward shapes `[M, K, N]` (batch x in x out); default the RAM's layers. */
  shapes?: Array<[number, number, number]>;
}

/** The RAM's forward layer shapes `[batch, in, out]`: glimpse/location nets, core, classifier. */
export const RAM_SHAPES: Array<[number, number, number]> = [
  [128, 64, 128], [128, 128, 256], [128, 256, 256], [128, 256, 10], [768, 64, 128],
];

/**
 * The forward matMul `[M,K] @ [K,N]` and the two its stock gradient issues:
 * `dA = dC @ B^T` and `dB = A^T @ dC`.
 */
export function casesFor([m, k, n]: [number, number, number]): MatMulCase[] {
  const tag = `${m}x${k}x${n}`;
  return [
    { name: `fwd ${tag}`, M: m, N: n, K: k, transposeA: false, transposeB: false },
    { name: `dA  ${tag}`, M: m, N: k, K: n, transposeA: false, transposeB: true },
    { name: `dB  ${tag}`, M: k, N: n, K: m, transposeA: true, transposeB: false },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

/** Seconds per call of `f`, over about `ms` milliseconds. */
function timeRound(f: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 8; i++) f();
    n += 8;
    now = performance.now();
  }
  return (now - start) / 1000 / n;
}

/** Measures every case with the stock and (when it loads) the native kernel. Backend must be wasm. */
export function benchMatMul(options: MatMulBenchOptions = {}): MatMulBenchResult[] {
  const rounds = options.rounds ?? 7;
  const ms = options.msPerRound ?? 40;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds=${rounds} is not allowed; it must be an integer >= 1`);
  if (!(ms > 0)) throw new Error(`msPerRound=${ms} is not allowed; it must be > 0`);
  if (tf.getBackend() !== 'wasm') throw new Error(`benchMatMul needs the wasm backend; the active one is '${tf.getBackend()}'`);
  const hasNative = registerNativeKernels();
  unregisterNativeKernels();
  const rng = new Rng(3);
  const results: MatMulBenchResult[] = [];
  for (const shape of options.shapes ?? RAM_SHAPES) {
    for (const c of casesFor(shape)) {
      const aShape = c.transposeA ? [c.K, c.M] : [c.M, c.K];
      const bShape = c.transposeB ? [c.N, c.K] : [c.K, c.N];
      const a = tf.tensor(rng.fillNormal(new Float32Array(c.M * c.K)), aShape);
      const b = tf.tensor(rng.fillNormal(new Float32Array(c.K * c.N)), bShape);
      const call = () => tf.matMul(a, b, c.transposeA, c.transposeB).dispose();
      const stock: number[] = [], native: number[] = [];
      for (let r = 0; r < rounds; r++) {
        unregisterNativeKernels();
        if (r === 0) timeRound(call, ms / 4); // warm-up
        stock.push(timeRound(call, ms));
        if (hasNative) {
          registerNativeKernels();
          if (r === 0) timeRound(call, ms / 4);
          native.push(timeRound(call, ms));
        }
      }
      unregisterNativeKernels();
      tf.dispose([a, b]);
      const flop = 2 * c.M * c.N * c.K;
      const s = median(stock);
      const n = hasNative ? median(native) : null;
      results.push({
        ...c,
        stockUs: s * 1e6,
        nativeUs: n === null ? null : n * 1e6,
        stockGflops: flop / s / 1e9,
        nativeGflops: n === null ? null : flop / n / 1e9,
        speedup: n === null ? null : s / n,
      });
    }
  }
  return results;
}

function parseArgs(argv: string[]): { rounds: number; ms: number; json?: string } {
  const out: { rounds: number; ms: number; json?: string } = { rounds: 7, ms: 40 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--rounds') out.rounds = Number(value);
    else if (flag === '--ms') out.ms = Number(value);
    else if (flag === '--json') out.json = value;
    else throw new Error(`unknown option '${flag}'; allowed: --rounds, --ms, --json`);
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await initBackend('wasm');
  const addon = loadNativeAddon();
  const config = addon?.config();
  console.log(config
    ? `native: ${config.simd}, ${config.threads} thread(s), tile ${config.tileRows}x${config.tileCols}`
    : `native kernels unavailable: ${nativeKernelsUnavailableReason()}`);
  console.log(`median of ${args.rounds} alternating rounds of ${args.ms} ms; GFLOP/s (microseconds per call)`);
  const results = benchMatMul({ rounds: args.rounds, msPerRound: args.ms });
  const fmt = (g: number | null, us: number | null) => (g === null || us === null ? 'n/a' : `${g.toFixed(1)} (${us.toFixed(1)} us)`);
  console.log(`${'case'.padEnd(20)} ${'op'.padEnd(3)} ${'stock wasm'.padStart(20)} ${'native'.padStart(20)} ${'speedup'.padStart(8)}`);
  for (const r of results) {
    const op = `${r.transposeA ? 'T' : 'N'}${r.transposeB ? 'T' : 'N'}`;
    console.log(`${r.name.padEnd(20)} ${op.padEnd(3)} ${fmt(r.stockGflops, r.stockUs).padStart(20)} ${fmt(r.nativeGflops, r.nativeUs).padStart(20)} ${(r.speedup === null ? 'n/a' : `${r.speedup.toFixed(1)}x`).padStart(8)}`);
  }
  const totalStock = results.reduce((s, r) => s + r.stockUs, 0);
  const totalNative = results.every((r) => r.nativeUs !== null) ? results.reduce((s, r) => s + (r.nativeUs as number), 0) : null;
  if (totalNative !== null) console.log(`all cases once: stock ${totalStock.toFixed(0)} us, native ${totalNative.toFixed(0)} us (${(totalStock / totalNative).toFixed(1)}x)`);
  if (args.json) {
    const fs = await import('fs');
    fs.writeFileSync(args.json, JSON.stringify({ native: config ?? null, results }, null, 2));
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

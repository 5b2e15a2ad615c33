/**
 * A/B of the fused native Adam against the same Adam as tfjs kernels, in one process, alternating
 * so both see the same machine load: (1) the optimizer alone (global norm + step) on the RAM's
 * real variables, (2) the whole `reinforce` update (replay, backward, norm, step), B=128.
 * Usage: npx tsx bench/adam.ts [--reps N]
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAgent } from '../agents';
import { makeAlgorithm } from '../algorithms';
import { Adam, type AdamImplementation } from '../algorithms/adam';
import { Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { nativeAdamAvailable, nativeAdamUnavailableReason } from '../tensor/native-adam';
import { glimpseEnvInfo, randomRollout } from '../test/helpers/ram-rollout';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeMs(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--reps');
  const reps = i > 0 ? Number(process.argv[i + 1]) : 20;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be an integer >= 1, got ${process.argv[i + 1]}`);
  const backend = await initBackend('wasm');
  if (!nativeAdamAvailable()) throw new Error(`native Adam unavailable: ${nativeAdamUnavailableReason()}`);
  const impls: AdamImplementation[] = ['native', 'tfjs'];
  console.log(`backend ${backend}, B=128, ${reps} alternating reps, median (min) ms`);
  for (const [name, S, g, T] of [['mnist', 1, 8, 6], ['cluttered-mnist', 3, 12, 8]] as const) {
    const info = glimpseEnvInfo(S, g, 10);
    const rollout = randomRollout(1, 128, T, S * g * g, 10);
    // (1) optimizer alone on the real variable shapes.
    const probe = makeAgent('ram', info, { seed: 1 });
    const vars = probe.trainableVariables();
    const rng = new Rng(3);
    const grads = vars.map((v) => tf.tensor(rng.fillNormal(new Float32Array(v.size)), v.shape));
    const opt = Object.fromEntries(impls.map((k) => [k, new Adam({ lr: 1e-6, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, implementation: k })]));
    // (2) the whole update; each implementation trains its own copy of the agent.
    const agents = Object.fromEntries(impls.map((k) => [k, makeAgent('ram', info, { seed: 1 })]));
    const algos = Object.fromEntries(impls.map((k) => {
      const algo = makeAlgorithm('reinforce');
      // Bench only: swap in an optimizer pinned to one implementation (the default is `auto`).
      (algo as unknown as { optimizer: Adam }).optimizer = new Adam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, implementation: k });
      return [k, algo];
    }));
    const optMs: Record<string, number[]> = { native: [], tfjs: [] };
    const updMs: Record<string, number[]> = { native: [], tfjs: [] };
    for (let r = -2; r < reps; r++) {
      for (const k of impls) {
        const a = timeMs(() => opt[k].apply(vars, grads, Math.min(1, 1 / Math.sqrt(opt[k].squaredNorm(grads)))));
        const u = timeMs(() => algos[k].update(agents[k], rollout));
        if (r >= 0) {
          optMs[k].push(a);
          updMs[k].push(u);
        }
      }
    }
    const fmt = (xs: number[]) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)})`;
    const params = vars.reduce((n, v) => n + v.size, 0);
    console.log(`${name} (${vars.length} variables, ${params} parameters):`);
    console.log(`  optimizer step (norm + Adam): native ${fmt(optMs.native)}, tfjs ${fmt(optMs.tfjs)}`);
    console.log(`  reinforce update:             native ${fmt(updMs.native)}, tfjs ${fmt(updMs.tfjs)}`);
    tf.dispose(grads);
    for (const k of impls) {
      opt[k].dispose();
      algos[k].dispose();
      agents[k].dispose();
    }
    probe.dispose();
  }
  console.log(`numTensors at the end: ${tf.memory().numTensors}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

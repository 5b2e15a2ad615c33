/**
 * Kernel profile of one `reinforce` update of the default ram agent on a synthetic
 * cluttered-mnist-sized rollout (B=128, 8 glimpses of 3x12x12): time and count per tfjs kernel
 * (`tf.profile`, summed over 5 updates and divided), then the update's wall time.
 * Usage: npx tsx bench/update-profile.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAgent } from '../agents';
import { makeAlgorithm } from '../algorithms';
import { initBackend } from '../runners/backend';
import { glimpseEnvInfo, randomRollout } from '../test/helpers/ram-rollout';

async function main(): Promise<void> {
  const backend = await initBackend('wasm');
  const agent = makeAgent('ram', glimpseEnvInfo(3, 12, 10), { seed: 1 });
  const algo = makeAlgorithm('reinforce');
  const rollout = randomRollout(1, 128, 8, 3 * 12 * 12, 10);
  for (let i = 0; i < 3; i++) algo.update(agent, rollout);
  const reps = 5;
  const byKernel = new Map<string, { ms: number; n: number }>();
  for (let r = 0; r < reps; r++) {
    const prof = await tf.profile(() => {
      algo.update(agent, rollout);
    });
    for (const k of prof.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
      e.ms += k.kernelTimeMs as number;
      e.n++;
      byKernel.set(k.name, e);
    }
  }
  console.log(`backend ${backend}; per update (tf.profile syncs every kernel, so times are inflated):`);
  // 'forward' is the fused replay op as a whole (its inner kernels are listed too).
  for (const [name, { ms, n }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    if (ms / reps >= 0.1) console.log(`  ${name.padEnd(16)} ${(ms / reps).toFixed(2)} ms  x${n / reps}`);
  }
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    algo.update(agent, rollout);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`update wall: median ${times[4].toFixed(1)} ms, min ${times[0].toFixed(1)} ms`);
  agent.dispose();
  algo.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

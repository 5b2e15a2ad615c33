/**
 * Times one RAM training step (act x T to collect, then one REINFORCE update) on a synthetic
 * rollout, for the glimpse shapes of the issue. Usage:
 *   npx tsx bench/ram-step.ts [backend=wasm] [--stock-matmul-grad]
 * `--stock-matmul-grad` re-registers tfjs's transposed-matMul gradient to measure what the fast one saves.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { makeAgent } from '../agents';
import { registerFastGradients } from '../tensor/ops';
import { registerNativeKernels } from '../tensor/native-kernels';
import { makeAlgorithm } from '../algorithms';
import type { AgentState } from '../agents/agent';
import { Rng } from '../envs/rng';
import { glimpseEnvInfo, randomRollout } from '../test/helpers/ram-rollout';

/** tfjs's own BatchMatMul gradient (src/gradients/BatchMatMul_grad.ts), for comparison. */
const stockBatchMatMulGrad: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b], attrs) => {
    const g = dy as tf.Tensor;
    const ta = Boolean(attrs.transposeA), tb = Boolean(attrs.transposeB);
    if (!ta && !tb) return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
    if (!ta && tb) return { a: () => tf.matMul(g, b, false, false), b: () => tf.matMul(g, a, true, false) };
    if (ta && !tb) return { a: () => tf.matMul(b, g, false, true), b: () => tf.matMul(a, g, false, false) };
    return { a: () => tf.matMul(b, g, true, true), b: () => tf.matMul(g, a, true, true) };
  },
};

async function main(): Promise<void> {
  const backend = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'wasm';
  await tf.setBackend(backend);
  await tf.ready();
  registerFastGradients();
  const native = !process.argv.includes('--no-native') && backend === 'wasm' && registerNativeKernels();
  const stock = process.argv.includes('--stock-matmul-grad');
  if (stock) tf.registerGradient(stockBatchMatMulGrad);
  const B = 128, T = 6, reps = 8;
  for (const [S, g] of [[1, 8], [3, 12]]) {
    const agent = makeAgent('ram', glimpseEnvInfo(S, g, 10), { seed: 1 });
    const algo = makeAlgorithm('reinforce');
    const rollout = randomRollout(1, B, T, S * g * g, 10);
    const rng = new Rng(0);
    const actAll = () => {
      let state: AgentState = agent.initialState(B);
      for (let t = 0; t < T; t++) state = agent.act(rollout.observations[t], state, { greedy: false, rng }).state;
      agent.disposeState(state);
    };
    actAll();
    algo.update(agent, rollout); // warm-up
    // The fastest of `reps` runs: the machine is shared, and interference only ever adds time.
    const best = (f: () => void): number => {
      let ms = Infinity;
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        f();
        ms = Math.min(ms, performance.now() - t0);
      }
      return ms;
    };
    const actMs = best(actAll);
    const updateMs = best(() => algo.update(agent, rollout));
    console.log(`${backend}${native ? ' + native GEMM' : ''}${stock ? ' (stock matMul grad)' : ''} B=${B} T=${T} glimpse ${S}x${g}x${g}: act x${T} ${actMs.toFixed(1)} ms, update ${updateMs.toFixed(1)} ms, step ${(actMs + updateMs).toFixed(1)} ms`);
    agent.dispose();
    algo.dispose();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});

/**
 * A/B of the native dense layers (tensor/native-dense.ts) against tfjs kernels, in one process
 * and alternating so both see the same load: the RAM's fused act (agents/ram/fast/act.ts) in
 * greedy evaluation of the test split (runners/evaluate.ts, eval batch 1000) and in the training
 * collect (B=128), and the replay forward of the `reinforce` update (agents/ram/fast/replay.ts).
 * Usage: npx tsx bench/act.ts [--reps N]
 */
import { disposeRollout } from '../agents/rollout';
import * as tf from '@tensorflow/tfjs-core';
import { makeAlgorithm } from '../algorithms';
import { FLAGS } from '../tensor/flags';
import { hashSeed, Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { collectRollout } from '../runners/collect';
import { evaluateSplit } from '../runners/evaluate';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const i = process.argv.indexOf('--reps');
  const reps = i > 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be an integer >= 1, got ${process.argv[i + 1]}`);
  const backend = await initBackend('wasm');
  const c = registryComponents();
  console.log(`backend ${backend}; ${reps} alternating reps; medians`);
  for (const id of ['mnist', 'cluttered-mnist']) {
    const evalEnv = c.makeVector(id, 1000, splitKwargs({}, 'test'));
    const trainEnv = c.makeVector(id, 128, splitKwargs({}, 'train'));
    const agent = c.makeAgent('ram', { observationSpace: evalEnv.singleObservationSpace, actionSpace: evalEnv.singleActionSpace, spec: evalEnv.spec }, {});
    const evalRate: Record<string, number[]> = { fused: [], modular: [] };
    const collectMs: Record<string, number[]> = { fused: [], modular: [] };
    const updateMs: Record<string, number[]> = { fused: [], modular: [] };
    const algo = makeAlgorithm('reinforce');
    const rng = new Rng(1);
    for (let r = -1; r < reps; r++) {
      for (const mode of ['fused', 'modular'] as const) {
        tf.env().set(FLAGS.fastPaths, mode === 'fused');
        const t0 = performance.now();
        const e = evaluateSplit(evalEnv, agent, { samples: 0, seed: 1, maxItems: 3000 });
        const t1 = performance.now();
        const perEnv = Array.from({ length: 128 }, (_, k) => ({ index: (r + 1) * 128 + k }));
        const { rollout } = collectRollout(trainEnv, agent, { greedy: false, rng, reset: { seed: hashSeed(1, r + 1), options: perEnv }, keepActivations: true });
        const t2 = performance.now();
        algo.update(agent, rollout);
        disposeRollout(rollout);
        const t3 = performance.now();
        if (r >= 0) {
          evalRate[mode].push(e.total / ((t1 - t0) / 1000));
          collectMs[mode].push(t2 - t1);
          updateMs[mode].push(t3 - t2);
        }
      }
    }
    tf.env().set(FLAGS.fastPaths, true);
    console.log(`${id}: greedy eval (batch 1000) fused ${median(evalRate.fused).toFixed(0)} vs modular ${median(evalRate.modular).toFixed(0)} images/s; ` +
      `collect B=128 fused ${median(collectMs.fused).toFixed(1)} vs modular ${median(collectMs.modular).toFixed(1)} ms; ` +
      `reinforce update fast ${median(updateMs.fused).toFixed(1)} vs reference ${median(updateMs.modular).toFixed(1)} ms`);
    agent.dispose();
    algo.dispose();
    evalEnv.close();
    trainEnv.close();
  }
  console.log(`numTensors at the end: ${tf.memory().numTensors}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

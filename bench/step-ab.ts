/**
 * In-process A/B of one change to the training step: the real step of `rl-run` (collect on the
 * registry env, B=128, then the update of the `ram` agent) with the change on and off,
 * alternating in one process (the order alternates too) so both see the same load. Prints median
 * (min) collect, update and step ms per variant and the median of the per-rep differences.
 * Toggles: `tape` (collect's `keepActivations`, agents/ram/fast/activation-cache.ts: the update
 * reuses the act-time forward, or replays it), `wasm-kernels` (tensor/wasm-kernels.ts: sharing Identity and row-copying Slice,
 * or the stock wasm kernels), `all` (both).
 * Usage: npx tsx bench/step-ab.ts --toggle tape|wasm-kernels|all [--reps N] [--algo reinforce|ppo]
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAlgorithm } from '../algorithms';
import { disposeRollout } from '../agents/rollout';
import { registerWasmKernels, unregisterWasmKernels } from '../tensor/wasm-kernels';
import { hashSeed, Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { collectRollout } from '../runners/collect';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '15'));
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be an integer >= 1, got ${arg('--reps', '')}`);
  const algoId = arg('--algo', 'reinforce');
  const toggle = arg('--toggle', 'tape');
  let keepActivations = true;
  const toggles: Record<string, (on: boolean) => void> = {
    tape: (on) => (keepActivations = on),
    'wasm-kernels': (on) => (on ? registerWasmKernels() : unregisterWasmKernels()),
    all: (on) => {
      keepActivations = on;
      if (on) registerWasmKernels();
      else unregisterWasmKernels();
    },
  };
  const set = toggles[toggle];
  if (set === undefined) throw new Error(`--toggle must be one of ${Object.keys(toggles).join(', ')}, got ${toggle}`);
  const backend = await initBackend('wasm');
  const c = registryComponents();
  console.log(`backend ${backend}; toggle ${toggle}; ${algoId}; ${reps} alternating reps after 3 warm-up; medians (min)`);
  for (const id of ['mnist', 'cluttered-mnist']) {
    const env = c.makeVector(id, 128, splitKwargs({}, 'train'));
    const agent = c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, {});
    const algo = makeAlgorithm(algoId);
    const rng = new Rng(1);
    const ms: Record<string, Record<string, number[]>> = { on: { collect: [], update: [], step: [] }, off: { collect: [], update: [], step: [] } };
    let batch = 0;
    for (let r = -3; r < reps; r++) {
      for (const mode of (r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) as Array<'on' | 'off'>) {
        set(mode === 'on');
        const perEnv = Array.from({ length: 128 }, (_, k) => ({ index: batch * 128 + k }));
        const t0 = performance.now();
        const { rollout } = collectRollout(env, agent, { greedy: false, rng, reset: { seed: hashSeed(1, batch++), options: perEnv }, keepActivations });
        const t1 = performance.now();
        algo.update(agent, rollout);
        disposeRollout(rollout);
        const t2 = performance.now();
        if (r >= 0) {
          ms[mode].collect.push(t1 - t0);
          ms[mode].update.push(t2 - t1);
          ms[mode].step.push(t2 - t0);
        }
      }
    }
    set(true);
    const f = (mode: string, k: string) => `${median(ms[mode][k]).toFixed(1)} (${Math.min(...ms[mode][k]).toFixed(1)})`;
    const diff = (k: string) => median(ms.on[k].map((x, i) => x - ms.off[k][i])).toFixed(1);
    console.log(`${id}: ${toggle} on vs off: collect ${f('on', 'collect')} vs ${f('off', 'collect')} ms; update ${f('on', 'update')} vs ${f('off', 'update')} ms; ` +
      `step ${f('on', 'step')} vs ${f('off', 'step')} ms; ` +
      `median paired difference on - off: collect ${diff('collect')}, update ${diff('update')}, step ${diff('step')} ms; numTensors ${tf.memory().numTensors}`);
    agent.dispose();
    algo.dispose();
    env.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

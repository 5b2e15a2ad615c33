/**
 * RNN vs LSTM core step time at the same hidden size: a training step (collect B=128 + reinforce
 * update, as runners/train-loop.ts runs it) alternating between an rnn and an lstm RAM in one
 * process. `--lstm-reference` runs the lstm on the reference networks (the tfjs flag
 * GLIMPSE_FAST_PATHS off around its steps) for the before/after. Also prints the lstm/rnn ratio of
 * the forward GEMMs' multiply-adds ({@link forwardMacs}): what the arithmetic alone would allow.
 * Usage: npx tsx bench/core-ab.ts [--reps 12] [--hidden 256] [--lstm-reference]
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAlgorithm } from '../algorithms';
import type { Agent } from '../agents/agent';
import { disposeRollout } from '../agents/rollout';
import { hashSeed, Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { collectRollout } from '../runners/collect';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';
import { FLAGS } from '../tensor/flags';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/**
 * Multiply-adds of the forward GEMMs of one training step: every dense layer's `[in, out]` kernel
 * on each of the T steps of B episodes, as `act` runs them during collection (the glimpse layers,
 * the core's input projection, the three heads), plus the core's recurrent product from the
 * second step on (the zero initial state skips it). The lstm's core kernels are 4 hidden wide.
 * Not counted: biases, activations, the lstm cell's elementwise math, and the replay's backward
 * (its weight and input gradients are GEMMs of the same shapes, so the split is much the same).
 */
function forwardMacs(agent: Agent, T: number, B: number): number {
  let perRow = 0;
  for (const [key, { shape }] of Object.entries(agent.getWeights())) {
    if (shape.length !== 2) continue;
    perRow += (key === 'core/recurrent/kernel' ? (T - 1) / T : 1) * shape[0] * shape[1];
  }
  return perRow * T * B;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '12'));
  const hidden = Number(arg('--hidden', '256'));
  const lstmReference = process.argv.includes('--lstm-reference');
  await initBackend('wasm');
  const c = registryComponents();
  for (const id of ['mnist', 'cluttered-mnist']) {
    const env = c.makeVector(id, 128, splitKwargs({}, 'train'));
    const info = { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec };
    const cores = ['rnn', 'lstm'] as const;
    const st = Object.fromEntries(cores.map((core) => [core, { agent: c.makeAgent('ram', info, { core, hidden }), algo: makeAlgorithm('reinforce'), rng: new Rng(1), ms: [] as number[], macs: 0 }]));
    for (let r = -2; r < reps; r++) {
      for (const core of r % 2 === 0 ? cores : [...cores].reverse()) {
        const s = st[core];
        tf.env().set(FLAGS.fastPaths, !(lstmReference && core === 'lstm'));
        const perEnv = Array.from({ length: 128 }, (_, j) => ({ index: ((r + 2) * 128 + j) % 50000 }));
        const t0 = performance.now();
        const { rollout } = collectRollout(env, s.agent, { greedy: false, rng: s.rng, reset: { seed: hashSeed(1, r + 2), options: perEnv }, keepActivations: true });
        s.algo.update(s.agent, rollout);
        s.macs = forwardMacs(s.agent, rollout.steps, rollout.batchSize);
        disposeRollout(rollout);
        if (r >= 0) s.ms.push(performance.now() - t0);
      }
    }
    tf.env().set(FLAGS.fastPaths, true);
    const a = median(st.rnn.ms), b = median(st.lstm.ms);
    console.log(`${id} hidden ${hidden}: rnn ${a.toFixed(1)} ms, lstm${lstmReference ? ' (reference)' : ''} ${b.toFixed(1)} ms, lstm/rnn ${(b / a).toFixed(2)} (${reps} alternating reps); `
      + `forward GEMM multiply-adds lstm/rnn ${(st.lstm.macs / st.rnn.macs).toFixed(2)} (${(st.rnn.macs / 1e6).toFixed(0)}M vs ${(st.lstm.macs / 1e6).toFixed(0)}M)`);
    for (const core of cores) {
      st[core].agent.dispose();
      st[core].algo.dispose();
    }
    env.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

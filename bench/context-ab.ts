/**
 * What the context network (RAM option `context` with the env's `context` view) costs per
 * training step: the real step of `rl-run` (collect on the registry's cluttered-mnist env, then
 * the reinforce update of the `ram` agent, with the activation cache as the train loop keeps it)
 * without and with the context step, alternating in one process (the order alternates too) so
 * both see the same load. With it an episode has one more act step (the context step: no glimpse
 * network, one dense layer on the c x c view) and one more replayed step.
 * Prints median (min) step ms per variant and the median of the per-rep differences, per core.
 * Usage: npx tsx bench/context-ab.ts [--reps 12] [--batch 64] [--context 12] [--env cluttered-mnist]
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeAlgorithm } from '../algorithms';
import { disposeRollout } from '../agents/rollout';
import { hashSeed, Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { collectRollout } from '../runners/collect';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '12'));
  const B = Number(arg('--batch', '64'));
  const side = Number(arg('--context', '12'));
  const id = arg('--env', 'cluttered-mnist');
  for (const [what, v] of [['--reps', reps], ['--batch', B], ['--context', side]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be an integer >= 1, got ${String(v)}`);
  }
  await initBackend('wasm');
  const c = registryComponents();
  for (const core of ['rnn', 'lstm'] as const) {
    const variants = [false, true].map((context) => {
      const env = c.makeVector(id, B, splitKwargs(context ? { context: side } : {}, 'train'));
      const info = { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec };
      return { context, env, agent: c.makeAgent('ram', info, { core, context }), algo: makeAlgorithm('reinforce'), rng: new Rng(1), ms: [] as number[] };
    });
    for (let r = -2; r < reps; r++) {
      for (const s of r % 2 === 0 ? variants : [...variants].reverse()) {
        const perEnv = Array.from({ length: B }, (_, j) => ({ index: ((r + 2) * B + j) % 50000 }));
        const t0 = performance.now();
        const { rollout } = collectRollout(s.env, s.agent, { greedy: false, rng: s.rng, reset: { seed: hashSeed(1, r + 2), options: perEnv }, keepActivations: true });
        s.algo.update(s.agent, rollout);
        disposeRollout(rollout);
        if (r >= 0) s.ms.push(performance.now() - t0);
      }
    }
    const [off, on] = variants;
    const diff = median(on.ms.map((x, i) => x - off.ms[i]));
    const show = (s: typeof off) => `${median(s.ms).toFixed(1)} (${Math.min(...s.ms).toFixed(1)})`;
    console.log(`${id} ${core} B=${B}: step ms median (min) without context ${show(off)}, with context ${side} ${show(on)}; median difference ${diff.toFixed(1)} ms (${reps} alternating reps, ${tf.getBackend()})`);
    for (const s of variants) {
      s.agent.dispose();
      s.algo.dispose();
      s.env.close();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

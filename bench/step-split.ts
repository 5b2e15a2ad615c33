/**
 * Where one real training step's time goes (`rl-run`'s collect on the registry env, B=128, then
 * the `reinforce` update of the `ram` agent): per batch, the env's `reset`, all `act` calls, all
 * env `step`s, the rest of the collect (the runner's copies and bookkeeping) and the update.
 * Medians (min) over the timed batches, after 5 warm-up batches.
 * Usage: npx tsx bench/step-split.ts [--batches N]
 */
import { disposeRollout } from '../agents/rollout';
import * as tf from '@tensorflow/tfjs-core';
import { makeAlgorithm } from '../algorithms';
import { hashSeed, Rng } from '../envs/rng';
import { initBackend } from '../runners/backend';
import { collectRollout } from '../runners/collect';
import { registryComponents } from '../runners/registries';
import { splitKwargs } from '../runners/run';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const i = process.argv.indexOf('--batches');
  const batches = i > 0 ? Number(process.argv[i + 1]) : 60;
  if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be an integer >= 1, got ${process.argv[i + 1]}`);
  const backend = await initBackend('wasm');
  const c = registryComponents();
  console.log(`backend ${backend}; B=128; medians (min) over ${batches} batches, ms per batch`);
  for (const id of ['mnist', 'cluttered-mnist']) {
    const env = c.makeVector(id, 128, splitKwargs({}, 'train'));
    const agent = c.makeAgent('ram', { observationSpace: env.singleObservationSpace, actionSpace: env.singleActionSpace, spec: env.spec }, {});
    const algo = makeAlgorithm('reinforce');
    const rng = new Rng(1);
    const ms: Record<string, number[]> = { reset: [], act: [], 'env step': [], 'collect other': [], collect: [], update: [], step: [] };
    let act = 0, reset = 0, step = 0;
    // Timing wrappers around the three calls collectRollout makes.
    const timed = <A extends unknown[], R>(f: (...a: A) => R, add: (dt: number) => void) => (...a: A): R => {
      const t0 = performance.now();
      try {
        return f(...a);
      } finally {
        add(performance.now() - t0);
      }
    };
    agent.act = timed(agent.act.bind(agent), (dt) => (act += dt));
    env.reset = timed(env.reset.bind(env), (dt) => (reset += dt));
    env.step = timed(env.step.bind(env), (dt) => (step += dt));
    for (let b = -5; b < batches; b++) {
      act = reset = step = 0;
      const perEnv = Array.from({ length: 128 }, (_, k) => ({ index: (b + 5) * 128 + k }));
      const t0 = performance.now();
      const { rollout } = collectRollout(env, agent, { greedy: false, rng, reset: { seed: hashSeed(1, b + 5), options: perEnv }, keepActivations: true });
      const t1 = performance.now();
      algo.update(agent, rollout);
      disposeRollout(rollout);
      const t2 = performance.now();
      if (b < 0) continue;
      ms.reset.push(reset);
      ms.act.push(act);
      ms['env step'].push(step);
      ms['collect other'].push(t1 - t0 - reset - act - step);
      ms.collect.push(t1 - t0);
      ms.update.push(t2 - t1);
      ms.step.push(t2 - t0);
    }
    console.log(`${id}: ${Object.entries(ms).map(([k, v]) => `${k} ${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)})`).join(', ')}; numTensors ${tf.memory().numTensors}`);
    agent.dispose();
    algo.dispose();
    env.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

/**
 * Cost of the glimpse env itself in a training step: per batch of 128 (SyncVectorEnv, train
 * split, fresh random images), the median time of `reset` and of all 8 `step`s, for mnist,
 * translated-mnist and cluttered-mnist. No agent: actions are fixed random locations.
 * Usage: npx tsx bench/env-step.ts [--batches N] [--size B]
 */
import { makeVector } from '../envs/registry';
import { Rng } from '../envs/rng';
import '../envs/tasks';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer >= 1, got ${process.argv[i + 1]}`);
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function main(): void {
  const batches = arg('--batches', 200);
  const B = arg('--size', 128);
  console.log(`batch ${B}; median over ${batches} batches after 20 warm-up batches`);
  for (const id of ['mnist', 'translated-mnist', 'cluttered-mnist']) {
    const env = makeVector(id, B, { split: 'train' });
    const T = (env.spec?.maxEpisodeSteps as number | undefined) ?? 8;
    const rng = new Rng(7);
    // Pre-drawn actions so the timed loop measures the env only.
    const acts = Array.from({ length: T }, () => ({
      location: Float32Array.from({ length: 2 * B }, () => rng.uniformRange(-1, 1)),
      label: Int32Array.from({ length: B }, () => rng.int(10)),
    }));
    const resets: number[] = [], steps: number[] = [];
    for (let rep = -20; rep < batches; rep++) {
      const t0 = performance.now();
      env.reset({ seed: 100000 + rep * B });
      const t1 = performance.now();
      for (let t = 0; t < T; t++) env.step(acts[t]);
      const t2 = performance.now();
      if (rep >= 0) {
        resets.push(t1 - t0);
        steps.push(t2 - t1);
      }
    }
    env.close();
    console.log(`${id}: reset ${median(resets).toFixed(2)} ms, ${T} steps ${median(steps).toFixed(2)} ms per batch of ${B}`);
  }
}

main();

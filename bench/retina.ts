/**
 * Retina throughput on one core: glimpses per second for 3x8x8 and 3x12x12 glimpses on 60x60
 * cluttered-MNIST-like images at uniformly random locations in [-1, 1]^2 (so many patches cross
 * the border). Throughput is measured against the process's CPU time (the loop is single-threaded
 * and allocation-free), which stays meaningful when other processes share the machine; the
 * wall-clock rate is reported beside it. The goal is at least
 * 2 million 3x8x8 glimpses/s, so the training step never waits on the environment.
 *
 * Run: `npx tsx bench/retina.ts`.
 */
import { Rng } from '../envs/rng';
import { Retina, RetinaImage } from '../envs/vision/retina';

/** One benchmark result. */
export interface RetinaBenchResult {
  name: string;
  /** Glimpses per second of CPU time of this (single-threaded) loop: the one-core throughput. */
  glimpsesPerSec: number;
  /** Glimpses per second of wall-clock time (lower when other processes share the core). */
  wallGlimpsesPerSec: number;
}

/** Options of {@link benchRetina}. */
export interface RetinaBenchOptions {
  /** Measured seconds per configuration (default 1). */
  seconds?: number;
  /** Image side in pixels (default 60). */
  imageSize?: number;
}

/** Measures retina throughput for the 3x8x8 and 3x12x12 configurations. */
export async function benchRetina(options: RetinaBenchOptions = {}): Promise<RetinaBenchResult[]> {
  const seconds = options.seconds ?? 1;
  const size = options.imageSize ?? 60;
  const rng = new Rng(1);
  // A sparse random image, like a digit plus clutter (the retina's cost does not depend on values).
  const pixels = new Float32Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.uniform() < 0.2 ? rng.uniform() : 0;
  const image = new RetinaImage().set(pixels, size, size, true);
  const numLocations = 4096;
  const locs = new Float64Array(numLocations * 2);
  for (let i = 0; i < locs.length; i++) locs[i] = rng.uniformRange(-1, 1);

  const results: RetinaBenchResult[] = [];
  for (const g of [8, 12]) {
    const retina = new Retina({ glimpseSize: g, scales: 3 });
    const out = new Float32Array(retina.outputSize * 64);
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const l = (i & (numLocations - 1)) * 2;
        retina.extract(image, locs[l], locs[l + 1], 1, out, (i & 63) * retina.outputSize);
      }
    };
    run(200_000); // warm up the JIT
    let n = 0;
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let cpu = 0;
    while (cpu < seconds) {
      run(100_000);
      n += 100_000;
      const c = process.cpuUsage(c0);
      cpu = (c.user + c.system) / 1e6;
    }
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    results.push({ name: `retina 3x${g}x${g} on ${size}x${size}`, glimpsesPerSec: n / cpu, wallGlimpsesPerSec: n / wall });
  }
  return results;
}

if (require.main === module) {
  benchRetina()
    .then((rs) => {
      for (const r of rs) {
        console.log(`${r.name}: ${(r.glimpsesPerSec / 1e6).toFixed(2)} M glimpses/s per core (CPU time), ${(r.wallGlimpsesPerSec / 1e6).toFixed(2)} M/s wall clock`);
      }
    })
    .catch((e: Error) => {
      console.error(`bench/retina failed: ${e.message}`);
      process.exitCode = 1;
    });
}

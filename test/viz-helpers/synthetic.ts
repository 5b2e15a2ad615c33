/** Synthetic glimpse traces for the viz tests (no env, no agent, no tensors). */
import { Retina, RetinaImage } from '../../envs/vision/retina';
import type { EpisodeTrace, GlimpseTrace } from '../../viz/trace';

/** A trace of `n` episodes over `size x size` images whose patches come from the real retina. */
export function syntheticTrace(opts: { n: number; size: number; glimpseSize: number; scales: number; steps: number; value?: number }): GlimpseTrace {
  const { n, size, glimpseSize, scales, steps } = opts;
  const retina = new Retina({ glimpseSize, scales });
  const episodes: EpisodeTrace[] = [];
  for (let k = 0; k < n; k++) {
    const image = new Float32Array(size * size);
    for (let i = 0; i < image.length; i++) image[i] = opts.value ?? ((i * 7 + k * 13) % 100) / 100;
    const locations = new Float32Array(steps * 2);
    for (let t = 0; t < steps; t++) {
      locations[2 * t] = Math.round(100 * Math.sin(t + k) * 0.7) / 100;
      locations[2 * t + 1] = Math.round(100 * Math.cos(0.7 * t + k) * 0.7) / 100;
    }
    const img = new RetinaImage().set(image, size, size, scales > 1);
    const glimpses = new Float32Array(steps * retina.outputSize);
    for (let t = 0; t < steps; t++) retina.extract(img, locations[2 * t], locations[2 * t + 1], 1, glimpses, t * retina.outputSize);
    episodes.push({ index: k, image, label: k % 10, prediction: k === 1 ? 9 : k % 10, locations, glimpses });
  }
  return { width: size, height: size, glimpseSize, scales, reach: 1, steps, episodes };
}

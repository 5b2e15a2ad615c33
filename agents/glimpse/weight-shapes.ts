/**
 * The weights a glimpse agent (RAM, random-glimpse) will create, computed from its config alone (no tensor is
 * allocated). Runners use it to bound memory before building an agent and to check a
 * checkpoint's declared shapes before loading it; `test/weight-shapes.test.ts` checks that it
 * equals what the agents really build.
 */
import type { GlimpseClassifierConfig } from './config';

/** Name to shape of every weight, in creation order (the networks' `params.dense`/`matrix` calls). */
export function glimpseWeightShapes(config: GlimpseClassifierConfig, withPolicy: boolean): Record<string, number[]> {
  const input = config.scales * config.glimpseSize * config.glimpseSize;
  const width = config.core === 'lstm' ? 4 * config.hidden : config.hidden;
  const out: Record<string, number[]> = {};
  const dense = (key: string, fanIn: number, fanOut: number) => {
    out[`${key}/kernel`] = [fanIn, fanOut];
    out[`${key}/bias`] = [fanOut];
  };
  dense('glimpse/what', input, config.glimpseHidden);
  dense('glimpse/where', 2, config.locationHidden);
  dense('glimpse/combine', config.glimpseHidden + config.locationHidden, config.glimpseFeatures);
  dense('core/input', config.glimpseFeatures, width);
  out['core/recurrent/kernel'] = [config.hidden, width];
  // `withPolicy`: RAM's location policy and baseline (same creation order as RamAgent).
  if (withPolicy) dense('location', config.hidden, 2);
  dense('action', config.hidden, config.numClasses);
  if (withPolicy) dense('baseline', config.hidden, 1);
  return out;
}

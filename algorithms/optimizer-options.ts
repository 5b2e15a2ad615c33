/**
 * The option schema of the optimizer and schedule every Adam-trained algorithm here shares
 * ({@link OPTIMIZER_DEFAULTS} and their checks live in policy-gradient-base.ts). Each algorithm's
 * registration extends it with its own options; `lr` also answers to the `--lr` flag.
 */
import type { OptionSchema, OptionSpec } from '../options/schema';
import { OPTIMIZER_DEFAULTS } from './policy-gradient-base';

/** Schema of {@link OPTIMIZER_DEFAULTS}. */
export const OPTIMIZER_OPTION_SCHEMA: OptionSchema = Object.freeze({
  lr: { type: 'number', min: 0, exclusiveMin: true, default: OPTIMIZER_DEFAULTS.lr, help: 'Adam learning rate (the peak of a schedule)', flag: 'lr' },
  schedule: { type: 'string', choices: ['constant', 'cosine', 'step'], default: OPTIMIZER_DEFAULTS.schedule, help: 'learning-rate schedule per epoch' },
  decayEpochs: { type: 'integer', min: 0, default: OPTIMIZER_DEFAULTS.decayEpochs, help: 'epochs of the cosine decay (cosine needs >= 1)' },
  minLr: { type: 'number', min: 0, default: OPTIMIZER_DEFAULTS.minLr, help: 'floor of the cosine schedule' },
  stepEpochs: { type: 'integer', min: 0, default: OPTIMIZER_DEFAULTS.stepEpochs, help: 'epochs between decays of the step schedule (step needs >= 1)' },
  gamma: { type: 'number', min: 0, exclusiveMin: true, max: 1, default: OPTIMIZER_DEFAULTS.gamma, help: 'decay factor of the step schedule' },
  clipNorm: { type: 'number', min: 0, default: OPTIMIZER_DEFAULTS.clipNorm, help: 'clip the global gradient norm to this (0: no clipping)' },
  beta1: { type: 'number', min: 0, default: OPTIMIZER_DEFAULTS.beta1, help: "Adam's first-moment decay, in [0, 1)" },
  beta2: { type: 'number', min: 0, default: OPTIMIZER_DEFAULTS.beta2, help: "Adam's second-moment decay, in [0, 1)" },
  epsilon: { type: 'number', min: 0, exclusiveMin: true, default: OPTIMIZER_DEFAULTS.epsilon, help: "Adam's epsilon" },
} satisfies Record<string, OptionSpec>);

/**
 * The optimizer schema plus an algorithm's own options; each own option takes its default from
 * `defaults` (the algorithm's `*_DEFAULTS`), so the defaults live in one place.
 */
export function withOptimizerOptions(defaults: Readonly<Record<string, unknown>>, own: Record<string, Omit<OptionSpec, 'default'>>): OptionSchema {
  const schema: Record<string, OptionSpec> = { ...OPTIMIZER_OPTION_SCHEMA };
  for (const [key, spec] of Object.entries(own)) schema[key] = { ...spec, default: defaults[key] };
  return Object.freeze(schema);
}

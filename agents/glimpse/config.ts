/**
 * Sizes and options shared by the agents built from the glimpse-agent kit: the sizes read from a
 * glimpse env's spaces ({@link envSizes}) and the widths of the classifier networks (glimpse
 * network, recurrent core, action head) that `ram` and `random-glimpse` both use.
 */
import { Box, Dict, Discrete } from '../../envs/spaces';
import { resolveOptions, showValue, type OptionSchema } from '../../options/schema';
import type { AgentEnvInfo } from '../agent';
import type { AgentContext } from '../registry';

/** Recurrent core type: the paper's ReLU RNN, or an LSTM. */
export type CoreKind = 'rnn' | 'lstm';

/** Widths of the glimpse network, core and action head; every one has a default in each agent. */
export interface GlimpseClassifierOptions {
  /** Width of the "what" layer of the glimpse network (paper: 128). */
  glimpseHidden: number;
  /** Width of the "where" layer of the glimpse network (paper: 128). */
  locationHidden: number;
  /** Width of the glimpse feature g (paper: 256). */
  glimpseFeatures: number;
  /** Width of the core state h, the "hidden size" (paper: 256). */
  hidden: number;
  /** Recurrent core. */
  core: CoreKind;
}

/** Sizes fixed by the environment. */
export interface GlimpseEnvSizes {
  /** Number of glimpse scales (the first axis of the `glimpse` Box). */
  scales: number;
  /** Side of a square glimpse patch. */
  glimpseSize: number;
  /** Number of classes of the `label` action. */
  numClasses: number;
}

/** What the classifier networks need to build their layers. */
export type GlimpseClassifierConfig = GlimpseClassifierOptions & GlimpseEnvSizes;

/**
 * Reads the glimpse shape and class count from a glimpse env's spaces: observation
 * `Dict{glimpse: Box[scales, g, g], location: Box[2]}`, action `Dict{location: Box[2], label: Discrete(C)}`.
 */
export function envSizes(env: AgentEnvInfo, owner = 'glimpse agent'): GlimpseEnvSizes {
  const obs = env.observationSpace;
  const act = env.actionSpace;
  const glimpse = obs instanceof Dict ? obs.spaces.glimpse : undefined;
  if (!(glimpse instanceof Box) || glimpse.shape.length !== 3 || glimpse.shape[1] !== glimpse.shape[2]) {
    throw new Error(`${owner}: observation space needs a 'glimpse' Box of shape [scales, g, g], got ${JSON.stringify(obs.toJSON())}`);
  }
  const location = obs instanceof Dict ? obs.spaces.location : undefined;
  if (!(location instanceof Box) || location.size !== 2) {
    throw new Error(`${owner}: observation space needs a 'location' Box of shape [2], got ${JSON.stringify(obs.toJSON())}`);
  }
  const label = act instanceof Dict ? act.spaces.label : undefined;
  const actLocation = act instanceof Dict ? act.spaces.location : undefined;
  if (!(label instanceof Discrete) || label.start !== 0 || !(actLocation instanceof Box) || actLocation.size !== 2) {
    throw new Error(`${owner}: action space needs {location: Box[2], label: Discrete(C)}, got ${JSON.stringify(act.toJSON())}`);
  }
  return { scales: glimpse.shape[0], glimpseSize: glimpse.shape[1], numClasses: label.n };
}

/** The env-size keys a saved agent config repeats (they must equal the env's). */
export const ENV_SIZE_KEYS = ['scales', 'glimpseSize', 'numClasses'] as const;

/**
 * Schema of {@link GlimpseClassifierOptions} (the paper's widths; `--hidden` and `--core` are
 * flags every agent built on these networks answers to).
 */
export const GLIMPSE_CLASSIFIER_OPTIONS: OptionSchema = Object.freeze({
  glimpseHidden: { type: 'integer', min: 1, max: 65536, default: 128, help: 'width of the "what" layer of the glimpse network' },
  locationHidden: { type: 'integer', min: 1, max: 65536, default: 128, help: 'width of the "where" layer of the glimpse network' },
  glimpseFeatures: { type: 'integer', min: 1, max: 65536, default: 256, help: 'width of the glimpse feature g' },
  hidden: { type: 'integer', min: 1, max: 65536, default: 256, help: 'width of the core state h (the hidden size)', flag: 'hidden' },
  core: { type: 'string', choices: ['rnn', 'lstm'], default: 'rnn', help: "recurrent core: the paper's ReLU RNN or an LSTM", flag: 'core' },
});

/** Schema of the `seed` option of an agent that initialises weights; the default is the run seed. */
export const SEED_OPTION: OptionSchema = Object.freeze({
  seed: { type: 'integer', min: 0, max: 4294967295, help: 'seed of the weight initialisation (default: the run seed)' },
});

/**
 * Resolves a glimpse agent's options against its `schema`: defaults, types and ranges from the
 * schema, `seed` from the run (`context.seed`) unless the options set one, and the env's sizes
 * added. Env-size keys may be given (a saved config passed back) but must equal the env's.
 * Errors are one line starting with `owner`.
 */
export function resolveGlimpseAgentOptions(owner: string, env: AgentEnvInfo, schema: OptionSchema, options: Record<string, unknown> = {}, context?: AgentContext): Record<string, unknown> & GlimpseEnvSizes {
  const sizes = envSizes(env, owner);
  const given = { ...options };
  if ('seed' in schema && given.seed === undefined) given.seed = context?.seed ?? 0;
  const config = { ...resolveOptions(owner, schema, given, ENV_SIZE_KEYS), ...sizes } as Record<string, unknown> & GlimpseEnvSizes;
  for (const key of ENV_SIZE_KEYS) {
    if (options[key] !== undefined && options[key] !== sizes[key]) {
      throw new Error(`${owner}: ${key}=${showValue(options[key])} does not match the env's ${key}=${sizes[key]}`);
    }
  }
  return config;
}

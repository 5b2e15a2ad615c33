/**
 * Sizes and options shared by the agents built from the glimpse-agent kit: the sizes read from a
 * glimpse env's spaces ({@link envSizes}) and the widths of the classifier networks (glimpse
 * network, recurrent core, action head) that `ram` and `random-glimpse` both use.
 */
import { Box, Dict, Discrete } from '../../envs/spaces';
import type { AgentEnvInfo } from '../agent';

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
export function envSizes(env: AgentEnvInfo): GlimpseEnvSizes {
  const obs = env.observationSpace;
  const act = env.actionSpace;
  const glimpse = obs instanceof Dict ? obs.spaces.glimpse : undefined;
  if (!(glimpse instanceof Box) || glimpse.shape.length !== 3 || glimpse.shape[1] !== glimpse.shape[2]) {
    throw new Error(`ram: observation space needs a 'glimpse' Box of shape [scales, g, g], got ${JSON.stringify(obs.toJSON())}`);
  }
  const location = obs instanceof Dict ? obs.spaces.location : undefined;
  if (!(location instanceof Box) || location.size !== 2) {
    throw new Error(`ram: observation space needs a 'location' Box of shape [2], got ${JSON.stringify(obs.toJSON())}`);
  }
  const label = act instanceof Dict ? act.spaces.label : undefined;
  const actLocation = act instanceof Dict ? act.spaces.location : undefined;
  if (!(label instanceof Discrete) || label.start !== 0 || !(actLocation instanceof Box) || actLocation.size !== 2) {
    throw new Error(`ram: action space needs {location: Box[2], label: Discrete(C)}, got ${JSON.stringify(act.toJSON())}`);
  }
  return { scales: glimpse.shape[0], glimpseSize: glimpse.shape[1], numClasses: label.n };
}

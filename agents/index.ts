/**
 * The agent API; importing it registers the built-in agents (`ram`, `random-glimpse`).
 */
import './ram';
import './random-glimpse';

export * from './agent';
export * from './rollout';
export { registerAgent, makeAgent, listAgents, agentWeightShapes } from './registry';
export { agentOptionSchema } from './registry';
export type { AgentEntry, AgentContext } from './registry';
export { stopGradient, registerFastGradients } from '../tensor/ops';
export * from './glimpse';
export { RamAgent, RAM_DEFAULTS, resolveRamConfig } from './ram';
export type { RamConfig, RamOptions } from './ram';
export { RandomGlimpseAgent, resolveRandomGlimpseConfig } from './random-glimpse';
export type { RandomGlimpseConfig } from './random-glimpse';

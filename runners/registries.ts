/**
 * {@link Components} backed by the env, agent and algorithm registries. Importing this module
 * imports `envs/index`, `agents/index` and `algorithms/index`, which register every built-in.
 */
import { envSpec, listEnvs, makeVector } from '../envs/index';
import { agentOptionSchema, agentWeightShapes, listAgents, makeAgent } from '../agents/index';
import { algorithmOptionSchema, listAlgorithms, makeAlgorithm } from '../algorithms/index';
import type { Components } from './components';

/** The registries as {@link Components}. */
export function registryComponents(): Components {
  return {
    listEnvs: () => listEnvs().map(({ id, description }) => ({ id, description })),
    listAgents: () => listAgents().map(({ id, description }) => ({ id, description })),
    listAlgorithms: () => listAlgorithms().map(({ id, description }) => ({ id, description })),
    makeVector: (id, numEnvs, kwargs) => makeVector(id, numEnvs, kwargs),
    makeAgent: (id, env, options, context) => makeAgent(id, env, options, context),
    makeAlgorithm: (id, options) => makeAlgorithm(id, options),
    agentWeightShapes: (id, env, options) => agentWeightShapes(id, env, options),
    agentOptions: (id) => agentOptionSchema(id),
    algorithmOptions: (id) => algorithmOptionSchema(id),
    envKwargs: (id) => envSpec(id).kwargs,
  };
}

/**
 * Runs one batch of episodes of a {@link VectorEnv} with an {@link Agent} and returns them as a
 * {@link Rollout} of plain typed arrays. All episodes of a batch must end on the same step (the
 * glimpse envs are fixed-length); anything else is a bug in the env and is reported as such.
 */
import { hasActivationCaching, type ActOutputs, type Agent, type AgentState } from '../agents/agent';
import type { Rollout, RolloutCache } from '../agents/rollout';
import type { Info } from '../envs/core';
import type { Rng } from '../envs/rng';
import type { Batch, VectorEnv, VectorResetOptions } from '../envs/vector-env';

/** Options of {@link collectRollout}. */
export interface CollectOptions {
  /** Greedy (mean) actions instead of samples. */
  greedy: boolean;
  /** Sampling noise for the agent. */
  rng: Rng;
  /** Passed to `env.reset` (seed, per-sub-env `{index}` options). */
  reset?: VectorResetOptions;
  /** Safety cap on episode length; default `spec.maxEpisodeSteps` + 1, else 10000. */
  maxSteps?: number;
  /**
   * Keep the agent's activation cache with the rollout (`rollout.cache`, agents offering
   * `ActivationCaching`), so that replaying it for an update skips recomputation. The caller then
   * owns the cache: `disposeRollout(rollout)` when done. Default false.
   */
  keepActivations?: boolean;
}

/** A rollout plus the terminal infos of its episodes. */
export interface Collected {
  rollout: Rollout;
  finalInfos: Info[];
}

function copyBatch(b: Batch): Batch {
  // Envs may reuse their output buffers between steps; the rollout must own its data.
  const out: Batch = {};
  for (const [k, v] of Object.entries(b)) out[k] = v.slice();
  return out;
}

/** Collects `env.numEnvs` complete episodes (see module doc). Disposes the agent state it made. */
export function collectRollout(env: VectorEnv, agent: Agent, options: CollectOptions): Collected {
  const B = env.numEnvs;
  const maxSteps = options.maxSteps ?? (env.spec?.maxEpisodeSteps !== undefined ? env.spec.maxEpisodeSteps + 1 : 10000);
  const observations: Batch[] = [];
  const actions: Batch[] = [];
  const records: Batch[] = [];
  const outputs: ActOutputs[] = [];
  let allOutputs = true;
  const rewards: Float32Array[] = [];
  const returns = new Float32Array(B);
  const targets = new Int32Array(B).fill(-1);
  let finalInfos: Info[] = [];

  let obs = env.reset(options.reset).observations;
  const cache: RolloutCache | undefined = options.keepActivations === true && hasActivationCaching(agent) ? agent.createRolloutCache(B) : undefined;
  let state: AgentState = agent.initialState(B);
  let ok = false;
  try {
    for (let t = 0; ; t++) {
      if (t >= maxSteps) throw new Error(`episodes did not end within ${maxSteps} steps (env ${env.spec?.id ?? '?'})`);
      const res = agent.act(obs, state, { greedy: options.greedy, rng: options.rng, cache });
      state = res.state;
      observations.push(copyBatch(obs));
      actions.push(copyBatch(res.action));
      records.push(res.record ? copyBatch(res.record) : {});
      if (res.outputs) outputs.push(res.outputs);
      else allOutputs = false;
      const step = env.step(res.action);
      rewards.push(Float32Array.from(step.rewards));
      let ended = 0;
      for (let i = 0; i < B; i++) {
        returns[i] += step.rewards[i];
        if (step.terminated[i] || step.truncated[i]) ended++;
      }
      if (ended === 0) {
        obs = step.observations;
        continue;
      }
      if (ended !== B) throw new Error(`env ${env.spec?.id ?? '?'}: only ${ended} of ${B} episodes ended at step ${t + 1}; a batch must end together`);
      finalInfos = step.infos;
      for (let i = 0; i < B; i++) {
        const label = step.infos[i]?.label;
        if (typeof label === 'number' && Number.isInteger(label)) targets[i] = label;
      }
      break;
    }
    ok = true;
  } finally {
    agent.disposeState(state);
    if (!ok) cache?.dispose();
  }
  const rollout: Rollout = { batchSize: B, steps: observations.length, observations, actions, records, rewards, returns, targets };
  if (allOutputs) rollout.outputs = outputs;
  if (cache) rollout.cache = cache;
  return { rollout, finalInfos };
}

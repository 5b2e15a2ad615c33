/**
 * Test fixtures for the RAM agent and REINFORCE: glimpse-env spaces and hand-built rollouts in the
 * layout of agents/rollout.ts, without an env.
 */
import { Box, Dict, Discrete } from '../../envs/spaces';
import { Rng } from '../../envs/rng';
import type { AgentEnvInfo } from '../../agents/agent';
import type { Rollout } from '../../agents/rollout';

/** Spaces of a glimpse env with `scales` x `g` x `g` glimpses and `classes` classes. */
export function glimpseEnvInfo(scales: number, g: number, classes: number): AgentEnvInfo {
  return {
    observationSpace: new Dict({ glimpse: new Box(0, 1, [scales, g, g]), location: new Box(-1, 1, [2]) }),
    actionSpace: new Dict({ location: new Box(-1, 1, [2]), label: new Discrete(classes) }),
  };
}

/**
 * A random rollout of `B` episodes of `T` steps: uniform glimpses, locations in [-1, 1], location
 * samples near them, random targets and 0/1 returns.
 */
export function randomRollout(seed: number, B: number, T: number, glimpseLength: number, classes: number): Rollout {
  const rng = new Rng(seed);
  const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniformRange(lo, hi));
  const observations = [], actions = [], records = [], rewards = [];
  const targets = Int32Array.from({ length: B }, () => rng.int(classes));
  const returns = Float32Array.from({ length: B }, () => rng.int(2));
  for (let t = 0; t < T; t++) {
    observations.push({ glimpse: uniform(B * glimpseLength, 0, 1), location: uniform(B * 2, -1, 1) });
    const sample = uniform(B * 2, -1.2, 1.2);
    actions.push({ location: sample.map((s) => Math.max(-1, Math.min(1, s))), label: Int32Array.from({ length: B }, () => rng.int(classes)) });
    records.push({ sample });
    rewards.push(t === T - 1 ? Float32Array.from(returns) : new Float32Array(B));
  }
  return { batchSize: B, steps: T, observations, actions, records, rewards, returns, targets };
}

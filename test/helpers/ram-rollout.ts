/**
 * Test fixtures for the RAM agent and REINFORCE: glimpse-env spaces and hand-built rollouts in the
 * layout of agents/rollout.ts, without an env.
 */
import { Box, Dict, Discrete } from '../../envs/spaces';
import { Rng } from '../../envs/rng';
import * as tf from '@tensorflow/tfjs-core';
import { hasActivationCaching, type ActOutputs, type Agent, type AgentEnvInfo, type AgentState, type Evaluation } from '../../agents/agent';
import { baselineMse, classificationNll, reinforceLoss } from '../../algorithms/reinforce/losses';
import type { Rollout } from '../../agents/rollout';

/**
 * Spaces of a glimpse env with `scales` x `g` x `g` glimpses and `classes` classes, and with
 * `contextSide` > 0 a `contextSide` x `contextSide` coarse view (`context`).
 */
export function glimpseEnvInfo(scales: number, g: number, classes: number, contextSide = 0): AgentEnvInfo {
  const spaces: Record<string, Box> = { glimpse: new Box(0, 1, [scales, g, g]), location: new Box(-1, 1, [2]) };
  if (contextSide > 0) spaces.context = new Box(0, 1, [contextSide, contextSide]);
  return {
    observationSpace: new Dict(spaces),
    actionSpace: new Dict({ location: new Box(-1, 1, [2]), label: new Discrete(classes) }),
  };
}

/**
 * A random rollout of `B` episodes of `T` steps: uniform glimpses, locations in [-1, 1], location
 * samples near them, random targets and 0/1 returns; with `contextLength` > 0 every observation
 * also carries one uniform coarse view per episode (`context`, the same at every step, as a
 * glimpse env's).
 */
export function randomRollout(seed: number, B: number, T: number, glimpseLength: number, classes: number, contextLength = 0): Rollout {
  const rng = new Rng(seed);
  const uniform = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniformRange(lo, hi));
  const observations = [], actions = [], records = [], rewards = [];
  const targets = Int32Array.from({ length: B }, () => rng.int(classes));
  const returns = Float32Array.from({ length: B }, () => rng.int(2));
  const context = contextLength > 0 ? uniform(B * contextLength, 0, 1) : null;
  for (let t = 0; t < T; t++) {
    const obs: Record<string, Float32Array> = { glimpse: uniform(B * glimpseLength, 0, 1), location: uniform(B * 2, -1, 1) };
    if (context !== null) obs.context = context.slice();
    observations.push(obs);
    const sample = uniform(B * 2, -1.2, 1.2);
    actions.push({ location: sample.map((s) => Math.max(-1, Math.min(1, s))), label: Int32Array.from({ length: B }, () => rng.int(classes)) });
    records.push({ sample });
    rewards.push(t === T - 1 ? Float32Array.from(returns) : new Float32Array(B));
  }
  return { batchSize: B, steps: T, observations, actions, records, rewards, returns, targets };
}

/** Options of {@link actRollout}. */
export interface ActRolloutOptions {
  /** Greedy instead of sampled locations (default false). */
  greedy?: boolean;
  /** Seed of the random observations (default 3). */
  obsSeed?: number;
  /** Values per glimpse (default 32: 2 scales of 4x4). */
  glimpseLength?: number;
  /** Draw 0/1 returns and targets in [0, classes) (before the observations); default all zero. */
  randomOutcomes?: { classes: number };
  /** Called before act step t (to change weights mid-rollout, say). */
  between?: (t: number) => void;
  /** Keep the agent's activation cache with the rollout, as the train loop does (dispose it with disposeRollout). */
  keepActivations?: boolean;
  /** Values of a coarse view (`context`) per episode, drawn once and repeated at every step; default 0 (none). */
  contextLength?: number;
}

/** Runs `T` steps of `agent.act` on random observations and returns the rollout it produced. */
export function actRollout(agent: Agent, B: number, T: number, rng: Rng, opts: ActRolloutOptions = {}): Rollout {
  const obsRng = new Rng(opts.obsSeed ?? 3);
  const D = opts.glimpseLength ?? 32;
  const outcomes = opts.randomOutcomes;
  const returns = outcomes ? Float32Array.from({ length: B }, () => obsRng.int(2)) : new Float32Array(B);
  const targets = outcomes ? Int32Array.from({ length: B }, () => obsRng.int(outcomes.classes)) : new Int32Array(B);
  const r: Rollout = { batchSize: B, steps: T, observations: [], actions: [], records: [], rewards: [], returns, targets };
  const cache = opts.keepActivations === true && hasActivationCaching(agent) ? agent.createRolloutCache(B) : undefined;
  const outputs: ActOutputs[] = [];
  let state: AgentState = agent.initialState(B);
  const K = opts.contextLength ?? 0;
  const context = K > 0 ? Float32Array.from({ length: B * K }, () => obsRng.uniform()) : null;
  for (let t = 0; t < T; t++) {
    opts.between?.(t);
    const obs: Record<string, Float32Array> = { glimpse: Float32Array.from({ length: B * D }, () => obsRng.uniform()), location: Float32Array.from({ length: B * 2 }, () => obsRng.uniformRange(-1, 1)) };
    if (context !== null) obs.context = context.slice();
    const res = agent.act(obs, state, { greedy: opts.greedy === true, rng, cache });
    state = res.state;
    r.observations.push(obs);
    r.actions.push(res.action);
    r.records.push(res.record ?? {});
    r.rewards.push(new Float32Array(B));
    if (res.outputs) outputs.push(res.outputs);
  }
  if (outputs.length === T) r.outputs = outputs;
  if (cache) r.cache = cache;
  agent.disposeState(state);
  return r;
}

/**
 * Replays `r` with `evaluate` under a gradient scope and returns the values of its four outputs
 * (logProbs, baselines, classLogProbs, decisionMask) and the gradient of the full hybrid loss
 * (REINFORCE weighted 0.7) for every trainable variable of `agent`, in order; a variable the loss
 * does not reach (Wh when T=1) gets zeros.
 */
export function hybridLossRun(agent: Agent, r: Rollout, evaluate: (r: Rollout) => Evaluation = (x) => agent.evaluate(x)): { outputs: number[][]; grads: number[][] } {
  const vars = agent.trainableVariables();
  let outputs: number[][] = [];
  const { value, grads } = tf.variableGrads(() => {
    const ev = evaluate(r);
    outputs = [ev.logProbs, ev.baselines!, ev.classLogProbs, ev.decisionMask].map((t) => Array.from(t.dataSync()));
    const R = tf.tensor1d(r.returns);
    return tf.addN([
      classificationNll(ev.classLogProbs, r.targets),
      tf.mul(reinforceLoss(ev.logProbs, R, ev.baselines, ev.decisionMask), 0.7),
      baselineMse(ev.baselines!, R, ev.decisionMask),
    ]) as tf.Scalar;
  }, vars);
  const out = vars.map((v) => (grads[v.name] ? Array.from(grads[v.name].dataSync()) : new Array<number>(v.size).fill(0)));
  tf.dispose([value, ...Object.values(grads)]);
  return { outputs, grads: out };
}

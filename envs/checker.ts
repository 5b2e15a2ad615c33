/**
 * `checkEnv`: a conformance check in the spirit of Gymnasium's `check_env`. It runs a few seeded
 * episodes with sampled actions and throws one clear line on the first violation:
 * spaces valid and sampling inside them, observations inside the observation space, the same
 * seed (and actions) giving identical episodes, finite rewards, boolean termination flags,
 * `numItems`/`options.index` coherent when offered, and `close()` safe twice.
 */
import type { Env, ResetOptions, StepResult } from './core';
import type { Space } from './spaces';

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Seed of the checked episodes (default 123). */
  seed?: number;
  /** Step limit per episode when the env has no `spec.maxEpisodeSteps` (default 1000). */
  maxSteps?: number;
}

/** What {@link checkEnv} ran (it throws on any failure). */
export interface CheckEnvReport {
  episodes: number;
  steps: number;
}

interface Trace {
  observations: unknown[];
  rewards: number[];
  flags: string[];
}

function fail(msg: string): never {
  throw new Error(`checkEnv: ${msg}`);
}

function checkSpace(space: unknown, name: string): asserts space is Space {
  const s = space as Partial<Space> | null;
  if (!s || typeof s !== 'object') fail(`${name} is not a Space`);
  if (s.kind !== 'box' && s.kind !== 'discrete' && s.kind !== 'dict') fail(`${name}.kind is ${String(s.kind)}, expected box, discrete or dict`);
  for (const m of ['contains', 'sample', 'seed', 'toJSON'] as const) if (typeof s[m] !== 'function') fail(`${name}.${m} is not a function`);
  const sp = s as Space;
  sp.seed(7);
  const a = sp.sample();
  if (!sp.contains(a)) fail(`${name}.sample() returned a value outside the space`);
  sp.seed(7);
  if (!deepEqual(a, sp.sample())) fail(`${name}.sample() differs after seed(7) twice`);
  JSON.stringify(sp.toJSON());
}

/** Structural equality of observations (typed arrays, arrays, plain objects, numbers). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    if (!(ArrayBuffer.isView(b) || Array.isArray(b)) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function checkStep(r: StepResult<unknown>, env: Env, t: number): void {
  if (!r || typeof r !== 'object') fail(`step ${t} returned ${String(r)}, expected {observation, reward, terminated, truncated, info}`);
  if (!env.observationSpace.contains(r.observation)) fail(`step ${t} observation is outside the observation space`);
  if (typeof r.reward !== 'number' || !Number.isFinite(r.reward)) fail(`step ${t} reward is ${String(r.reward)}, expected a finite number`);
  if (typeof r.terminated !== 'boolean') fail(`step ${t} terminated is ${String(r.terminated)}, expected a boolean`);
  if (typeof r.truncated !== 'boolean') fail(`step ${t} truncated is ${String(r.truncated)}, expected a boolean`);
  if (typeof r.info !== 'object' || r.info === null) fail(`step ${t} info is ${String(r.info)}, expected an object`);
}

function runEpisode(env: Env, reset: ResetOptions, actionSeed: number, maxSteps: number): Trace {
  const r = env.reset(reset);
  if (!r || typeof r !== 'object') fail(`reset returned ${String(r)}, expected {observation, info}`);
  if (!env.observationSpace.contains(r.observation)) fail('reset observation is outside the observation space');
  if (typeof r.info !== 'object' || r.info === null) fail(`reset info is ${String(r.info)}, expected an object`);
  const trace: Trace = { observations: [r.observation], rewards: [], flags: [] };
  env.actionSpace.seed(actionSeed);
  for (let t = 0; t < maxSteps; t++) {
    const s = env.step(env.actionSpace.sample());
    checkStep(s, env, t);
    trace.observations.push(s.observation);
    trace.rewards.push(s.reward);
    trace.flags.push(`${s.terminated}/${s.truncated}`);
    if (s.terminated || s.truncated) return trace;
  }
  if (env.spec?.maxEpisodeSteps !== undefined) fail(`episode did not end within spec.maxEpisodeSteps = ${maxSteps} steps`);
  return trace;
}

function sameTrace(a: Trace, b: Trace, what: string): void {
  if (a.observations.length !== b.observations.length) fail(`${what}: episode lengths differ (${a.observations.length - 1} vs ${b.observations.length - 1} steps)`);
  a.observations.forEach((o, t) => {
    if (!deepEqual(o, b.observations[t])) fail(`${what}: observation ${t} differs`);
  });
  if (!deepEqual(a.rewards, b.rewards)) fail(`${what}: rewards differ`);
  if (!deepEqual(a.flags, b.flags)) fail(`${what}: termination flags differ`);
}

/** Checks `env` against the Env contract; closes it at the end. */
export function checkEnv(env: Env, options: CheckEnvOptions = {}): CheckEnvReport {
  const seed = options.seed ?? 123;
  const maxSteps = env.spec?.maxEpisodeSteps ?? options.maxSteps ?? 1000;
  checkSpace(env.observationSpace, 'observationSpace');
  checkSpace(env.actionSpace, 'actionSpace');
  for (const m of ['reset', 'step', 'close'] as const) if (typeof env[m] !== 'function') fail(`env.${m} is not a function`);

  const a = runEpisode(env, { seed }, seed, maxSteps);
  const b = runEpisode(env, { seed }, seed, maxSteps);
  sameTrace(a, b, `same seed ${seed} twice`);
  let episodes = 2, steps = a.rewards.length + b.rewards.length;
  // An unseeded reset continues the stream: it must still give valid episodes.
  const c = runEpisode(env, {}, seed + 1, maxSteps);
  episodes++;
  steps += c.rewards.length;

  if (env.numItems !== undefined) {
    const n = env.numItems;
    if (!Number.isInteger(n) || n < 1) fail(`numItems is ${String(n)}, expected a positive integer`);
    const first = runEpisode(env, { seed, options: { index: n - 1 } }, seed, maxSteps);
    const again = runEpisode(env, { seed, options: { index: n - 1 } }, seed, maxSteps);
    sameTrace(first, again, `reset with index ${n - 1} and the same seed twice`);
    episodes += 2;
    steps += first.rewards.length + again.rewards.length;
    let threw = false;
    try {
      env.reset({ options: { index: n } });
    } catch {
      threw = true;
    }
    if (!threw) fail(`reset({options: {index: ${n}}}) did not throw although numItems is ${n}`);
  }
  env.close();
  env.close();
  return { episodes, steps };
}

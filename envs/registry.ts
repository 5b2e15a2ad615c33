/**
 * The env registry (Gymnasium's `register`/`make`): tasks register themselves under an id, users
 * and the CLI build them by id with keyword options. Unknown ids and unknown option keys are
 * errors that name the bad value and list what is allowed.
 */
import type { Env, EnvSpec } from './core';
import type { VectorEnv } from './vector-env';
import { SyncVectorEnv } from './sync-vector-env';

/** Keyword options of an env (JSON-serialisable values). */
export type EnvKwargs = Record<string, unknown>;

/** What a task registers. */
export interface EnvRegistration {
  /** One line for `rl-run list`. */
  description: string;
  /** Builds the env from the full kwargs (defaults merged with the caller's). */
  entryPoint: (kwargs: EnvKwargs) => Env;
  /** Every accepted kwarg with its default; keys not listed here are rejected by `make`. */
  defaultKwargs?: EnvKwargs;
  /** Fixed episode length, or a function of the kwargs (glimpse envs: the `glimpses` kwarg). */
  maxEpisodeSteps?: number | ((kwargs: EnvKwargs) => number);
}

/** One row of {@link listEnvs}. */
export interface EnvListing {
  id: string;
  description: string;
}

const registry = new Map<string, EnvRegistration>();

/** Registers `id`; throws if it is taken or the registration is malformed. */
export function register(id: string, registration: EnvRegistration): void {
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(id)) throw new RangeError(`register: id must be a non-empty name of letters, digits and . _ / -, got ${JSON.stringify(id)}`);
  if (registry.has(id)) throw new Error(`register: env id '${id}' is already registered`);
  if (!registration || typeof registration.entryPoint !== 'function') throw new TypeError(`register('${id}'): entryPoint must be a function (kwargs) => Env`);
  if (typeof registration.description !== 'string') throw new TypeError(`register('${id}'): description must be a string`);
  registry.set(id, { ...registration, defaultKwargs: { ...(registration.defaultKwargs ?? {}) } });
}

/** Removes `id` (for tests and plugins that re-register); returns whether it was registered. */
export function unregister(id: string): boolean {
  return registry.delete(id);
}

function lookup(id: string): EnvRegistration {
  const r = registry.get(id);
  if (!r) throw new RangeError(`unknown env id '${id}'; registered: ${[...registry.keys()].join(', ') || '(none)'}`);
  return r;
}

/** The spec `make(id, kwargs)` would give its env, without building it (kwargs checked). */
export function envSpec(id: string, kwargs: EnvKwargs = {}): EnvSpec {
  const r = lookup(id);
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw new TypeError(`env '${id}': kwargs must be an object, got ${JSON.stringify(kwargs)}`);
  const defaults = r.defaultKwargs ?? {};
  for (const key of Object.keys(kwargs)) {
    if (!Object.hasOwn(defaults, key)) {
      const allowed = Object.keys(defaults);
      throw new RangeError(`env '${id}': unknown option '${key}'; allowed: ${allowed.length ? allowed.join(', ') : '(none)'}`);
    }
  }
  const full: EnvKwargs = { ...defaults };
  for (const [k, v] of Object.entries(kwargs)) if (v !== undefined) full[k] = v;
  const spec: EnvSpec = { id, kwargs: full };
  const steps = typeof r.maxEpisodeSteps === 'function' ? r.maxEpisodeSteps(full) : r.maxEpisodeSteps;
  if (steps !== undefined) spec.maxEpisodeSteps = steps;
  return spec;
}

/** Builds the env `id` with `kwargs` over its defaults; sets `env.spec`. */
export function make(id: string, kwargs: EnvKwargs = {}): Env {
  const spec = envSpec(id, kwargs);
  const env = lookup(id).entryPoint({ ...spec.kwargs });
  env.spec = spec;
  return env;
}

/** `numEnvs` copies of `make(id, kwargs)` as one {@link SyncVectorEnv}. */
export function makeVector(id: string, numEnvs: number, kwargs: EnvKwargs = {}): VectorEnv {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`makeVector('${id}'): numEnvs must be a positive integer, got ${String(numEnvs)}`);
  const spec = envSpec(id, kwargs);
  const envs: Env[] = [];
  for (let i = 0; i < numEnvs; i++) envs.push(make(id, kwargs));
  return new SyncVectorEnv(envs, spec);
}

/** Registered ids with their descriptions, in registration order. */
export function listEnvs(): EnvListing[] {
  return [...registry.entries()].map(([id, r]) => ({ id, description: r.description }));
}

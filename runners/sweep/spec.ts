/**
 * The sweep file (`rl-run sweep <sweep.json>`) and its expansion into trials.
 *
 * ```json
 * {
 *   "name": "shapes-lr",                       // default: the file name without .json
 *   "out": "sweeps/shapes-lr",                 // default: sweeps/<name> (relative to the cwd, like --out)
 *   "base": { "env": "shapes", "agent": "ram", "epochs": 5 },   // run settings, as a --config file
 *   "grid": { "lr": [0.001, 0.003], "algoOptions.schedule": ["constant", "cosine"] },
 *   "configs": [ { "hidden": 128 }, { "hidden": 256, "core": "lstm" } ],
 *   "seeds": [0, 1, 2],
 *   "mcSamples": 10
 * }
 * ```
 *
 * `base` may also be the path of a config file (relative to the sweep file). The configurations
 * are every entry of `configs` (default `[{}]`) combined with every point of the `grid` (default:
 * one empty point); each configuration runs once per seed. Keys may be dotted
 * (`algoOptions.schedule`) to set one option of a record without replacing the others. Ids are
 * derived from the overrides alone (`lr=0.001,hidden=128`, trial `lr=0.001,hidden=128-s2`), so the
 * same file always gives the same trials and the same directories: that is what makes a sweep
 * resumable and lets many machines agree on what a trial is.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { ConfigError, readConfigFile, resolveConfig } from '../config';

/** One configuration of a sweep: the overrides it applies to the base. */
export interface SweepConfig {
  /** Directory-safe id, e.g. `lr=0.001,hidden=128` (`base` when there are no overrides). */
  id: string;
  /** Human label, e.g. `lr=0.001 hidden=128`. */
  label: string;
  /** The overrides as dotted keys, in the order the file gives them. */
  overrides: Record<string, unknown>;
}

/** One trial: a configuration at one seed; an ordinary `rl-run` run. */
export interface TrialPlan {
  /** `<config id>-s<seed>`; also the name of its run directory. */
  id: string;
  configId: string;
  label: string;
  seed: number;
  /** The complete run settings handed to `rl-run --config` (no `out`, `resume` or `force`). */
  values: Record<string, unknown>;
}

/** A sweep file, validated and expanded. */
export interface SweepPlan {
  name: string;
  /** Absolute folder of the sweep (trial runs, results). */
  dir: string;
  /** Sampled rollouts of the Monte-Carlo test error. */
  mcSamples: number;
  seeds: number[];
  configs: SweepConfig[];
  trials: TrialPlan[];
}

/** Keys a sweep owns: the trials' run directories and seeds come from the sweep, not from a config. */
const SWEEP_OWNED = ['out', 'resume', 'force', 'seed'];
const RECORD_KEYS = ['envKwargs', 'agentOptions', 'algoOptions'];
const TOP_KEYS = ['name', 'out', 'base', 'grid', 'configs', 'seeds', 'mcSamples'];
/** Longest directory name a configuration id may take before it is shortened with a hash. */
const MAX_ID = 80;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens `{algoOptions: {lr: 1}}` to `{'algoOptions.lr': 1}` (records of run settings only). */
function flatten(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (RECORD_KEYS.includes(k) && isRecord(v)) for (const [kk, vv] of Object.entries(v)) out[`${k}.${kk}`] = vv;
    else out[k] = v;
  }
  return out;
}

/** Applies dotted overrides onto run settings; `a.b` sets key b of record a and keeps its other keys. */
function applyOverrides(base: Record<string, unknown>, overrides: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    const dot = k.indexOf('.');
    if (dot < 0) {
      out[k] = v;
      continue;
    }
    const head = k.slice(0, dot), tail = k.slice(dot + 1);
    if (!RECORD_KEYS.includes(head) || !tail || tail.includes('.')) {
      throw new ConfigError(`${where}: key '${k}' is not allowed; dotted keys set one option of ${RECORD_KEYS.join(', ')} (e.g. 'algoOptions.schedule')`);
    }
    const rec = out[head];
    out[head] = { ...(isRecord(rec) ? rec : {}), [tail]: v };
  }
  return out;
}

function showValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The id and label of a configuration from its (dotted) overrides. */
export function configIdentity(overrides: Record<string, unknown>): { id: string; label: string } {
  const pairs = Object.entries(overrides).map(([k, v]) => `${k}=${showValue(v)}`);
  if (pairs.length === 0) return { id: 'base', label: 'base' };
  const label = pairs.join(' ');
  let id = pairs.join(',').replace(/[^A-Za-z0-9._=,+-]/g, '_');
  if (id.length > MAX_ID) id = `${id.slice(0, MAX_ID - 9)}~${createHash('sha256').update(label).digest('hex').slice(0, 8)}`;
  return { id, label };
}

function checkOwned(values: Record<string, unknown>, where: string): void {
  for (const k of Object.keys(values)) {
    const head = k.split('.')[0];
    if (SWEEP_OWNED.includes(head)) {
      throw new ConfigError(`${where} sets '${k}', which the sweep owns (${head === 'seed' ? "list seeds in 'seeds'" : 'each trial runs in <sweep>/trials/<id>'}); remove it`);
    }
  }
}

/** Options of {@link planSweep}. */
export interface PlanOptions {
  /** Where the spec came from (names it in errors; `base` paths are relative to its folder). */
  file: string;
  /** Overrides the spec's `out` (the `--out` flag). */
  out?: string;
  /** Folder `out` is relative to (default: the process cwd). */
  cwd?: string;
}

/** Validates a parsed sweep file and expands it into trials (see module doc); bad input is a {@link ConfigError}. */
export function planSweep(spec: unknown, opts: PlanOptions): SweepPlan {
  const f = `sweep file '${opts.file}'`;
  if (!isRecord(spec)) throw new ConfigError(`${f} must hold a JSON object, got ${Array.isArray(spec) ? 'an array' : typeof spec}`);
  for (const k of Object.keys(spec)) if (!TOP_KEYS.includes(k)) throw new ConfigError(`${f} has unknown key '${k}'; allowed keys: ${TOP_KEYS.join(', ')}`);

  const name = spec.name ?? path.basename(opts.file).replace(/\.json$/i, '');
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name)) throw new ConfigError(`${f} key 'name' must be letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);

  let base: Record<string, unknown>;
  if (typeof spec.base === 'string') base = readConfigFile(path.resolve(path.dirname(opts.file), spec.base));
  else if (isRecord(spec.base)) base = { ...spec.base };
  else throw new ConfigError(`${f} key 'base' must be an object of run settings or the path of a config file, got ${JSON.stringify(spec.base)}`);
  checkOwned(base, `${f} 'base'`);

  const seeds = spec.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff)) {
    throw new ConfigError(`${f} key 'seeds' must be a non-empty list of integers in [0, 4294967295], got ${JSON.stringify(seeds)}`);
  }
  if (new Set(seeds).size !== seeds.length) throw new ConfigError(`${f} key 'seeds' lists a seed twice: ${JSON.stringify(seeds)}`);

  const list = spec.configs ?? [{}];
  if (!Array.isArray(list) || list.length === 0 || !list.every(isRecord)) throw new ConfigError(`${f} key 'configs' must be a non-empty list of objects of run settings, got ${JSON.stringify(list)}`);
  const grid = spec.grid ?? {};
  if (!isRecord(grid)) throw new ConfigError(`${f} key 'grid' must be an object of setting -> list of values, got ${JSON.stringify(grid)}`);
  for (const [k, v] of Object.entries(grid)) {
    if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${f} grid key '${k}' must be a non-empty list of values, got ${JSON.stringify(v)}`);
  }
  checkOwned(grid, `${f} 'grid'`);

  // Cartesian product of the grid, first key slowest (the order the file reads in).
  let points: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(grid as Record<string, unknown[]>)) points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));

  const configs: SweepConfig[] = [];
  const trials: TrialPlan[] = [];
  const seen = new Map<string, string>();
  list.forEach((entry, i) => {
    const flat = flatten(entry as Record<string, unknown>);
    checkOwned(flat, `${f} configs[${i}]`);
    for (const point of points) {
      const overrides = { ...flat, ...point };
      const { id, label } = configIdentity(overrides);
      if (seen.has(id)) throw new ConfigError(`${f}: two configurations are the same (${label}); every entry of 'configs' x 'grid' must differ`);
      seen.set(id, label);
      const values = applyOverrides(base, overrides, `${f} configuration '${label}'`);
      // Every trial's settings are checked here, before anything runs: one bad value fails the sweep at once.
      resolveConfig({ values: { ...values, seed: seeds[0] }, origin: `${f} configuration '${label}':` });
      configs.push({ id, label, overrides });
      for (const seed of seeds as number[]) trials.push({ id: `${id}-s${seed}`, configId: id, label, seed, values: { ...values, seed } });
    }
  });

  const mc = spec.mcSamples ?? (typeof base.evalSamples === 'number' && base.evalSamples > 0 ? base.evalSamples : 10);
  if (!Number.isInteger(mc) || (mc as number) < 1 || (mc as number) > 1000) throw new ConfigError(`${f} key 'mcSamples' must be an integer in [1, 1000], got ${JSON.stringify(mc)}`);

  const out = opts.out ?? spec.out ?? path.join('sweeps', name);
  if (typeof out !== 'string' || !out.trim()) throw new ConfigError(`${f} key 'out' must be a folder path, got ${JSON.stringify(out)}`);
  return { name, dir: path.resolve(opts.cwd ?? process.cwd(), out), mcSamples: mc as number, seeds: seeds as number[], configs, trials };
}

/** Reads, validates and expands a sweep file (one-line {@link ConfigError}s for every bad input). */
export function readSweepFile(file: string, opts: Omit<PlanOptions, 'file'> = {}): SweepPlan {
  let spec: Record<string, unknown>;
  try {
    spec = readConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.message.replace(/^(cannot read )?config file/, (m) => m.replace('config', 'sweep')).replace('a JSON object of run settings', 'a JSON object (a sweep spec)'));
    throw e;
  }
  return planSweep(spec, { ...opts, file });
}

/**
 * The run directory rules of `--out`, `--resume` and `--force`, in two steps so nothing is
 * touched before every input is known to be good:
 *
 * - {@link inspectRunDir} only reads: a new run needs an empty or missing directory; `--force`
 *   needs a directory that is recognisably a glimpse-gym run (see {@link assertRunDirectory});
 *   `--resume` needs the saved config to agree with the flags and a `checkpoints/last`, unless the
 *   run never completed an epoch; a directory locked by a live process is refused.
 * - {@link claimRunDir}, called once the envs, agent and algorithm have been built, takes the
 *   lock (see run-lock.ts), checks again under it, and only then writes: a fresh `config.json`,
 *   or for `--force` the old run's entries removed, or for `--resume` the checkpoint read back.
 */
import { readRegularTextFile } from '../io/safe-read';
import * as fs from 'fs';
import * as path from 'path';
import { asWriteError, backupDirName, recoverDir, writeFileAtomic } from './atomic-write';
import { readCheckpoint, type LoadedCheckpoint } from './checkpoint';
import { CONFIG_KEYS, ConfigError, RESUMABLE_OVERRIDES, defaultRunDir, flagName, resolveConfig, type RunConfig } from './config';
import { LOCK_FILE, acquireRunLock, assertNotLocked, type RunLock } from './run-lock';
import { checkpointPath } from './train-loop';

/** Top-level entries a run directory of ours may hold (see the README's run layout). */
const RUN_ENTRIES = new Set(['config.json', 'metrics.jsonl', 'summary.json', 'checkpoints', 'viz', LOCK_FILE, `${LOCK_FILE}.break`]);
/** Entries of `checkpoints/`: the two checkpoints, the backup of a swap, a temp dir being filled. */
const CHECKPOINT_ENTRY = /^(?:(?:last|best)(?:\.old)?|\.tmp-(?:last|best)-\d+)$/;
/** Temp files of an atomic write (`.tmp-<name>-<pid>`), left by a crash. */
const TEMP_ENTRY = /^\.tmp-.+-\d+$/;

/** Where a run writes, the checkpoint it resumes from (null for a fresh start) and its lock. */
export interface ClaimedRunDir {
  runDir: string;
  resumeFrom: LoadedCheckpoint | null;
  lock: RunLock;
}

function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new ConfigError(`--out ${dir} is a file, not a directory; pick a directory for the run`);
    throw e;
  }
}

/** Entries that say nothing about a run: a stale lock and temp files of a crashed writer. */
function isDebris(name: string): boolean {
  return name === LOCK_FILE || name === `${LOCK_FILE}.break` || TEMP_ENTRY.test(name);
}

/** Whether `runDir` holds anything but debris (then it is an existing run, or something else). */
function isOccupied(runDir: string): boolean {
  return entries(runDir).some((n) => !isDebris(n));
}

/**
 * Refuses (one line, exit 2) a directory that is not recognisably a glimpse-gym run: it must hold
 * a `config.json` naming an env, agent and algorithm, and nothing but the files and folders a run
 * writes (`--force` deletes only such a directory, so a typo in `--out` cannot delete a thesis).
 */
export function assertRunDirectory(runDir: string): void {
  const names = entries(runDir);
  const foreign = names.find((n) => !RUN_ENTRIES.has(n) && !TEMP_ENTRY.test(n));
  const refuse = (why: string) => {
    throw new ConfigError(`--force: refusing to delete ${runDir}: ${why}; --force only replaces a glimpse-gym run directory (config.json, metrics.jsonl, checkpoints/ ...); move it away or pick another --out`);
  };
  if (foreign !== undefined) refuse(`it holds '${foreign}', which no rl-run writes`);
  const ckDir = path.join(runDir, 'checkpoints');
  if (names.includes('checkpoints')) {
    if (!fs.lstatSync(ckDir).isDirectory()) refuse(`its 'checkpoints' is not a directory`);
    const odd = fs.readdirSync(ckDir).find((n) => !CHECKPOINT_ENTRY.test(n));
    if (odd !== undefined) refuse(`its checkpoints/ holds '${odd}', which no rl-run writes`);
  }
  let saved: unknown = null;
  try {
    saved = JSON.parse(readRegular(path.join(runDir, 'config.json'), 1 << 20) ?? '');
  } catch {
    refuse('it has no readable config.json of a run');
  }
  const s = saved as Record<string, unknown>;
  if (!s || typeof s !== 'object' || !['env', 'agent', 'algo'].every((k) => typeof s[k] === 'string')) refuse('its config.json is not the config of an rl-run run');
}

/**
 * Text of `file` when it is a regular file (a FIFO or device in its place would block or never
 * end), else null. `maxBytes` bounds what is read.
 */
function readRegular(file: string, maxBytes: number): string | null {
  // io/safe-read does the checks (regular file, size, no blocking); here any refusal means "not usable".
  try {
    return readRegularTextFile(file, { what: 'run file', maxBytes });
  } catch {
    return null;
  }
}

/** JSON with object keys sorted, so equal settings compare equal whatever order they were given in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'undefined';
}

function show(v: unknown): string {
  return v === undefined ? 'unset' : JSON.stringify(v);
}

/**
 * The last epoch whose `last` checkpoint `metrics.jsonl` records, or 0. A run that has such an
 * epoch but no `checkpoints/last` any more cannot be resumed without losing history.
 */
export function checkpointedEpochInLog(runDir: string): number {
  const file = path.join(runDir, 'metrics.jsonl');
  const text = readRegular(file, 1 << 30);
  // Present but unreadable, not a file or too big: its history cannot be ruled out.
  if (text === null) return fs.existsSync(file) ? Infinity : 0;
  let epoch = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"checkpoint"')) continue;
    try {
      const ev = JSON.parse(line) as { type?: unknown; kind?: unknown; epoch?: unknown };
      if (ev.type === 'checkpoint' && ev.kind === 'last' && typeof ev.epoch === 'number') epoch = Math.max(epoch, ev.epoch);
    } catch {
      // a torn last line
    }
  }
  return epoch;
}

function checkResume(runDir: string, config: RunConfig): void {
  const configFile = path.join(runDir, 'config.json');
  if (!fs.existsSync(configFile)) throw new ConfigError(`--resume: ${runDir} holds no run to resume (no config.json); start it without --resume`);
  const text = readRegular(configFile, 1 << 20);
  if (text === null) throw new ConfigError(`--resume: ${configFile} must be a regular file of at most 1 MiB`);
  let saved: Record<string, unknown>;
  try {
    saved = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`--resume: ${configFile} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) throw new ConfigError(`--resume: ${configFile} must hold a JSON object of run settings`);
  // Resolved like the run's own config, so a config saved before a format change compares equal.
  const before = resolveConfig({ values: saved, origin: `saved config ${configFile}` }) as unknown as Record<string, unknown>;
  for (const key of CONFIG_KEYS) {
    if (RESUMABLE_OVERRIDES.includes(key)) continue;
    if (canonical(before[key]) !== canonical(config[key])) {
      throw new ConfigError(`--resume: ${flagName(key)} is ${show(config[key])} but ${runDir} was started with ${show(before[key])}; drop the flag to continue the saved run`);
    }
  }
  const last = checkpointPath(runDir, 'last');
  if (fs.existsSync(last) || fs.existsSync(backupDirName(last))) return;
  // No checkpoint: fine for a run stopped in its first epoch (it starts that epoch again), not
  // for one whose checkpoints were lost: starting at epoch 1 would throw its history away.
  const logged = checkpointedEpochInLog(runDir);
  if (logged > 0) {
    const what = Number.isFinite(logged) ? `its metrics.jsonl records checkpoints up to epoch ${logged}` : 'its metrics.jsonl cannot be read to rule out earlier epochs';
    throw new ConfigError(`--resume: ${runDir} has no checkpoints/last, but ${what}; resuming would restart at epoch 1 and drop that history: restore ${last}, or start over with --force`);
  }
  if (fs.existsSync(path.join(runDir, 'summary.json'))) {
    throw new ConfigError(`--resume: ${runDir} has a summary.json but no checkpoints/last to continue from; restore ${last}, or start over with --force`);
  }
}

/**
 * Read-only checks of the run directory `config` would use (see module doc); returns its path.
 * `held`: the lock this process already holds on it (then that lock is not a refusal).
 */
export function inspectRunDir(config: RunConfig, held?: RunLock): string {
  const runDir = config.out ?? defaultRunDir(config);
  const occupied = isOccupied(runDir);
  if (occupied || config.resume) assertNotLocked(runDir, held?.info);
  if (config.resume) checkResume(runDir, config);
  else if (occupied) {
    if (!config.force) throw new ConfigError(`run directory ${runDir} already exists; pass --resume to continue it or --force to overwrite it`);
    assertRunDirectory(runDir);
  }
  return runDir;
}

/** Removes every entry of a run directory except its lock (the directory itself stays, locked). */
function clearRunDir(runDir: string): void {
  for (const name of entries(runDir)) {
    if (name === LOCK_FILE) continue;
    fs.rmSync(path.join(runDir, name), { recursive: true, force: true });
  }
}

/** Removes what crashed writers left: temp files and directories (we hold the lock: they are not live). */
function removeDebris(runDir: string): void {
  for (const name of entries(runDir)) if (TEMP_ENTRY.test(name)) fs.rmSync(path.join(runDir, name), { recursive: true, force: true });
  const ck = path.join(runDir, 'checkpoints');
  for (const name of entries(ck)) if (name.startsWith('.tmp-')) fs.rmSync(path.join(ck, name), { recursive: true, force: true });
}

/** Removes a directory this process created, unless someone else has put something in it meanwhile. */
function removeIfEmpty(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (another writer's lock, our own files) or gone: leave it
  }
}

/** Locks the run directory and prepares it for writing (see module doc). Call after {@link inspectRunDir}. */
export function claimRunDir(config: RunConfig): ClaimedRunDir {
  const runDir = config.out ?? defaultRunDir(config);
  const created = !fs.existsSync(runDir);
  asWriteError(`create run directory ${runDir}`, () => fs.mkdirSync(runDir, { recursive: true }));
  let lock: RunLock;
  try {
    lock = asWriteError(`lock run directory ${runDir}`, () => acquireRunLock(runDir));
  } catch (e) {
    if (created) removeIfEmpty(runDir);
    throw e;
  }
  try {
    // Again under the lock: another writer may have changed the directory since the inspection.
    inspectRunDir(config, lock);
    let resumeFrom: LoadedCheckpoint | null = null;
    if (config.resume) {
      for (const kind of ['last', 'best'] as const) recoverDir(checkpointPath(runDir, kind));
      removeDebris(runDir);
      const last = checkpointPath(runDir, 'last');
      resumeFrom = fs.existsSync(last) ? readCheckpoint(last) : null;
    } else {
      if (config.force) asWriteError(`clear run directory ${runDir}`, () => clearRunDir(runDir));
      removeDebris(runDir);
      writeFileAtomic(path.join(runDir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
    }
    return { runDir, resumeFrom, lock };
  } catch (e) {
    lock.release();
    if (created) removeIfEmpty(runDir);
    throw e;
  }
}

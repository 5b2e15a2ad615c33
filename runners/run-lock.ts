/**
 * The lock of a run directory: one process writes a run at a time. The lock is a file
 * `<runDir>/rl-run.lock` created with O_EXCL (`open(..., 'wx')`, atomic on local file systems)
 * holding the owner's pid, host, boot id, start time and command line. Readers (`rl-run eval`,
 * `rl-run viz`) never take it: they may read a live run.
 *
 * A lock whose owner is gone is stale and is taken over: same host and the pid no longer exists,
 * or the machine was rebooted since (boot id differs, so a reused pid cannot keep a dead run
 * locked). A lock from another host is always treated as live (its pid cannot be checked); the
 * refusal names the file to delete by hand. Taking over a stale lock is serialised by a second
 * O_EXCL file (`rl-run.lock.break`) so two processes cannot both break it and both proceed.
 *
 * Hand-written rather than `proper-lockfile`: that library judges staleness by the lock's age
 * (an owner must keep touching it) and records no owner, while a refusal here must name the pid
 * and a crashed run must be resumable at once, which a dead-pid check gives.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from './config';

/** Name of the lock file inside a run directory. */
export const LOCK_FILE = 'rl-run.lock';
const BREAK_SUFFIX = '.break';
/** A lock file younger than this that cannot be parsed is being written, not stale. */
const FRESH_MS = 10_000;

/** What a lock file records about its owner. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** Linux boot id (`/proc/sys/kernel/random/boot_id`), when readable. */
  bootId: string | null;
  startedAt: string;
  /** The owner's command line, for the refusal message. */
  command: string;
  /** Random token: tells this process's lock from a later one with the same pid. */
  token: string;
}

/** A held lock. */
export interface RunLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Deletes the lock file if it is still this process's (idempotent). */
  release(): void;
}

/** A second writer on a locked run directory; exit code 2 (the command cannot run as given). */
export class RunLockedError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'RunLockedError';
  }
}

/** Path of the lock file of `runDir`. */
export function lockPath(runDir: string): string {
  return path.join(runDir, LOCK_FILE);
}

let cachedBootId: string | null | undefined;
function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as LockInfo;
    if (v && Number.isInteger(v.pid) && v.pid > 0 && typeof v.hostname === 'string') return v;
  } catch {
    // fall through
  }
  return null;
}

/** Whether the owner recorded in `info` may still be running. */
export function ownerAlive(info: LockInfo): boolean {
  if (info.hostname !== os.hostname()) return true; // cannot check a pid on another machine
  const boot = bootId();
  if (boot && info.bootId && info.bootId !== boot) return false; // rebooted since
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/** The current lock of `runDir`: its owner (null if unreadable), raw text and liveness; null if unlocked. */
export function inspectLock(runDir: string): { info: LockInfo | null; raw: string; live: boolean } | null {
  const file = lockPath(runDir);
  let raw: string;
  let mtimeMs: number;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) return { info: null, raw: '', live: true };
    mtimeMs = st.mtimeMs;
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const info = parseLock(raw);
  // Unparsable: an owner between create and write (young), or the debris of a crash then (old).
  if (!info) return { info: null, raw, live: Date.now() - mtimeMs < FRESH_MS };
  return { info, raw, live: ownerAlive(info) };
}

/** The one line refusing a second writer. */
function lockedMessage(runDir: string, info: LockInfo | null, noun = 'run directory'): string {
  const file = lockPath(runDir);
  if (!info) return `${noun} ${runDir} is locked by another rl-run (${file} is being written or is not a file); try again, or delete ${file} if no rl-run uses ${runDir}`;
  const where = info.hostname === os.hostname() ? '' : ` on host ${info.hostname}`;
  const hint = info.hostname === os.hostname() ? `wait for it to end or stop it (kill -INT ${info.pid})` : `if it no longer runs there, delete ${file}`;
  return `${noun} ${runDir} is in use by rl-run pid ${info.pid}${where} (since ${info.startedAt}); ${hint}`;
}

/** Refuses (one line, exit 2) when a live process other than `own`'s holder holds the lock of `runDir`; read-only. */
export function assertNotLocked(runDir: string, own?: LockInfo): void {
  const held = inspectLock(runDir);
  if (held?.live && !(own && held.info?.token === own.token)) throw new RunLockedError(lockedMessage(runDir, held.info));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Removes a stale lock whose text is `staleRaw`, under the break lock (see module doc). */
function breakStale(runDir: string, staleRaw: string): void {
  const file = lockPath(runDir);
  const breaker = file + BREAK_SUFFIX;
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another process is breaking it right now, or died doing so (then its file is old).
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > FRESH_MS) fs.rmSync(breaker, { force: true });
    } catch {
      // gone meanwhile
    }
    sleepSync(20);
    return;
  }
  try {
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    let now: string | null = null;
    try {
      now = fs.readFileSync(file, 'utf8');
    } catch {
      // already gone
    }
    if (now === staleRaw) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/**
 * Takes the lock of `runDir` (which must exist; `noun` names it in errors, e.g. 'sweep folder'),
 * taking over a stale one; throws
 * {@link RunLockedError} naming the owner when a live process holds it. The lock is also released
 * when the process exits (`process.exit`, second Ctrl-C), though not on SIGKILL: that leaves a
 * stale lock, which the next writer takes over.
 */
export function acquireRunLock(runDir: string, noun = 'run directory'): RunLock {
  const file = lockPath(runDir);
  const info: LockInfo = {
    pid: process.pid,
    hostname: os.hostname(),
    bootId: bootId(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
    token: Math.random().toString(36).slice(2) + Date.now().toString(36),
  };
  const text = JSON.stringify(info) + '\n';
  for (let attempt = 0; attempt < 20; attempt++) {
    let fd: number | null = null;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== null) {
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return heldLock(file, info, text);
    }
    const held = inspectLock(runDir);
    if (!held) continue; // released meanwhile
    if (held.live) throw new RunLockedError(lockedMessage(runDir, held.info, noun));
    breakStale(runDir, held.raw);
  }
  throw new RunLockedError(`could not lock ${noun} ${runDir}: other processes keep taking ${file}`);
}

/** Locks this process holds, for {@link releaseHeldLocks}. */
const held = new Set<() => void>();

/**
 * Releases every lock this process holds. For a process about to die by a re-raised signal,
 * which runs no `exit` listeners (see stop-signals.ts).
 */
export function releaseHeldLocks(): void {
  for (const release of [...held]) release();
}

function heldLock(file: string, info: LockInfo, text: string): RunLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(release);
    process.removeListener('exit', release);
    try {
      // Only our own lock: a stale-lock takeover by another process must not be undone.
      if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
    } catch {
      // already gone (the directory was removed) or unreadable: nothing of ours to delete
    }
  };
  held.add(release);
  process.on('exit', release);
  return { file, info, release };
}

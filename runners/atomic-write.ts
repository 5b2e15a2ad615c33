/**
 * Crash-safe file and directory writes. A reader sees either the previous complete content or the
 * new complete content, never a half-written file: data goes to a temp file in the same directory,
 * is fsynced, then renamed over the target (rename is atomic within one file system), and the
 * directory is fsynced so the rename itself survives a power cut.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * A file the run could not write (full or read-only disk, a directory where a file belongs ...):
 * a runtime failure, exit code 1, with one line naming the file and the reason.
 */
export class WriteError extends Error {
  readonly exitCode = 1;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'WriteError';
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a path component is not a directory',
  ENOTEMPTY: 'a non-empty directory is in the way',
  EEXIST: 'something else is in the way',
  ENOENT: 'its directory does not exist',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

/** A short human reason for a file-system error (`no space left on device (ENOSPC)`). */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return ERRNO_TEXT[code] ? `${ERRNO_TEXT[code]} (${code})` : code;
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Runs `fn`, turning a file-system error into a {@link WriteError} `cannot <what>: <reason><tail>`. */
export function asWriteError<T>(what: string, fn: () => T, tail = ''): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WriteError || !(e as NodeJS.ErrnoException)?.code) throw e;
    throw new WriteError(`cannot ${what}: ${errnoText(e)}${tail}`, e);
  }
}

/** Fsyncs a directory so a rename or create inside it is durable. Ignored where unsupported. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `data` to `file` and fsyncs it (no atomicity on its own; see {@link writeFileAtomic}). */
export function writeFileSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Atomically replaces `file` with `data`: temp file in the same dir, fsync, rename, fsync dir. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  asWriteError(`write ${file}`, () => writeFileAtomicRaw(file, data));
}

function writeFileAtomicRaw(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${path.basename(file)}-${process.pid}`);
  try {
    writeFileSynced(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Name of the backup a directory swap leaves while it replaces `dir` (see {@link replaceDirAtomic}). */
export function backupDirName(dir: string): string {
  return `${dir}.old`;
}

/**
 * Replaces directory `dir` by a fresh one filled by `fill(tmpDir)`. The new content is complete and
 * fsynced before anything is swapped; the swap is `dir -> dir.old`, `tmp -> dir`, then `dir.old` is
 * removed. A crash before the swap leaves the old `dir`; a crash between the two renames leaves
 * `dir.old`, which {@link recoverDir} puts back.
 */
export function replaceDirAtomic(dir: string, fill: (tmpDir: string) => void): void {
  asWriteError(`write ${dir}`, () => replaceDirAtomicRaw(dir, fill), '; the previous version is kept');
}

function replaceDirAtomicRaw(dir: string, fill: (tmpDir: string) => void): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  recoverDir(dir);
  const tmp = path.join(parent, `.tmp-${path.basename(dir)}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    fill(tmp);
    fsyncDir(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = backupDirName(dir);
  const hadOld = fs.existsSync(dir);
  if (hadOld) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fsyncDir(parent);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Repairs the state a crash inside {@link replaceDirAtomic} can leave: when `dir` is missing but
 * its backup exists, the backup is the last complete version and is renamed back. A leftover
 * backup next to a complete `dir` is deleted. Returns true when something was repaired.
 */
export function recoverDir(dir: string): boolean {
  const old = backupDirName(dir);
  if (!fs.existsSync(old)) return false;
  if (fs.existsSync(dir)) fs.rmSync(old, { recursive: true, force: true });
  else fs.renameSync(old, dir);
  fsyncDir(path.dirname(dir));
  return true;
}

/** Appends one line to `file` and fsyncs it, so a crash loses at most the line being written. */
export function appendLineSynced(file: string, line: string): void {
  asWriteError(`append to ${file}`, () => {
    const fd = fs.openSync(file, 'a');
    try {
      fs.writeSync(fd, line.endsWith('\n') ? line : line + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });
}

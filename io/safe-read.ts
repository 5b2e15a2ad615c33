/**
 * Reading an input file that a user (or a file a user was given) names, without trusting it:
 * config JSON, `checkpoint.json`, `weights.bin`/`optimizer.bin`, the MNIST IDX files.
 *
 * - Only regular files are read. The file is opened with `O_NONBLOCK` and checked with `fstat`
 *   on the open descriptor before a byte is read, so a FIFO (which would block `open` or `read`
 *   forever), a device such as `/dev/zero` (endless) or a directory is refused at once, and what
 *   is checked is what is read (no race between a `stat` and the `open`).
 * - The size is checked against a limit before anything is allocated, and exactly `size` bytes
 *   are read: a file that grows while it is read cannot make the read run on.
 * - With `within`, the file's real path (symlinks resolved) must lie inside that directory, so a
 *   checkpoint's `weights.bin` cannot be a link to a file elsewhere.
 * - Every refusal is one line naming the file and what is allowed ({@link UnsafeInputError},
 *   `exitCode` 2: bad input); errno codes are put into words.
 *
 * Hand-written because Node's `fs.readFileSync` does none of these checks and no well-kept npm
 * package does this small job (they target streams or globbing); it is one function.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A file that may not be read (wrong kind, too large, outside its directory, unreadable). */
export class UnsafeInputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeInputError';
  }
}

/** Options of {@link readRegularFile}. */
export interface SafeReadOptions {
  /** How the file is named in messages (`config file`, `checkpoint runs/x: weights.bin`). */
  what: string;
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** When set, the file's real path must lie inside this directory (symlinks resolved). */
  within?: string;
  /**
   * Extra check of the size (from `fstat`, before anything is read): returns the whole one-line
   * message to refuse with, or null. For files whose exact size is known (a checkpoint's manifest).
   */
  sizeCheck?: (size: number) => string | null;
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'invalid argument',
  EBUSY: 'the resource is busy',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the directory is not empty',
};

/** A Node file-system error (`code`) in words, e.g. `no such file`; other errors: their first line. */
export function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return ERRNO_WORDS[code] ?? `system error ${code}`;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** What kind of non-regular file `st` is, in words. */
export function fileKind(st: fs.Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Byte count in the unit a reader expects (`9.0 KiB`, `1.5 GiB`). */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

/** True when `child` (a real path) is `dir` itself or lies under it (a real path). */
function isInside(child: string, dir: string): boolean {
  const rel = path.relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Reads `file` whole, with the checks of the module doc. Throws {@link UnsafeInputError} with one
 * line `cannot read <what> '<file>': <reason>` otherwise.
 */
export function readRegularFile(file: string, options: SafeReadOptions): Buffer {
  const { what, maxBytes, within, sizeCheck } = options;
  const fail = (reason: string) => new UnsafeInputError(`cannot read ${what} '${file}': ${reason}`);
  if (within !== undefined) {
    let real: string;
    let realDir: string;
    try {
      real = fs.realpathSync(file);
      realDir = fs.realpathSync(within);
    } catch (e) {
      throw fail(describeErrno(e));
    }
    if (!isInside(real, realDir)) throw fail(`it is a link to ${real}, outside ${within}; only files inside it are read`);
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw fail(describeErrno(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw fail('it is a directory');
    if (!st.isFile()) throw fail(`it is ${fileKind(st)}; only regular files are read`);
    if (st.size > maxBytes) throw fail(`it is ${formatBytes(st.size)}, more than the ${formatBytes(maxBytes)} allowed`);
    const sizeProblem = sizeCheck?.(st.size);
    if (sizeProblem) throw new UnsafeInputError(sizeProblem);
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < st.size) {
      const n = fs.readSync(fd, buf, got, st.size - got, got);
      if (n === 0) throw fail(`it shrank while it was read (${got} of ${st.size} bytes)`);
      got += n;
    }
    return buf;
  } catch (e) {
    if (e instanceof UnsafeInputError) throw e;
    throw fail(describeErrno(e));
  } finally {
    fs.closeSync(fd);
  }
}

/** {@link readRegularFile} decoded as UTF-8 text. */
export function readRegularTextFile(file: string, options: SafeReadOptions): string {
  return readRegularFile(file, options).toString('utf8');
}

/** Size limit of JSON inputs (config files, `checkpoint.json`): far above any real one (about 10 KB). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

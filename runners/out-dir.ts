/**
 * Checks a run directory path (`--out`) before anything is created or removed under it: it must be
 * a directory or creatable as one, on a normal file system. Paths under `/proc`, `/sys` or `/dev`
 * are refused (creating a directory there can make Node's recursive `mkdir` loop forever), as are
 * an existing file, a parent that is a file, and a parent that cannot be written. One line each,
 * exit 2.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeErrno } from '../io/safe-read';
import { ConfigError } from './config';

/** Pseudo file systems no run directory may live in. */
export const SYSTEM_DIRS = ['/proc', '/sys', '/dev'] as const;

function underSystemDir(real: string): string | undefined {
  return SYSTEM_DIRS.find((d) => real === d || real.startsWith(d + '/'));
}

/**
 * Throws a one-line {@link ConfigError} unless `dir` is an existing directory or can be created as
 * one (see module doc). Creates nothing.
 */
export function assertUsableRunDir(dir: string, flag = '--out'): void {
  const abs = path.resolve(dir);
  // The nearest part of the path that exists: the directory itself, or the parent it would go in.
  let existing = abs;
  let st: fs.Stats | null = null;
  for (;;) {
    try {
      st = fs.statSync(existing);
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') {
        // A parent is a file: find which one, for the message.
        let p = path.dirname(existing);
        while (p !== path.dirname(p) && !(fs.existsSync(p) && fs.statSync(p).isFile())) p = path.dirname(p);
        throw new ConfigError(`${flag} '${dir}': '${p}' is a file, not a directory; choose another ${flag}`);
      }
      if (code !== 'ENOENT') throw new ConfigError(`${flag} '${dir}': cannot use '${existing}': ${describeErrno(e)}`);
      if (existing === path.dirname(existing)) throw new ConfigError(`${flag} '${dir}': no part of the path exists`);
      existing = path.dirname(existing);
    }
  }
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch (e) {
    throw new ConfigError(`${flag} '${dir}': cannot use '${existing}': ${describeErrno(e)}`);
  }
  const full = path.join(real, path.relative(existing, abs));
  const sys = underSystemDir(real) ?? underSystemDir(full);
  if (sys) throw new ConfigError(`${flag} '${dir}' lies in ${sys}, a system file system; a run directory must be on a normal disk`);
  if (!st.isDirectory()) {
    const kind = st.isFile() ? 'a file' : 'not a directory';
    throw new ConfigError(existing === abs ? `${flag} '${dir}' is ${kind}, not a run directory; choose another ${flag}` : `${flag} '${dir}': '${existing}' is ${kind}, not a directory; choose another ${flag}`);
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw new ConfigError(`${flag} '${dir}': cannot write in '${existing}': ${describeErrno(e)}`);
  }
}

/**
 * The split names the command line accepts. The envs call the held-out split `validation` (the
 * env API's `split` kwarg) and the runner calls it `val`; a user may type either.
 */
import type { Split } from './components';
import { ConfigError } from './config';

/** Accepted spellings of each split, as `--help` lists them. */
export const SPLIT_NAMES: Readonly<Record<string, Split>> = { test: 'test', validation: 'val', val: 'val', train: 'train' };

/** The runner's split for a user's split name; one-line {@link ConfigError} naming `flag` otherwise. */
export function parseSplit(name: string, flag = '--split'): Split {
  const split = Object.prototype.hasOwnProperty.call(SPLIT_NAMES, name) ? SPLIT_NAMES[name] : undefined;
  if (!split) throw new ConfigError(`${flag} must be one of ${Object.keys(SPLIT_NAMES).join(', ')}, got '${name}'`);
  return split;
}

/** How output names a split (`validation` for `val`). */
export function splitLabel(split: Split): string {
  return split === 'val' ? 'validation' : split;
}

/**
 * Which user modules a command line needs loaded before it is parsed (`--require`), and the
 * recorded ones of the run it continues or reads: `--config` files and run configs carry a
 * `require` list, so `--resume`, `eval` and `viz` load what the run was trained with. Loading
 * happens before commander parses, because the agents and algorithms a module registers
 * contribute flags (`--std`) of their own.
 */
import { MAX_JSON_BYTES, readRegularTextFile } from '../io/safe-read';
import * as fs from 'fs';
import * as path from 'path';
import { resolveCheckpointDir } from './checkpoint';
import { ConfigError } from './config';
import type { Listed } from './components';
import { loadPlugins, resolvePlugin, type LoadedPlugin } from './plugins';

/** What {@link preloadPlugins} did. */
export interface Preloaded {
  /** Modules loaded, explicit ones first. */
  loaded: LoadedPlugin[];
  /** Recorded modules (of a config file, a run or a checkpoint) that were not found from the working directory. */
  missing: Array<{ spec: string; from: string }>;
  /** The explicit `--require` values, in order (recorded into a new run's config). */
  explicit: string[];
}

/** Every value of `--name <v>` / `--name=<v>` in `argv`. */
export function flagValues(argv: readonly string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === name && i + 1 < argv.length) out.push(argv[++i]);
    else if (a.startsWith(name + '=')) out.push(a.slice(name.length + 1));
  }
  return out;
}

function readRequireList(file: string): string[] {
  try {
    // Through safe-read: a FIFO or /dev/zero named checkpoint.json must not block or fill memory here.
    const parsed = JSON.parse(readRegularTextFile(file, { what: 'run settings', maxBytes: MAX_JSON_BYTES })) as { require?: unknown; run?: { require?: unknown } };
    const list = parsed.require ?? parsed.run?.require;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return []; // unreadable or invalid: the command itself reports it with its own message
  }
}

/** The recorded `require` lists the command line points at, with where each came from. */
function recordedLists(argv: readonly string[]): Array<{ specs: string[]; from: string }> {
  const lists: Array<{ specs: string[]; from: string }> = [];
  const sub = argv[0];
  if (sub === 'eval' || sub === 'viz') {
    const ckpt = flagValues(argv, '--checkpoint').pop();
    if (ckpt !== undefined) {
      try {
        const dir = resolveCheckpointDir(ckpt);
        lists.push({ specs: readRequireList(path.join(dir, 'checkpoint.json')), from: `checkpoint ${dir}` });
      } catch {
        // a bad --checkpoint is reported by the command
      }
    }
    return lists;
  }
  const config = flagValues(argv, '--config').pop();
  if (config !== undefined) lists.push({ specs: readRequireList(config), from: `config file '${config}'` });
  const out = flagValues(argv, '--out').pop();
  if (argv.includes('--resume') && out !== undefined) lists.push({ specs: readRequireList(path.join(out, 'config.json')), from: `run ${out}` });
  return lists;
}

/**
 * Loads the explicit `--require` modules, then the recorded ones that can be found (a recorded
 * module already loaded under another spec registers nothing twice). Recorded modules that are
 * not found are returned in `missing`, for {@link assertRegistered} to name when an id is unknown.
 */
export async function preloadPlugins(argv: readonly string[], cwd: string = process.cwd()): Promise<Preloaded> {
  const explicit = flagValues(argv, '--require');
  const loaded = await loadPlugins(explicit, cwd);
  const missing: Preloaded['missing'] = [];
  const seen = new Set(loaded.map((l) => l.file));
  for (const { specs, from } of recordedLists(argv)) {
    for (const spec of specs) {
      let file: string;
      try {
        file = resolvePlugin(spec, cwd);
      } catch {
        missing.push({ spec, from });
        continue;
      }
      if (seen.has(file)) continue;
      seen.add(file);
      loaded.push(...(await loadPlugins([spec], cwd)));
    }
  }
  return { loaded, missing, explicit };
}

/**
 * Throws a one-line {@link ConfigError} (exit 2) when `id` is not registered, naming the flag that
 * is missing: the recorded module that was not found, or `--require` in general.
 */
export function assertRegistered(kind: 'env' | 'agent' | 'algorithm', id: string, listed: Listed[], pre: Pick<Preloaded, 'missing'>, what: string): void {
  if (listed.some((l) => l.id === id)) return;
  const registered = listed.map((l) => l.id).join(', ') || 'none';
  if (pre.missing.length) {
    const specs = pre.missing.map((m) => `'${m.spec}' (recorded in ${m.from})`).join(', ');
    throw new ConfigError(`${what} needs ${kind} '${id}', which is not registered; its module ${specs} is not found from ${process.cwd()}: run from the directory it was trained in, or pass --require <path to that module>`);
  }
  throw new ConfigError(`${what} needs ${kind} '${id}', which is not registered (registered: ${registered}); pass --require <module> that registers it`);
}

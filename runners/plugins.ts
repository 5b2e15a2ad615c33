/**
 * `--require <module>`: loads a user's module that registers envs, agents or algorithms before a
 * command runs, as `node --require` would, but resolved like a user expects: a path (`./x.js`,
 * `../lib/x`, `/abs/x.js`) relative to the working directory, else a package name looked up from
 * the working directory's `node_modules`. TypeScript (`.ts`, `.cts`, `.mts`) is loaded through
 * `tsx` when the user's project (or this package) has it installed; `.mjs` through `import()`.
 *
 * Registration is a side effect of loading, and Node caches modules, so loading the same file
 * twice registers once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { listEnvs } from '../envs/registry';
import { listAgents } from '../agents/registry';
import { listAlgorithms } from '../algorithms/registry';
import { ConfigError } from './config';

/** A module that could not be found: bad input (exit 2), names the spec and where it looked. */
export class PluginNotFoundError extends ConfigError {
  constructor(readonly spec: string, readonly cwd: string, detail: string) {
    super(`--require '${spec}': ${detail}`);
    this.name = 'PluginNotFoundError';
  }
}

/** A module that was found but threw while loading: a runtime failure (exit 1). */
export class PluginLoadError extends Error {
  readonly exitCode = 1;
  constructor(readonly spec: string, cause: unknown) {
    super(`--require '${spec}' failed while loading: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
    this.name = 'PluginLoadError';
    if (cause instanceof Error && cause.stack) this.stack = `${this.stack}\nCaused by: ${cause.stack}`;
  }
}

const TS_EXTENSIONS = ['.ts', '.cts', '.mts'];

function isPath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || path.isAbsolute(spec);
}

/**
 * The file `spec` names, or throws {@link PluginNotFoundError}. Paths resolve against `cwd`
 * (with Node's extension and index rules), package names from `cwd`'s `node_modules`.
 */
export function resolvePlugin(spec: string, cwd: string = process.cwd()): string {
  if (typeof spec !== 'string' || spec.trim() === '') throw new PluginNotFoundError(String(spec), cwd, 'needs a module path or package name');
  const target = isPath(spec) ? path.resolve(cwd, spec) : spec;
  if (isPath(spec) && fs.existsSync(target) && fs.statSync(target).isFile()) return target;
  try {
    return require.resolve(target, { paths: [cwd] });
  } catch {
    // A TypeScript path without its extension: try the TS extensions Node does not know.
    if (isPath(spec)) for (const ext of TS_EXTENSIONS) if (fs.existsSync(target + ext)) return target + ext;
    throw new PluginNotFoundError(spec, cwd, isPath(spec) ? `no such file (looked for ${target})` : `no package or file of that name installed for ${cwd}`);
  }
}

/** Makes `require` understand TypeScript by registering tsx, found from `cwd` or from this package. */
function ensureTypeScript(spec: string, cwd: string): void {
  // Already able (tests run under `-r tsx/cjs`, or the user runs node with a TS loader).
  if (require.extensions['.ts']) return;
  let api: string;
  try {
    api = require.resolve('tsx/cjs/api', { paths: [cwd, __dirname] });
  } catch {
    throw new PluginNotFoundError(spec, cwd, "a TypeScript file needs 'tsx' installed to load (npm install --save-dev tsx); or compile it and pass the .js");
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(api) as { register: () => unknown }).register();
}

/** `import()` that TypeScript's CommonJS output leaves alone (for `.mjs` plugins). */
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;

/** One loaded module and what it registered. */
export interface LoadedPlugin {
  spec: string;
  file: string;
  /** Ids it registered (`env:quadrant`, `agent:mlp`, `algorithm:a2c`). Empty: see {@link loadPlugins}. */
  registered: string[];
}

function registeredIds(): Set<string> {
  return new Set([...listEnvs().map((e) => `env:${e.id}`), ...listAgents().map((a) => `agent:${a.id}`), ...listAlgorithms().map((a) => `algorithm:${a.id}`)]);
}

/**
 * Loads each module in order (see module doc) and says what each registered. A module that
 * registers nothing was loaded before, or registered into another copy of glimpse-gym (its
 * `require('glimpse-gym')` found a different installation).
 * Not found: {@link PluginNotFoundError} (exit 2); threw while loading: {@link PluginLoadError} (exit 1).
 */
export async function loadPlugins(specs: readonly string[], cwd: string = process.cwd()): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  for (const spec of specs) {
    const file = resolvePlugin(spec, cwd);
    const ext = path.extname(file);
    if (TS_EXTENSIONS.includes(ext)) ensureTypeScript(spec, cwd);
    const before = registeredIds();
    try {
      if (ext === '.mjs') await importModule(require('url').pathToFileURL(file).href);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      else require(file);
    } catch (e) {
      throw new PluginLoadError(spec, e);
    }
    loaded.push({ spec, file, registered: [...registeredIds()].filter((id) => !before.has(id)) });
  }
  return loaded;
}

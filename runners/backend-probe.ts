/**
 * Gathers the facts {@link decideBackend} asks for and activates its choice. Probing is lazy and
 * ordered by the decision itself: `auto` loads `@tensorflow/tfjs-node-gpu` only when it is
 * installed (to ask TensorFlow for a GPU device), initialises wasm only when no GPU is used, and
 * never loads `@tensorflow/tfjs-node`. The probes sit behind {@link BackendProbes} so tests can
 * simulate any package being absent, broken, with or without a GPU.
 */
import { nativeEnabled } from '../tensor/flags';
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendError, TFJS_NODE, TFJS_NODE_GPU, decideBackend,
  type BackendChoice, type BackendFacts, type NativeFact, type PackageFact, type ProbeTarget, type TensorflowFact,
} from './backend-choice';
import type { BackendName } from './config';
import { loadNativeAddon, nativeAddonError } from '../native/addon';

/** The side-effecting probes the selection needs; {@link realProbes} is the one the CLI uses. */
export interface BackendProbes {
  /** Whether an npm package can be resolved (installed), without loading it. */
  isInstalled(pkg: string): boolean;
  /** Loads a libtensorflow package and makes `tensorflow` the active backend; throws when it cannot. */
  loadTensorflow(pkg: typeof TFJS_NODE_GPU | typeof TFJS_NODE): Promise<{ gpu: boolean }>;
  /** Loads and initialises `wasm` or `cpu` (making it active); throws when it cannot. */
  initBackend(name: 'wasm' | 'cpu'): Promise<void>;
  /** Makes an already initialised backend the active one. */
  activate(name: BackendChoice['backend']): Promise<void>;
  /** The native GEMM addon's state. */
  native(): NativeFact;
}

const PACKAGE_OF: Record<ProbeTarget, string> = {
  'tfjs-node-gpu': TFJS_NODE_GPU,
  'tfjs-node': TFJS_NODE,
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const KEY_OF: Record<ProbeTarget, keyof Omit<BackendFacts, 'native'>> = {
  'tfjs-node-gpu': 'tfjsNodeGpu',
  'tfjs-node': 'tfjsNode',
  wasm: 'wasm',
  cpu: 'cpu',
};

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0].trim() || 'unknown error';
}

/** The facts known before loading anything: which packages are installed, the native addon's state. */
export function initialFacts(probes: BackendProbes): BackendFacts {
  const installed = (t: ProbeTarget): PackageFact => (probes.isInstalled(PACKAGE_OF[t]) ? { status: 'installed' } : { status: 'absent' });
  return {
    tfjsNodeGpu: installed('tfjs-node-gpu') as TensorflowFact,
    tfjsNode: installed('tfjs-node') as TensorflowFact,
    wasm: installed('wasm'),
    native: probes.native(),
    cpu: installed('cpu'),
  };
}

/** Runs one probe and returns the fact it established (never throws). */
export async function probe(target: ProbeTarget, probes: BackendProbes): Promise<TensorflowFact | PackageFact> {
  try {
    if (target === 'tfjs-node-gpu' || target === 'tfjs-node') {
      const { gpu } = await probes.loadTensorflow(PACKAGE_OF[target] as typeof TFJS_NODE_GPU);
      return { status: 'loads', gpu };
    }
    await probes.initBackend(target);
    return { status: 'loads' };
  } catch (e) {
    return { status: 'fails', error: firstLine(e) };
  }
}

/** A backend in use and the facts that chose it. */
export interface BackendSelection {
  request: string;
  choice: BackendChoice;
  facts: BackendFacts;
}

/**
 * Decides (see {@link decideBackend}), probing what the decision asks for, and activates the
 * choice. A request that cannot be met is a one-line {@link BackendError}.
 */
export async function selectBackend(request: BackendName | string, probes: BackendProbes, facts: BackendFacts = initialFacts(probes)): Promise<BackendSelection> {
  // Each probe turns an `installed` fact into `loads`/`fails`, so this ends within 4 probes.
  for (let i = 0; i < 8; i++) {
    const d = decideBackend(request, facts);
    if (d.kind === 'error') throw new BackendError(d.message);
    if (d.kind === 'use') {
      await probes.activate(d.choice.backend);
      return { request, choice: d.choice, facts };
    }
    facts = { ...facts, [KEY_OF[d.target]]: await probe(d.target, probes) };
  }
  throw new Error(`backend selection did not settle for '${request}' (a bug)`);
}

/**
 * Runs `fn` and removes the process-level handlers it installed. The wasm module registers
 * `uncaughtException`/`unhandledRejection` handlers that rethrow and print its whole JS source;
 * our CLI reports errors itself.
 */
async function withoutNewProcessHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const listeners = (e: string) => process.listeners(e as 'uncaughtException') as unknown[];
  const before = events.map((e) => new Set(listeners(e)));
  try {
    return await fn();
  } finally {
    events.forEach((e, i) => {
      for (const l of listeners(e)) if (!before[i].has(l)) process.removeListener(e, l as (...a: unknown[]) => void);
    });
  }
}

/**
 * `tf.setBackend(name)`, throwing one line on failure. tfjs-core reports a failed initialisation
 * with `console.warn` (several lines, a stack) and returns false; we keep the message for the
 * error instead of letting it print.
 */
async function setBackendOrThrow(name: string): Promise<void> {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(' '));
  try {
    const ok = await withoutNewProcessHandlers(async () => {
      const r = await tf.setBackend(name);
      await tf.ready();
      return r && tf.getBackend() === name;
    });
    if (!ok) throw new Error(warned.find((w) => !/^Initialization of backend/.test(w))?.split('\n')[0] ?? `backend '${name}' did not initialise`);
  } finally {
    console.warn = warn;
  }
}

/** Options of {@link realProbes}. */
export interface RealProbeOptions {
  /** Where the libtensorflow packages are resolved from instead of the usual module search path (tests). */
  tensorflowSearchPaths?: string[];
  /** Packages treated as not installed (to run one libtensorflow package when both are installed). */
  hide?: string[];
}

/** The probes on this process's real packages. */
export function realProbes(options: RealProbeOptions = {}): BackendProbes {
  const resolve = (pkg: string): string => {
    if (options.hide?.includes(pkg)) throw new Error(`${pkg} is hidden`);
    const paths = pkg === TFJS_NODE_GPU || pkg === TFJS_NODE ? options.tensorflowSearchPaths : undefined;
    return require.resolve(pkg, paths ? { paths } : undefined);
  };
  return {
    isInstalled(pkg) {
      try {
        resolve(pkg);
        return true;
      } catch {
        return false;
      }
    },
    async loadTensorflow(pkg) {
      // libtensorflow logs every CUDA library it fails to open; one line from us says what runs.
      // A user who wants TensorFlow's own account sets TF_CPP_MIN_LOG_LEVEL themselves.
      if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
      // Loading registers the `tensorflow` backend with our tfjs-core (the same 4.22.0 instance).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(resolve(pkg));
      await setBackendOrThrow('tensorflow');
      // NodeJSKernelBackend.isUsingGpuDevice: the binding found a device of type GPU in
      // TensorFlow's device list (tfjs-node/binding/tfjs_backend.cc); false on the CPU build.
      const b = tf.backend() as unknown as { isUsingGpuDevice?: unknown };
      return { gpu: b.isUsingGpuDevice === true };
    },
    async initBackend(name) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(resolve(PACKAGE_OF[name]));
      await setBackendOrThrow(name);
    },
    async activate(name) {
      if (tf.getBackend() !== name) await setBackendOrThrow(name);
      if (name === 'cpu') {
        // The cpu backend prints a multi-line "install tfjs-node" banner on first write; we say
        // which backend runs and how to install tfjs-node ourselves.
        (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
      }
    },
    native() {
      // The tfjs flag (tensor/flags.ts), which GLIMPSE_NATIVE=0 sets: the one switch of the native paths.
      if (!nativeEnabled()) return { status: 'disabled' };
      if (loadNativeAddon() !== null) return { status: 'loads' };
      const why = nativeAddonError() ?? 'not built';
      return / failed to load: /.test(why) ? { status: 'fails', error: why } : { status: 'absent', why };
    },
  };
}

/**
 * Which tensor backend runs, decided by a pure function of what is known about each candidate
 * (installed, loads or throws, GPU or not, native GEMM addon or not). No I/O here: the prober in
 * `backend-probe.ts` gathers the facts this function asks for, one probe at a time, and activates
 * the choice; tests feed it every combination of facts.
 *
 * The policy (the README's "Backends" section says the same):
 * - `auto`: `tensorflow` only when `@tensorflow/tfjs-node-gpu` loads AND TensorFlow lists a GPU
 *   device; else the fastest CPU path we measured: wasm + the native GEMM addon, then plain wasm,
 *   then the pure-JS `cpu` backend. `auto` never runs libtensorflow on the CPU (`@tensorflow/tfjs-node`,
 *   or the GPU build without a GPU): nothing shows it beats wasm + native GEMM for RAM.
 * - `tensorflow`: `@tensorflow/tfjs-node-gpu` when it loads (on its GPU, or on the CPU when it finds
 *   none), else `@tensorflow/tfjs-node`; an error naming what failed when neither loads.
 * - `wasm`, `cpu`: that backend or an error.
 * Only one libtensorflow package is ever loaded in a process (both register the same `tensorflow`
 * backend), so `@tensorflow/tfjs-node` is probed only when the GPU build is absent or failed.
 */
import type { BackendName } from './config';

/** A backend that was asked for and cannot run here, or bad backend input; `exitCode` 2. */
export class BackendError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/** The npm packages that provide the `tensorflow` backend (libtensorflow bindings). */
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
export const TFJS_NODE = '@tensorflow/tfjs-node';
/** The version of the tfjs-node packages that matches our tfjs-core (see package.json peerDependencies). */
export const TFJS_NODE_VERSION = '4.22.0';

/**
 * What is known about a package that provides a backend: `absent` (not installed), `installed`
 * (resolvable, not loaded yet), `fails` (loading or initialising it threw) or `loads`.
 */
export type PackageFact =
  | { status: 'absent' }
  | { status: 'installed' }
  | { status: 'fails'; error: string }
  | { status: 'loads' };

/** A libtensorflow package once loaded also says whether TensorFlow found a GPU device. */
export type TensorflowFact = Exclude<PackageFact, { status: 'loads' }> | { status: 'loads'; gpu: boolean };

/** The native GEMM addon (native/, built at install): it loads, is switched off, not built, or broken. */
export type NativeFact =
  | { status: 'loads' }
  | { status: 'disabled' } // GLIMPSE_NATIVE=0
  | { status: 'absent'; why: string }
  | { status: 'fails'; error: string };

/** Everything the choice depends on. */
export interface BackendFacts {
  tfjsNodeGpu: TensorflowFact;
  tfjsNode: TensorflowFact;
  wasm: PackageFact;
  native: NativeFact;
  cpu: PackageFact;
}

/** What a probe loads (and, for wasm and cpu, initialises). */
export type ProbeTarget = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

/** The backend chosen, and why. */
export interface BackendChoice {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** For `tensorflow`: the package that provides it. */
  package?: typeof TFJS_NODE_GPU | typeof TFJS_NODE;
  /** For `tensorflow`: whether TensorFlow runs on a GPU device. */
  gpu?: boolean;
  /** For `wasm`: whether our native GEMM addon takes over its matMuls. */
  nativeGemm: boolean;
  /** Short name, e.g. `wasm + native GEMM`, `tensorflow (GPU, @tensorflow/tfjs-node-gpu)`. */
  label: string;
  /** Why this one, in one line (no trailing period). */
  reason: string;
}

/** One step of the decision: probe a target first, use a backend, or fail with one line. */
export type BackendDecision =
  | { kind: 'probe'; target: ProbeTarget }
  | { kind: 'use'; choice: BackendChoice }
  | { kind: 'error'; message: string };

/** The install command the messages suggest. */
export function installHint(pkg: string): string {
  return `npm install ${pkg}@${TFJS_NODE_VERSION}`;
}

/** The label of a choice, e.g. `wasm + native GEMM`. */
export function choiceLabel(c: Pick<BackendChoice, 'backend' | 'package' | 'gpu' | 'nativeGemm'>): string {
  if (c.backend === 'tensorflow') return `tensorflow (${c.gpu ? 'GPU' : 'CPU'}, ${c.package})`;
  if (c.backend === 'wasm') return c.nativeGemm ? 'wasm + native GEMM' : 'wasm';
  return 'cpu';
}

function use(backend: BackendChoice['backend'], extra: Partial<BackendChoice>, reason: string): BackendDecision {
  const base = { backend, nativeGemm: false, ...extra };
  return { kind: 'use', choice: { ...base, label: choiceLabel(base), reason } };
}

/** Why the GPU build is not used, for `auto`'s reason. */
function noGpuWhy(f: TensorflowFact): string {
  switch (f.status) {
    case 'absent':
      return `${TFJS_NODE_GPU} is not installed`;
    case 'fails':
      return `${TFJS_NODE_GPU} failed to load (${f.error})`;
    case 'loads':
      return `${TFJS_NODE_GPU} loads but TensorFlow lists no GPU device`;
    default:
      return `${TFJS_NODE_GPU} was not probed`;
  }
}

/** Why wasm runs without the native GEMM addon (empty when it loads). */
export function nativeWhy(n: NativeFact): string {
  switch (n.status) {
    case 'disabled':
      return 'native GEMM disabled by GLIMPSE_NATIVE=0';
    case 'absent':
      return `native GEMM addon not available (${n.why})`;
    case 'fails':
      return `native GEMM addon failed to load (${n.error})`;
    default:
      return '';
  }
}

/** `auto`'s path once the GPU build is ruled out: wasm (+ native GEMM), then cpu. */
function decideCpuPath(facts: BackendFacts, prefix: string): BackendDecision {
  const tfNote = facts.tfjsNode.status !== 'absent' ? `; ${TFJS_NODE} is installed but auto never runs libtensorflow on the CPU (--backend tensorflow does)` : '';
  if (facts.wasm.status === 'installed') return { kind: 'probe', target: 'wasm' };
  if (facts.wasm.status === 'loads') {
    const nativeGemm = facts.native.status === 'loads';
    const how = nativeGemm ? 'wasm + native GEMM, the fastest CPU path measured' : `wasm (${nativeWhy(facts.native)})`;
    return use('wasm', { nativeGemm }, `${prefix}; ${how}${tfNote}`);
  }
  const wasmWhy = facts.wasm.status === 'fails' ? `wasm failed (${facts.wasm.error})` : 'wasm is not installed';
  if (facts.cpu.status === 'installed') return { kind: 'probe', target: 'cpu' };
  if (facts.cpu.status === 'loads') return use('cpu', {}, `${prefix}; ${wasmWhy}; pure-JS cpu, the slowest path${tfNote}`);
  const cpuWhy = facts.cpu.status === 'fails' ? `cpu failed (${facts.cpu.error})` : 'cpu is not installed';
  return { kind: 'error', message: `no tensor backend could be initialised: ${noGpuWhy(facts.tfjsNodeGpu)}; ${wasmWhy}; ${cpuWhy}` };
}

/** The `tensorflow` request: the GPU build when it loads, else tfjs-node. */
function decideTensorflow(facts: BackendFacts): BackendDecision {
  const gpuPkg = facts.tfjsNodeGpu;
  if (gpuPkg.status === 'installed') return { kind: 'probe', target: 'tfjs-node-gpu' };
  if (gpuPkg.status === 'loads') {
    const reason = gpuPkg.gpu
      ? `asked for with --backend tensorflow; ${TFJS_NODE_GPU} runs on the GPU`
      : `asked for with --backend tensorflow; ${TFJS_NODE_GPU} found no GPU device, so libtensorflow runs on the CPU (TF_CPP_MIN_LOG_LEVEL=0 shows why)`;
    return use('tensorflow', { package: TFJS_NODE_GPU, gpu: gpuPkg.gpu }, reason);
  }
  const cpuPkg = facts.tfjsNode;
  if (cpuPkg.status === 'installed') return { kind: 'probe', target: 'tfjs-node' };
  if (cpuPkg.status === 'loads') {
    const why = gpuPkg.status === 'fails' ? `${TFJS_NODE_GPU} failed to load (${gpuPkg.error}); ` : '';
    return use('tensorflow', { package: TFJS_NODE, gpu: cpuPkg.gpu }, `asked for with --backend tensorflow; ${why}${TFJS_NODE} runs libtensorflow on the CPU`);
  }
  if (gpuPkg.status === 'absent' && cpuPkg.status === 'absent') {
    return { kind: 'error', message: `backend 'tensorflow' needs ${TFJS_NODE_GPU} (CUDA GPU) or ${TFJS_NODE} (CPU), and neither is installed: ${installHint(TFJS_NODE_GPU)} or ${installHint(TFJS_NODE)}; or use --backend auto, wasm or cpu` };
  }
  const failures = [gpuPkg, cpuPkg]
    .map((f, i) => (f.status === 'fails' ? `${i === 0 ? TFJS_NODE_GPU : TFJS_NODE} failed to load (${f.error})` : null))
    .filter((s): s is string => s !== null);
  return { kind: 'error', message: `backend 'tensorflow' cannot run: ${failures.join('; ')}; use --backend auto, wasm or cpu` };
}

/**
 * The next step towards running `request` given `facts`: a target to probe first (a fact still
 * `installed`, i.e. unknown whether it loads), the backend to use with the reason, or a one-line
 * error. Pure: the same facts give the same decision.
 */
export function decideBackend(request: BackendName | string, facts: BackendFacts): BackendDecision {
  switch (request) {
    case 'auto': {
      const gpuPkg = facts.tfjsNodeGpu;
      if (gpuPkg.status === 'installed') return { kind: 'probe', target: 'tfjs-node-gpu' };
      if (gpuPkg.status === 'loads' && gpuPkg.gpu) return use('tensorflow', { package: TFJS_NODE_GPU, gpu: true }, `auto: ${TFJS_NODE_GPU} loads and TensorFlow found a GPU`);
      return decideCpuPath(facts, `auto: no usable GPU (${noGpuWhy(gpuPkg)})`);
    }
    case 'tensorflow':
      return decideTensorflow(facts);
    case 'wasm':
      if (facts.wasm.status === 'installed') return { kind: 'probe', target: 'wasm' };
      if (facts.wasm.status === 'loads') {
        const nativeGemm = facts.native.status === 'loads';
        return use('wasm', { nativeGemm }, `asked for with --backend wasm${nativeGemm ? '' : `; ${nativeWhy(facts.native)}`}`);
      }
      return { kind: 'error', message: `backend 'wasm' failed to initialise (@tensorflow/tfjs-backend-wasm${facts.wasm.status === 'fails' ? `: ${facts.wasm.error}` : ' is not installed'}); use --backend cpu` };
    case 'cpu':
      if (facts.cpu.status === 'installed') return { kind: 'probe', target: 'cpu' };
      if (facts.cpu.status === 'loads') return use('cpu', {}, 'asked for with --backend cpu');
      return { kind: 'error', message: `backend 'cpu' failed to initialise (@tensorflow/tfjs-backend-cpu${facts.cpu.status === 'fails' ? `: ${facts.cpu.error}` : ' is not installed'})` };
    default:
      return { kind: 'error', message: `unknown backend '${request}'; allowed: auto, tensorflow, wasm, cpu` };
  }
}

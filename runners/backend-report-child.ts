/**
 * One row of `rl-run list --backends`, run in its own process (`node backend-report-child.js
 * TARGET`) so that each backend loads into a clean process: the two libtensorflow packages cannot
 * share one, and a crashing native library takes down only its row. Probes TARGET, and when it
 * loads, times a few RAM training batches on it; prints one JSON {@link ChildReport} line.
 */
import { TFJS_NODE, TFJS_NODE_GPU, type PackageFact, type ProbeTarget, type TensorflowFact } from './backend-choice';
import { probe, realProbes } from './backend-probe';
import { describeBackend, initBackend } from './backend';
import { median, quickTrain, type QuickTrainOptions } from './quick-train';

/** The workload each backend is timed on: default RAM on the procedural shapes task (no data files). */
export const STEP_WORKLOAD: QuickTrainOptions = { env: 'shapes', agent: 'ram', algo: 'reinforce', batchSize: 16, warmup: 1, batches: 5, budgetMs: 1000, seed: 0 };

/** What a child prints. */
export interface ChildReport {
  target: ProbeTarget;
  fact: TensorflowFact | PackageFact;
  /** `describeBackend()` once initialised, e.g. `wasm + native GEMM`. */
  label?: string;
  /** Median milliseconds of one training batch of {@link STEP_WORKLOAD}. */
  stepMs?: number;
  /** Why the timing failed, when the backend loads but training on it threw. */
  stepError?: string;
}

const REQUEST: Record<ProbeTarget, string> = { 'tfjs-node-gpu': 'tensorflow', 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

async function report(target: ProbeTarget): Promise<ChildReport> {
  // Force the row's package: for tfjs-node, hide the GPU build (the selection would prefer it).
  const probes = realProbes({ hide: target === 'tfjs-node' ? [TFJS_NODE_GPU] : target === 'tfjs-node-gpu' ? [TFJS_NODE] : [] });
  const pkg = target === 'tfjs-node-gpu' ? TFJS_NODE_GPU : target === 'tfjs-node' ? TFJS_NODE : `@tensorflow/tfjs-backend-${target}`;
  if (!probes.isInstalled(pkg)) return { target, fact: { status: 'absent' } };
  const fact = await probe(target, probes);
  if (fact.status !== 'loads') return { target, fact };
  const out: ChildReport = { target, fact };
  try {
    // As a run sets it up: our gradients, and on wasm the native and copy-free kernels.
    await initBackend(REQUEST[target], probes);
    out.label = describeBackend();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { registryComponents } = require('./registries') as typeof import('./registries');
    out.stepMs = median(quickTrain(registryComponents(), STEP_WORKLOAD).stepMs);
  } catch (e) {
    out.stepError = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
  return out;
}

if (require.main === module) {
  const target = process.argv[2] as ProbeTarget;
  report(target).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n', () => process.exit(0)),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

/**
 * `rl-run list --backends`: what is installed, what loads, which device it runs on and a short
 * measured training step of each backend on this machine, then what `--backend auto` picks and
 * why (the same {@link decideBackend} as a run, fed the facts the rows found). Each row runs in
 * its own process (`backend-report-child.ts`), one after another so their timings do not compete.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import {
  TFJS_NODE, TFJS_NODE_GPU, decideBackend, installHint, nativeWhy,
  type BackendFacts, type NativeFact, type PackageFact, type ProbeTarget, type TensorflowFact,
} from './backend-choice';
import { realProbes } from './backend-probe';
import { STEP_WORKLOAD, type ChildReport } from './backend-report-child';

/** One row of the table. */
export interface BackendRow {
  name: string;
  target: ProbeTarget;
  /** `GLIMPSE_NATIVE=0` for plain wasm. */
  env?: Record<string, string>;
  report: ChildReport | null;
  /** Why the row was not run (e.g. the native addon is not built). */
  skipped?: string;
}

/** Runs a child for `target`; a crash or timeout becomes a `fails` fact. */
function runChild(target: ProbeTarget, env: Record<string, string>, timeoutMs: number): ChildReport {
  const ts = __filename.endsWith('.ts');
  const child = path.join(__dirname, `backend-report-child${ts ? '.ts' : '.js'}`);
  // Under tsx (tests, `npx tsx`), the child needs the same TypeScript hook.
  const args = ts ? ['-r', require.resolve('tsx/cjs'), child, target] : [child, target];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildReport;
  } catch {
    const why = r.error ? (r.error.message.includes('ETIMEDOUT') ? `timed out after ${timeoutMs / 1000} s` : r.error.message)
      : r.signal ? `crashed (${r.signal})` : (r.stderr ?? '').trim().split('\n').pop() || `exited with code ${r.status}`;
    return { target, fact: { status: 'fails', error: why } };
  }
}

/** Probes and times every backend (see module doc); `timeoutMs` bounds each row. */
export function collectBackendRows(options: { timeoutMs?: number } = {}): { rows: BackendRow[]; native: NativeFact } {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const probes = realProbes();
  const native = probes.native();
  const plan: Omit<BackendRow, 'report'>[] = [
    { name: 'tensorflow, tfjs-node-gpu', target: 'tfjs-node-gpu' },
    { name: 'tensorflow, tfjs-node', target: 'tfjs-node' },
    { name: 'wasm + native GEMM', target: 'wasm', ...(native.status === 'loads' ? {} : { skipped: nativeWhy(native) }) },
    { name: 'wasm (GLIMPSE_NATIVE=0)', target: 'wasm', env: { GLIMPSE_NATIVE: '0' } },
    { name: 'cpu', target: 'cpu' },
  ];
  const absent = (t: ProbeTarget) => (t === 'tfjs-node-gpu' || t === 'tfjs-node') && !probes.isInstalled(t === 'tfjs-node-gpu' ? TFJS_NODE_GPU : TFJS_NODE);
  const rows = plan.map((p) => ({
    ...p,
    report: p.skipped ? null : absent(p.target) ? { target: p.target, fact: { status: 'absent' as const } } : runChild(p.target, p.env ?? {}, timeoutMs),
  }));
  return { rows, native };
}

/** The facts the rows found, as {@link decideBackend} takes them. */
export function factsFromRows(rows: BackendRow[], native: NativeFact): BackendFacts {
  const fact = (target: ProbeTarget, name?: string): PackageFact | TensorflowFact =>
    rows.find((r) => r.target === target && (name === undefined || r.name === name))?.report?.fact ?? { status: 'absent' };
  return {
    tfjsNodeGpu: fact('tfjs-node-gpu') as TensorflowFact,
    tfjsNode: fact('tfjs-node') as TensorflowFact,
    wasm: fact('wasm', 'wasm (GLIMPSE_NATIVE=0)') as PackageFact,
    native,
    cpu: fact('cpu') as PackageFact,
  };
}

/** The table and the auto line, as printed. */
export function formatBackendReport(rows: BackendRow[], native: NativeFact): string {
  const cells = rows.map((r) => {
    const f = r.report?.fact;
    const installed = r.skipped ? 'no' : f?.status === 'absent' ? 'no' : 'yes';
    const loads = !f || f.status === 'absent' ? '-' : f.status === 'loads' ? 'yes' : 'no';
    const device = f?.status === 'loads' ? ('gpu' in f && f.gpu ? 'GPU' : 'CPU') : '-';
    const step = r.report?.stepMs !== undefined ? `${r.report.stepMs.toFixed(1)} ms` : '-';
    const note = r.skipped ?? (f?.status === 'fails' ? f.error : r.report?.stepError ? `training failed: ${r.report.stepError}` : '');
    return [r.name, installed, loads, device, step, note];
  });
  const header = ['backend', 'installed', 'loads', 'device', 'train step', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => '  ' + c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join('  ').trimEnd();
  const w = STEP_WORKLOAD;
  const out = [
    `backends here (train step: median ms of a ${w.env}/${w.agent}/${w.algo} batch of ${w.batchSize}):`,
    line(header),
    ...cells.map(line),
  ];
  for (const r of rows) {
    if (r.report?.fact.status !== 'absent' || (r.target !== 'tfjs-node-gpu' && r.target !== 'tfjs-node')) continue;
    out.push(r.target === 'tfjs-node-gpu' ? `to add: ${installHint(TFJS_NODE_GPU)}  (Linux, CUDA GPU)` : `to add: ${installHint(TFJS_NODE)}  (libtensorflow, CPU)`);
  }
  const d = decideBackend('auto', factsFromRows(rows, native));
  out.push(d.kind === 'use' ? `--backend auto picks ${d.choice.label}\n  (${d.choice.reason})` : `--backend auto: ${d.kind === 'error' ? d.message : 'undecided'}`);
  return out.join('\n') + '\n';
}

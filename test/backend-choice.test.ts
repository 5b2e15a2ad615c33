/**
 * Backend selection with the availability of every package simulated: the pure decision over all
 * combinations of facts, the probing order it drives (fake probes), and the real probes against
 * fake libtensorflow packages on disk (one with a GPU, one without, one whose native library is
 * missing).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BackendError, TFJS_NODE, TFJS_NODE_GPU, decideBackend,
  type BackendChoice, type BackendFacts, type NativeFact, type PackageFact, type TensorflowFact,
} from '../runners/backend-choice';
import { realProbes, selectBackend, type BackendProbes } from '../runners/backend-probe';
import { formatBackendReport, type BackendRow } from '../runners/backend-report';
import { setUpBackend, tempDir } from './helpers/run-helpers';

const test = suite('backend-choice');

const GPU_FACTS: TensorflowFact[] = [{ status: 'absent' }, { status: 'fails', error: 'libtensorflow.so.2: cannot open shared object file' }, { status: 'loads', gpu: true }, { status: 'loads', gpu: false }];
const NODE_FACTS: TensorflowFact[] = [{ status: 'absent' }, { status: 'fails', error: 'tfjs_binding.node not found' }, { status: 'loads', gpu: false }];
const PKG_FACTS: PackageFact[] = [{ status: 'absent' }, { status: 'fails', error: 'init threw' }, { status: 'loads' }];
const NATIVE_FACTS: NativeFact[] = [{ status: 'loads' }, { status: 'disabled' }, { status: 'absent', why: 'addon not built' }, { status: 'fails', error: 'bad ELF' }];

/** Every combination of fully probed facts. */
function* allFacts(): Generator<BackendFacts> {
  for (const tfjsNodeGpu of GPU_FACTS) for (const tfjsNode of NODE_FACTS) for (const wasm of PKG_FACTS) for (const native of NATIVE_FACTS) for (const cpu of PKG_FACTS) {
    yield { tfjsNodeGpu, tfjsNode, wasm, native, cpu };
  }
}

const loads = (f: PackageFact | TensorflowFact) => f.status === 'loads';
const hasGpu = (f: TensorflowFact) => f.status === 'loads' && f.gpu;

function chosen(request: string, facts: BackendFacts): BackendChoice | string {
  const d = decideBackend(request, facts);
  assert.not.equal(d.kind, 'probe', `fully probed facts never ask for a probe: ${JSON.stringify(facts)}`);
  if (d.kind === 'use') {
    assert.not.ok(d.choice.reason.includes('\n'), 'reason is one line');
    return d.choice;
  }
  assert.ok(d.kind === 'error' && !d.message.includes('\n') && d.message.length > 0);
  return (d as { message: string }).message;
}

test('auto: tensorflow exactly when tfjs-node-gpu loads with a GPU; else wasm + native GEMM, wasm, cpu (all 432 fact combinations)', () => {
  let n = 0;
  for (const f of allFacts()) {
    n++;
    const c = chosen('auto', f);
    const expected = hasGpu(f.tfjsNodeGpu) ? 'tensorflow' : loads(f.wasm) ? 'wasm' : loads(f.cpu) ? 'cpu' : 'error';
    assert.is(typeof c === 'string' ? 'error' : c.backend, expected, JSON.stringify(f));
    if (typeof c === 'string') continue;
    assert.ok(c.reason.startsWith('auto: '), c.reason);
    if (c.backend === 'tensorflow') assert.equal([c.package, c.gpu, c.label], [TFJS_NODE_GPU, true, `tensorflow (GPU, ${TFJS_NODE_GPU})`]);
    if (c.backend === 'wasm') {
      assert.is(c.nativeGemm, f.native.status === 'loads');
      assert.is(c.label, c.nativeGemm ? 'wasm + native GEMM' : 'wasm');
      if (f.native.status === 'disabled') assert.match(c.reason, 'GLIMPSE_NATIVE=0');
    }
    if (c.backend !== 'tensorflow') {
      // The reason says why the GPU build was not used.
      const why = { absent: 'is not installed', fails: 'failed to load (libtensorflow.so.2', loads: 'lists no GPU device' }[f.tfjsNodeGpu.status as 'absent'];
      assert.match(c.reason, why);
      if (f.tfjsNode.status !== 'absent') assert.match(c.reason, `${TFJS_NODE} is installed but auto never runs libtensorflow on the CPU`);
    }
  }
  assert.is(n, 432);
});

test('--backend tensorflow: the GPU build when it loads (GPU or not), else tfjs-node, else one line naming what failed', () => {
  for (const f of allFacts()) {
    const c = chosen('tensorflow', f);
    if (loads(f.tfjsNodeGpu)) {
      assert.ok(typeof c !== 'string' && c.backend === 'tensorflow' && c.package === TFJS_NODE_GPU);
      const gpu = hasGpu(f.tfjsNodeGpu);
      assert.is((c as BackendChoice).gpu, gpu);
      assert.match((c as BackendChoice).reason, gpu ? 'runs on the GPU' : 'found no GPU device, so libtensorflow runs on the CPU');
    } else if (loads(f.tfjsNode)) {
      assert.ok(typeof c !== 'string' && c.package === TFJS_NODE && c.gpu === false && c.label === `tensorflow (CPU, ${TFJS_NODE})`);
    } else {
      assert.type(c, 'string');
      if (f.tfjsNodeGpu.status === 'absent' && f.tfjsNode.status === 'absent') assert.match(c as string, `npm install ${TFJS_NODE_GPU}@4.22.0`);
      if (f.tfjsNodeGpu.status === 'fails') assert.match(c as string, 'libtensorflow.so.2: cannot open shared object file');
      if (f.tfjsNode.status === 'fails') assert.match(c as string, 'tfjs_binding.node not found');
    }
  }
});

test('--backend wasm / cpu: that backend or an error; wasm names why native GEMM is off', () => {
  for (const f of allFacts()) {
    const w = chosen('wasm', f);
    if (loads(f.wasm)) {
      assert.ok(typeof w !== 'string' && w.backend === 'wasm' && w.nativeGemm === (f.native.status === 'loads'));
      if (f.native.status === 'absent') assert.match((w as BackendChoice).reason, 'addon not built');
    } else assert.match(w as string, /^backend 'wasm' failed to initialise/);
    const c = chosen('cpu', f);
    if (loads(f.cpu)) assert.ok(typeof c !== 'string' && c.backend === 'cpu' && c.reason === 'asked for with --backend cpu');
    else assert.match(c as string, /^backend 'cpu' failed to initialise/);
  }
  assert.equal(decideBackend('gpu', [...allFacts()][0]), { kind: 'error', message: "unknown backend 'gpu'; allowed: auto, tensorflow, wasm, cpu" });
});

/** Fake probes: which packages exist and how each behaves; records every call. */
function fakeProbes(spec: { gpuPkg?: 'gpu' | 'no-gpu' | 'throws'; nodePkg?: 'loads' | 'throws'; wasm?: 'loads' | 'throws'; native?: NativeFact }) {
  const calls: string[] = [];
  const probes: BackendProbes = {
    isInstalled: (pkg) => (pkg === TFJS_NODE_GPU ? spec.gpuPkg !== undefined : pkg === TFJS_NODE ? spec.nodePkg !== undefined : true),
    async loadTensorflow(pkg) {
      calls.push(`load ${pkg}`);
      const how = pkg === TFJS_NODE_GPU ? spec.gpuPkg : spec.nodePkg;
      if (how === 'throws') throw new Error(`${pkg}: libtensorflow.so.2: cannot open shared object file\n    at stack`);
      return { gpu: how === 'gpu' };
    },
    async initBackend(name) {
      calls.push(`init ${name}`);
      if (name === 'wasm' && spec.wasm === 'throws') throw new Error('wasm: out of memory');
    },
    async activate(name) {
      calls.push(`activate ${name}`);
    },
    native: () => spec.native ?? { status: 'loads' },
  };
  return { probes, calls };
}

test('probing follows the decision: auto loads the GPU build only when installed, never tfjs-node, and skips wasm on a GPU', async () => {
  const cases: Array<[string, Parameters<typeof fakeProbes>[0], string, string[]]> = [
    ['auto', {}, 'wasm + native GEMM', ['init wasm', 'activate wasm']],
    ['auto', { nodePkg: 'loads' }, 'wasm + native GEMM', ['init wasm', 'activate wasm']],
    ['auto', { gpuPkg: 'gpu', nodePkg: 'loads' }, `tensorflow (GPU, ${TFJS_NODE_GPU})`, [`load ${TFJS_NODE_GPU}`, 'activate tensorflow']],
    ['auto', { gpuPkg: 'no-gpu' }, 'wasm + native GEMM', [`load ${TFJS_NODE_GPU}`, 'init wasm', 'activate wasm']],
    ['auto', { gpuPkg: 'throws' }, 'wasm + native GEMM', [`load ${TFJS_NODE_GPU}`, 'init wasm', 'activate wasm']],
    ['auto', { wasm: 'throws' }, 'cpu', ['init wasm', 'init cpu', 'activate cpu']],
    ['auto', { native: { status: 'disabled' } }, 'wasm', ['init wasm', 'activate wasm']],
    ['auto', { native: { status: 'absent', why: 'addon not built' } }, 'wasm', ['init wasm', 'activate wasm']],
    ['tensorflow', { gpuPkg: 'no-gpu', nodePkg: 'loads' }, `tensorflow (CPU, ${TFJS_NODE_GPU})`, [`load ${TFJS_NODE_GPU}`, 'activate tensorflow']],
    ['tensorflow', { gpuPkg: 'throws', nodePkg: 'loads' }, `tensorflow (CPU, ${TFJS_NODE})`, [`load ${TFJS_NODE_GPU}`, `load ${TFJS_NODE}`, 'activate tensorflow']],
    ['tensorflow', { nodePkg: 'loads' }, `tensorflow (CPU, ${TFJS_NODE})`, [`load ${TFJS_NODE}`, 'activate tensorflow']],
    ['wasm', { gpuPkg: 'gpu' }, 'wasm + native GEMM', ['init wasm', 'activate wasm']],
    ['cpu', { gpuPkg: 'gpu' }, 'cpu', ['init cpu', 'activate cpu']],
  ];
  for (const [request, spec, label, expectedCalls] of cases) {
    const { probes, calls } = fakeProbes(spec);
    const s = await selectBackend(request, probes);
    assert.is(s.choice.label, label, `${request} ${JSON.stringify(spec)}`);
    assert.equal(calls, expectedCalls, `${request} ${JSON.stringify(spec)}`);
  }
  // A load error reaches the reason as its first line only.
  const { probes } = fakeProbes({ gpuPkg: 'throws' });
  const s = await selectBackend('auto', probes);
  assert.is(s.choice.reason, `auto: no usable GPU (${TFJS_NODE_GPU} failed to load (${TFJS_NODE_GPU}: libtensorflow.so.2: cannot open shared object file)); wasm + native GEMM, the fastest CPU path measured`);
});

test('a backend that cannot run is a one-line BackendError with exit code 2', async () => {
  for (const [request, spec, message] of [
    ['tensorflow', {}, /^backend 'tensorflow' needs @tensorflow\/tfjs-node-gpu \(CUDA GPU\) or @tensorflow\/tfjs-node \(CPU\), and neither is installed: npm install/],
    ['tensorflow', { gpuPkg: 'throws', nodePkg: 'throws' }, /^backend 'tensorflow' cannot run: @tensorflow\/tfjs-node-gpu failed to load \(.*\); @tensorflow\/tfjs-node failed to load \(.*\); use --backend auto, wasm or cpu$/],
    ['wasm', { wasm: 'throws' }, /^backend 'wasm' failed to initialise \(@tensorflow\/tfjs-backend-wasm: wasm: out of memory\); use --backend cpu$/],
  ] as const) {
    const { probes } = fakeProbes(spec as Parameters<typeof fakeProbes>[0]);
    try {
      await selectBackend(request, probes);
      assert.unreachable(`${request} should fail`);
    } catch (e) {
      assert.instance(e, BackendError);
      assert.is((e as BackendError).exitCode, 2);
      assert.match((e as Error).message, message);
      assert.not.ok((e as Error).message.includes('\n'));
    }
  }
});

/**
 * A fake `@tensorflow/tfjs-node-gpu` on disk: loading it registers a `tensorflow` backend (a cpu
 * backend that reports `isUsingGpuDevice` as the real NodeJSKernelBackend does), or throws as the
 * real one does when libtensorflow is missing.
 */
function fakeTensorflowPackage(dir: string, behaviour: 'gpu' | 'no-gpu' | 'throws'): string {
  const pkgDir = path.join(dir, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: TFJS_NODE_GPU, version: '4.22.0', main: 'index.js' }));
  const core = JSON.stringify(require.resolve('@tensorflow/tfjs-core'));
  const cpu = JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu'));
  fs.writeFileSync(path.join(pkgDir, 'index.js'), behaviour === 'throws'
    ? "throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory\\n    at Module._extensions');\n"
    : `const tf = require(${core});\nconst { MathBackendCPU } = require(${cpu});\n` +
      `tf.registerBackend('tensorflow', () => { const b = new MathBackendCPU(); b.isUsingGpuDevice = ${behaviour === 'gpu'}; return b; }, 3);\n`);
  return dir;
}

let root = '';
const savedLogLevel = process.env.TF_CPP_MIN_LOG_LEVEL;
test.before(async () => {
  await setUpBackend();
  root = tempDir('backend-choice-');
});
test.after(async () => {
  fs.rmSync(root, { recursive: true, force: true });
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  if (savedLogLevel === undefined) delete process.env.TF_CPP_MIN_LOG_LEVEL;
  else process.env.TF_CPP_MIN_LOG_LEVEL = savedLogLevel;
  await setUpBackend();
});

test('real probes on fake tfjs-node-gpu packages: GPU -> tensorflow; no GPU or a missing libtensorflow -> wasm, saying why', async () => {
  const expectations = [
    ['gpu', 'tensorflow', `auto: ${TFJS_NODE_GPU} loads and TensorFlow found a GPU`],
    ['no-gpu', 'wasm', `auto: no usable GPU (${TFJS_NODE_GPU} loads but TensorFlow lists no GPU device)`],
    ['throws', 'wasm', `auto: no usable GPU (${TFJS_NODE_GPU} failed to load (libtensorflow.so.2: cannot open shared object file: No such file or directory))`],
  ] as const;
  for (const [behaviour, backend, reason] of expectations) {
    const dir = fakeTensorflowPackage(path.join(root, behaviour), behaviour);
    const s = await selectBackend('auto', realProbes({ tensorflowSearchPaths: [dir] }));
    assert.is(s.choice.backend, backend, behaviour);
    assert.is(tf.getBackend(), backend, behaviour);
    assert.ok(s.choice.reason.startsWith(reason), s.choice.reason);
    // Each fake registers its own backend; drop it so the next one can.
    if (tf.findBackendFactory('tensorflow')) {
      await tf.setBackend('wasm');
      tf.removeBackend('tensorflow');
    }
  }
  // Without the fakes, nothing libtensorflow is installed here: auto is wasm and says so.
  const s = await selectBackend('auto', realProbes({ tensorflowSearchPaths: [path.join(root, 'empty')] }));
  assert.is(s.choice.backend, 'wasm');
  assert.match(s.choice.reason, `${TFJS_NODE_GPU} is not installed`);
});

test('list --backends table: each row, and the auto line from the same decision', () => {
  const rows: BackendRow[] = [
    { name: 'tensorflow, tfjs-node-gpu', target: 'tfjs-node-gpu', report: { target: 'tfjs-node-gpu', fact: { status: 'loads', gpu: true }, label: 'tensorflow (GPU)', stepMs: 4.2 } },
    { name: 'tensorflow, tfjs-node', target: 'tfjs-node', report: { target: 'tfjs-node', fact: { status: 'absent' } } },
    { name: 'wasm + native GEMM', target: 'wasm', report: null, skipped: 'addon not built' },
    { name: 'wasm (GLIMPSE_NATIVE=0)', target: 'wasm', env: { GLIMPSE_NATIVE: '0' }, report: { target: 'wasm', fact: { status: 'loads' }, stepMs: 20 } },
    { name: 'cpu', target: 'cpu', report: { target: 'cpu', fact: { status: 'fails', error: 'boom' } } },
  ];
  const lines = formatBackendReport(rows, { status: 'absent', why: 'addon not built' }).trimEnd().split('\n');
  assert.match(lines[0], /^backends here \(train step: median ms of a shapes\/ram\/reinforce batch of \d+\):$/);
  assert.match(lines[1], /^  backend +installed +loads +device +train step +note$/);
  assert.match(lines[2], /^  tensorflow, tfjs-node-gpu +yes +yes +GPU +4\.2 ms$/);
  assert.match(lines[3], /^  tensorflow, tfjs-node +no +- +- +-$/);
  assert.match(lines[4], /^  wasm \+ native GEMM +no +- +- +- +addon not built$/);
  assert.match(lines[5], /^  wasm \(GLIMPSE_NATIVE=0\) +yes +yes +CPU +20\.0 ms$/);
  assert.match(lines[6], /^  cpu +yes +no +- +- +boom$/);
  assert.is(lines[7], 'to add: npm install @tensorflow/tfjs-node@4.22.0  (libtensorflow, CPU)');
  assert.is(lines[8], `--backend auto picks tensorflow (GPU, ${TFJS_NODE_GPU})`);
  assert.is(lines[9], `  (auto: ${TFJS_NODE_GPU} loads and TensorFlow found a GPU)`);
  assert.is(lines.length, 10);
});

test.run();

#!/usr/bin/env node
/**
 * Builds the optional native GEMM addon (native/ -> native/build/Release/glimpse_native.node)
 * with node-gyp, offline: npm's bundled node-gyp against the headers of the running Node
 * (`--nodedir`, so nothing is downloaded). If node-gyp cannot be found or fails, compiles the
 * same sources with g++ directly. Never fails the install: on any failure it prints one line,
 * "native kernels unavailable (<reason>); using wasm", and exits 0.
 *
 * Usage: node scripts/build-native.js            (GLIMPSE_NATIVE=0 skips the build)
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const outFile = path.join(nativeDir, 'build', 'Release', 'glimpse_native.node');
const sources = ['src/addon.cc', 'src/adam.cc', 'src/epilogue.cc', 'src/lstm_cell.cc', 'src/sgemm.cc', 'src/thread_pool.cc'];

/** The folder holding include/node/node_api.h for the running Node (its install prefix). */
function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** npm's bundled node-gyp, found next to the npm that runs us or next to node itself. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) {
    candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a dependency of this project; the bundled copies above are the usual source
  }
  return candidates.find((c) => fs.existsSync(c)) || null;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: nativeDir, encoding: 'utf8', env: process.env });
  const output = `${r.stdout || ''}${r.stderr || ''}`;
  if (r.error) return { ok: false, reason: r.error.message };
  if (r.status !== 0) {
    const lastError = output.split('\n').find((l) => /error/i.test(l)) || `exit code ${r.status}`;
    return { ok: false, reason: lastError.trim().slice(0, 200) };
  }
  return { ok: true };
}

function buildWithNodeGyp(dir) {
  const gyp = findNodeGyp();
  if (!gyp) return { ok: false, reason: 'node-gyp not found' };
  return run(process.execPath, [gyp, 'rebuild', `--nodedir=${dir}`]);
}

function buildWithGxx(dir) {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  return run('g++', [
    '-O3', '-march=native', '-fno-math-errno', '-std=c++17', '-fPIC', '-shared', '-pthread', '-DNAPI_VERSION=8',
    '-DNODE_GYP_MODULE_NAME=glimpse_native', `-I${path.join(dir, 'include', 'node')}`,
    ...sources, '-o', outFile,
  ]);
}

/** Loads the built addon in a child process, so a crash cannot take the install down. */
function verify() {
  const code = `const a=require(${JSON.stringify(outFile)});const C=new Float32Array(1);` +
    `a.sgemm(false,false,1,1,1,1,new Float32Array([2]),0,1,new Float32Array([3]),0,1,0,C,0,1);` +
    `if(C[0]!==6)throw new Error('sgemm self-test gave '+C[0]);`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  if (r.status === 0) return { ok: true };
  return { ok: false, reason: `built addon failed its self-test: ${(r.stderr || '').split('\n').find((l) => l.trim()) || r.status}` };
}

function main() {
  if (process.env.GLIMPSE_NATIVE === '0') return 'disabled by GLIMPSE_NATIVE=0';
  if (process.platform !== 'linux' && process.platform !== 'darwin') return `unsupported platform ${process.platform}`;
  const dir = nodeDir();
  if (!dir) return `Node headers not found under ${path.resolve(path.dirname(process.execPath), '..')}/include/node`;
  let result = buildWithNodeGyp(dir);
  if (!result.ok) {
    const gxx = buildWithGxx(dir);
    if (!gxx.ok) return `node-gyp: ${result.reason}; g++: ${gxx.reason}`;
  }
  const check = verify();
  if (!check.ok) {
    fs.rmSync(outFile, { force: true });
    return check.reason;
  }
  return null;
}

let failure;
try {
  failure = main();
} catch (err) {
  failure = err instanceof Error ? err.message : String(err);
}
if (failure) console.log(`native kernels unavailable (${failure}); using wasm`);
else console.log(`native kernels built: ${path.relative(root, outFile)}`);
process.exit(0);

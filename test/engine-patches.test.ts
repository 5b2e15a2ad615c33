/**
 * Importing the package and building agents and algorithms changes nothing in the tfjs engine;
 * `initBackend` applies exactly the patches listed in tensor/engine-patches.ts; training before
 * it fails with one line that says what to do. Runs in a fresh process (the other tests'
 * initBackend calls have long patched this one).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

test('no engine patch before initBackend; initBackend applies the listed ones', () => {
  const root = path.join(__dirname, '..');
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'engine-untouched.ts')], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(out.afterBuild, { reluGrad: false, matMulGrad: false, nativeGemm: false, wasmCopies: false }, 'importing and building patch nothing');
  assert.is(out.updateError, "reinforce: the tensor engine is not set up; call initBackend() (from 'glimpse-gym') before training");
  assert.is(out.backend, 'wasm');
  assert.is(out.afterInit.reluGrad, true);
  assert.is(out.afterInit.matMulGrad, true);
  assert.is(out.afterInit.wasmCopies, true);
  assert.equal(out.patches, ['gradients', 'native-gemm', 'wasm-copies']);
});

test.run();

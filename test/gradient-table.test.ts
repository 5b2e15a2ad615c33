/**
 * The tests run against the project's own gradient table, as `rl-run` does: no test may import
 * tfjs-core's complete table (`@tensorflow/tfjs-core/dist/register_all_gradients`), because uvu
 * loads every test file into one process and that import would hide a gradient the project lacks.
 * The first test fails as soon as any module of the test process has registered the full table.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerFastGradients } from '../tensor/ops';

test('an op whose gradient the project does not register fails under a gradient tape', () => {
  registerFastGradients();
  // Atan is a differentiable op that no glimpse-gym model uses, so the project registers no gradient for it.
  assert.is(tf.getGradient('Atan'), undefined, "tfjs's full gradient table was registered by some module of the test process");
  const x = tf.tensor1d([0.5, -0.25]);
  try {
    assert.throws(() => tf.grad((v: tf.Tensor) => tf.atan(v))(x), /gradient function not found for Atan/i);
  } finally {
    x.dispose();
  }
});

test('no source or test file imports the full gradient table', () => {
  const root = path.join(__dirname, '..');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(e.name) && fs.readFileSync(p, 'utf8').includes('register_all_gradients') && p !== __filename) offenders.push(path.relative(root, p));
    }
  };
  walk(root);
  assert.equal(offenders, []);
});

test.run();

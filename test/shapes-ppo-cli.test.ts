/**
 * The "done when": `rl-run --env shapes --agent ram --algo ppo` trains above chance (25%)
 * in a short run, through the real CLI and registries; and `rl-run list` shows every env, agent
 * and algorithm with one line each.
 */
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCliReal } from './helpers/cli-helpers';
import { useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('shapes-ppo-cli');
const setup = useBackendAndTempDir(test);

test('rl-run list: envs, agents and algorithms, one line each', async () => {
  const r = await runCliReal(['list']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  for (const [section, ids] of [['envs:', ['shapes', 'mnist', 'cluttered-mnist']], ['agents:', ['ram', 'random-glimpse']], ['algorithms:', ['ppo', 'reinforce', 'reinforce-no-baseline']]] as const) {
    const at = lines.indexOf(section);
    assert.ok(at >= 0, `${section} in ${r.stdout}`);
    for (const id of ids) assert.ok(lines.some((l, i) => i > at && new RegExp(`^  ${id} +\\S`).test(l)), `${id} listed under ${section}`);
  }
});

test('rl-run --env shapes --agent ram --algo ppo: 100 batches of 32 beat chance on the 2000 test images', async () => {
  const out = path.join(setup.dir, 'shapes-ppo');
  const t0 = Date.now();
  const r = await runCliReal(['--env', 'shapes', '--agent', 'ram', '--algo', 'ppo', '--epochs', '1', '--max-batches', '100', '--batch-size', '32', '--val-items', '200', '--seed', '0', '--out', out, '--backend', 'wasm', '--quiet']);
  assert.is(r.code, 0, r.stderr);
  const m = /test accuracy (\d\.\d+) error \d\.\d+ \((\d+)\/2000\)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const accuracy = Number(m![1]);
  console.log(`shapes-ppo-cli: test accuracy ${accuracy.toFixed(4)} after 100 batches, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Chance is 0.25; 0.30 is 3.6 standard errors above it on 2000 images.
  assert.ok(accuracy > 0.3, `test accuracy ${accuracy}`);
  const meta = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'best', 'checkpoint.json'), 'utf8'));
  assert.equal([meta.env.id, meta.agent.id, meta.algo.id, meta.algo.config.epochs], ['shapes', 'ram', 'ppo', 4]);
});

test.run();

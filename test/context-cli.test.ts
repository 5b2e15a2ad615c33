/**
 * The context option end to end through the real CLI and registries: `rl-run list --env` shows the
 * env's `context` kwarg, and a short cluttered-mnist run with `env.context=12` and
 * `agent.context=true` trains, validates, tests and records both options in its run and
 * checkpoint (the agent's config with the coarse view's size); without the env's view the agent
 * option is refused with one line and exit 2, before anything is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCliReal } from './helpers/cli-helpers';
import { useBackendAndTempDir } from './helpers/run-helpers';
import { loadModel } from '../runners/load-model';

const test = suite('context-cli');
const setup = useBackendAndTempDir(test);

test('rl-run list --env cluttered-mnist: every keyword option with its default, context among them', async () => {
  const r = await runCliReal(['list', '--env', 'cluttered-mnist']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^env cluttered-mnist: MNIST digit/);
  for (const line of [/^ {2}glimpses +8$/m, /^ {2}context +0$/m, /^ {2}startLocation +"center"$/m]) assert.match(r.stdout, line);
  const bad = await runCliReal(['list', '--env', 'nope']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /unknown env 'nope'; registered: mnist/);
});

test('a cluttered-mnist run with the context network trains and evaluates; its options are recorded', async () => {
  const out = path.join(setup.dir, 'ctx');
  const args = ['--env', 'cluttered-mnist', '--agent', 'ram', '--set', 'agent.context=true', '--epochs', '1', '--max-batches', '2', '--batch-size', '16', '--val-items', '32', '--test-items', '32', '--eval-samples', '2', '--backend', 'wasm', '--quiet'];
  const r = await runCliReal([...args, '--set', 'env.context=12', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /test accuracy \d\.\d+ error \d\.\d+ \(\d+\/32\)/);
  const meta = JSON.parse(fs.readFileSync(path.join(out, 'checkpoints', 'best', 'checkpoint.json'), 'utf8'));
  assert.equal(meta.env.kwargs.context, 12);
  assert.equal([meta.agent.config.context, meta.agent.config.contextSize], [true, 144]);
  const lines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.type === 'batch' && Number.isFinite(l.metrics.loss)), 'batches logged with a finite loss');
  // The library's loadModel classifies through the same env: with the view, one location per glimpse (8), none for the context step.
  const model = await loadModel(out, { backend: false });
  const image = new Uint8Array(60 * 60).map((_, i) => (i % 61 === 0 ? 255 : 0));
  const [c] = model.classify([image]);
  assert.is(c.locations.length, 8);
  assert.ok(Math.abs(c.probabilities.reduce((a, x) => a + x, 0) - 1) < 1e-4);
  model.dispose();
  const refused = await runCliReal([...args, '--out', path.join(setup.dir, 'refused')]);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /^rl-run: error: ram: context is true but the env's observations carry no 'context' view; set envKwargs\.context/m);
  assert.not.ok(fs.existsSync(path.join(setup.dir, 'refused')), 'nothing written');
});

test.run();

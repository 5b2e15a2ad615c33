/**
 * Agents and algorithms own their options; the runner knows none of them (issue 14): the run
 * config has no agent or algorithm fields, shorthand keys reach the component that declares
 * them, the run seed reaches agents as context (not as a forced option), and random-glimpse
 * builds on the glimpse-agent kit, not on RAM.
 */
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '../runners/registries';
import { makeAgent } from '../agents/registry';
import { CONFIG_KEYS, ConfigError, componentOptions, readConfigFile, resolveConfig } from '../runners/config';
import { glimpseEnvInfo } from './helpers/ram-rollout';
import { setUpBackend } from './helpers/run-helpers';
import { runCliReal } from './helpers/cli-helpers';

const ROOT = path.join(__dirname, '..');

test('the run config has no agent or algorithm fields', () => {
  for (const key of ['std', 'hidden', 'core', 'lr', 'detachLocationInput', 'clip']) assert.not.ok((CONFIG_KEYS as string[]).includes(key), key);
  const runner = ['runners/config.ts', 'runners/cli.ts', 'runners/run.ts'].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
  assert.not.match(runner, /CORES|'rnn'|'lstm'/);
});

test('shorthand keys go to the component that declares them; old configs resolve to the same options', () => {
  const c = resolveConfig({ values: { env: 'mnist', agent: 'ram', std: 0.2, hidden: '64', lr: 0.01 }, origin: 'flags' });
  assert.equal(c.agentOptions, { std: 0.2, hidden: 64 });
  assert.equal(c.algoOptions, { lr: 0.01 });
  assert.equal(componentOptions(c).agentOptions, { std: 0.2, hidden: 64 }, 'no seed forced into the agent options');
  const shipped = resolveConfig({ values: readConfigFile(path.join(ROOT, 'configs/mnist.json')), origin: 'file' });
  assert.equal(shipped.agentOptions, { std: 0.17, hidden: 256, core: 'lstm' });
  assert.equal(shipped.algoOptions, { schedule: 'cosine', decayEpochs: 100, minLr: 1e-5, reinforceWeight: 0.1, lr: 0.001 });
  assert.throws(() => resolveConfig({ values: { env: 'mnist', agent: 'random-glimpse', std: 0.2 }, origin: 'flags' }), (e: unknown) => e instanceof ConfigError && /--std is an option of agent 'ram', not of agent 'random-glimpse'/.test((e as Error).message));
});

test('the run seed reaches the agent as context; its own seed option wins', async () => {
  await setUpBackend();
  const env = glimpseEnvInfo(1, 4, 3);
  const small = { glimpseHidden: 4, locationHidden: 4, glimpseFeatures: 8, hidden: 8 };
  for (const id of ['ram', 'random-glimpse']) {
    const a = makeAgent(id, env, small, { seed: 7 });
    const b = makeAgent(id, env, { ...small, seed: 3 }, { seed: 7 });
    assert.is(a.config.seed, 7);
    assert.is(b.config.seed, 3);
    a.dispose();
    b.dispose();
  }
});

test('random-glimpse builds on the glimpse-agent kit and imports nothing from agents/ram', () => {
  const dir = path.join(ROOT, 'agents/random-glimpse');
  for (const f of fs.readdirSync(dir)) assert.not.match(fs.readFileSync(path.join(dir, f), 'utf8'), /from '\.\.\/ram/, f);
});

test('an option a component rejects leaves no run directory behind', async () => {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'component-options-'));
  try {
    const out = path.join(dir, 'run');
    const r = await runCliReal(['--env', 'shapes', '--agent', 'ram', '--set', 'env.bogus=1', '--backend', 'wasm', '--quiet', '--out', out]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /^rl-run: error: env 'shapes': unknown option 'bogus'; allowed: /);
    assert.not.ok(fs.existsSync(out), 'nothing written: a retry needs no --force');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

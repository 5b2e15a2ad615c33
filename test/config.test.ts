import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, componentOptions, resolveConfig } from '../runners/config';
import { runCli } from './helpers/cli-helpers';
import { useBackendAndTempDir } from './helpers/run-helpers';

const test = suite('config');
const setup = useBackendAndTempDir(test);

const base = ['--env', 'fake', '--agent', 'fake', '--algo', 'fake-sgd', '--backend', 'wasm', '--quiet'];

/** Asserts a bad-input run: exit 2, exactly one stderr line equal to `line`, nothing on stdout. */
async function expectBad(argv: string[], line: string | RegExp) {
  const r = await runCli(argv);
  assert.is(r.code, 2, `exit code of ${argv.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line, got: ${r.stderr}`);
  if (typeof line === 'string') assert.is(lines[0], line);
  else assert.match(lines[0], line);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

const cases: Array<[string, string[], string | RegExp]> = [
  ['unknown env id', ['--env', 'nope', '--agent', 'fake', '--algo', 'fake-sgd', '--backend', 'wasm'], "rl-run: error: unknown env 'nope' (--env); registered: fake"],
  ['unknown agent id', ['--env', 'fake', '--agent', 'nope', '--algo', 'fake-sgd', '--backend', 'wasm'], "rl-run: error: unknown agent 'nope' (--agent); registered: fake"],
  ['unknown algo id', ['--env', 'fake', '--agent', 'fake', '--algo', 'nope', '--backend', 'wasm'], "rl-run: error: unknown algorithm 'nope' (--algo); registered: fake-sgd"],
  ['unknown backend', [...base, '--backend', 'gpu'], "rl-run: error: option '--backend <name>' argument 'gpu' is invalid. Allowed choices are auto, tensorflow, wasm, cpu."],
  ['batch size 0', [...base, '--batch-size', '0'], "rl-run: error: --batch-size must be an integer in [1, 65536], got '0'"],
  ['non-numeric batch size', [...base, '--batch-size', '12abc'], "rl-run: error: --batch-size must be an integer in [1, 65536], got '12abc'"],
  ['fractional epochs', [...base, '--epochs', '1.5'], "rl-run: error: --epochs must be an integer >= 1, got '1.5'"],
  ['negative std', [...base, '--agent', 'ram', '--std', '-0.1'], "rl-run: error: --std must be a finite number > 0, got '-0.1'"],
  ['glimpses 0', [...base, '--glimpses', '0'], "rl-run: error: --glimpses must be an integer in [1, 1000], got '0'"],
  ['NaN learning rate', [...base, '--algo', 'reinforce', '--lr', 'NaN'], "rl-run: error: --lr must be a finite number > 0, got 'NaN'"],
  ['infinite learning rate', [...base, '--algo', 'ppo', '--lr', 'Infinity'], "rl-run: error: --lr must be a finite number > 0, got 'Infinity'"],
  ['negative seed', [...base, '--seed', '-1'], "rl-run: error: --seed must be an integer in [0, 4294967295], got '-1'"],
  ['bad core', [...base, '--agent', 'ram', '--core', 'gru'], "rl-run: error: option '--core <value>' argument 'gru' is invalid. Allowed choices are rnn, lstm."],
  ['unknown flag', [...base, '--batchsize', '3'], "rl-run: error: unknown option '--batchsize'"],
  ['shorthand of another agent', [...base, '--std', '0.2'], "rl-run: error: --std is an option of agent 'ram', not of agent 'fake'; see 'rl-run list --agent fake' for its options"],
  ['bad --set', [...base, '--set', 'agent.hidden'], "rl-run: error: --set 'agent.hidden' must look like agent.<option>=<value>, algo.<option>=<value> or env.<kwarg>=<value>"],
  ['bad --set value', [...base, '--agent', 'ram', '--set', 'agent.hidden=big'], "rl-run: error: --set agent.hidden must be an integer in [1, 65536], got 'big'"],
  ['misspelt agent option', [...base, '--agent', 'ram', '--set', 'agent.hiden=64'], "rl-run: error: --set agent.hiden is not an option of agent 'ram'; its options: glimpseHidden, locationHidden, glimpseFeatures, hidden, core, std, detachLocationInput, context, seed"],
  ['misspelt algorithm option', [...base, '--algo', 'ppo', '--algo-options', '{"clp": 0.1}'], "rl-run: error: --algo-options 'clp' is not an option of algorithm 'ppo'; its options: lr, schedule, decayEpochs, minLr, stepEpochs, gamma, clipNorm, beta1, beta2, epsilon, epochs, clip, minibatches, policyWeight, valueWeight, seed"],
  ['bad --agent-options JSON', [...base, '--agent-options', '{hidden: 3}'], "rl-run: error: --agent-options must be a JSON object, got '{hidden: 3}'"],
  ['missing env', ['--agent', 'fake'], "rl-run: error: --env is required (or 'env' in --config); see 'rl-run list' for the ids"],
  ['missing config file', [...base, '--config', '/nonexistent/run.json'], "rl-run: error: cannot read config file '/nonexistent/run.json': no such file"],
];
for (const [name, argv, line] of cases) test(`bad input: ${name}`, () => expectBad(argv, line));

test('bad input: invalid JSON, non-object, unknown key and bad value in --config', async () => {
  const f = (name: string, text: string) => {
    const p = path.join(setup.dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const broken = f('broken.json', '{"epochs": 2,');
  await expectBad([...base, '--config', broken], new RegExp(`^rl-run: error: config file '${broken}' is not valid JSON: `));
  const arr = f('arr.json', '[1, 2]');
  await expectBad([...base, '--config', arr], `rl-run: error: config file '${arr}' must hold a JSON object of run settings, got an array`);
  const unknown = f('unknown.json', '{"epochs": 2, "learningRate": 0.1}');
  await expectBad([...base, '--config', unknown], new RegExp(`^rl-run: error: config file '${unknown}' has unknown key 'learningRate'; allowed keys: env, agent, algo, epochs, `));
  const badValue = f('bad.json', '{"batchSize": -4}');
  await expectBad([...base, '--config', badValue], `rl-run: error: config file '${badValue}' key 'batchSize' must be an integer in [1, 65536], got -4`);
  await expectBad([...base, '--config', setup.dir], `rl-run: error: cannot read config file '${setup.dir}': it is a directory`);
});

test('config file values are used and flags win over them', () => {
  const c = resolveConfig({ values: { env: 'fake', agent: 'fake', epochs: 7 }, origin: "config file 'x'" }, { values: { epochs: '3' }, origin: 'flags' });
  assert.is(c.epochs, 3);
  assert.is(c.batchSize, 64);
  assert.equal(componentOptions(c), { envKwargs: {}, agentOptions: {}, algoOptions: {} });
  assert.throws(() => resolveConfig({ values: { env: 'fake', agent: 'fake', epochs: 0 }, origin: 'flags' }), (e: unknown) => e instanceof ConfigError && e.exitCode === 2);
});

test('--resume without a run and without --out are one-line errors', async () => {
  await expectBad([...base, '--resume'], 'rl-run: error: --resume needs --out <dir> naming the run to continue');
  const missing = path.join(setup.dir, 'no-such-run');
  await expectBad([...base, '--resume', '--out', missing], `rl-run: error: --resume: ${missing} holds no run to resume (no config.json); start it without --resume`);
});

test.run();

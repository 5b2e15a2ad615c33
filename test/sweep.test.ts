/**
 * The sweep's pure parts: expanding a sweep file into trials (ids, overrides, bad input), fitting
 * workers to cores, reading `rl-run eval`'s line, the statistics, the table and the HTML page.
 */
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../runners/config';
import { fitParallelism } from '../runners/sweep/parallelism';
import { parseQueueUrl, trialJobId } from '../runners/sweep/queue';
import { buildSweepHtml } from '../runners/sweep/report-html';
import { formatSweepTable, stat, summarizeSweep } from '../runners/sweep/results';
import { planSweep, readSweepFile } from '../runners/sweep/spec';
import { assertFolderMatches, parseEvalLine, trialPaths, type TrialResult } from '../runners/sweep/trial';
import { tempDir } from './helpers/run-helpers';

const test = suite('sweep');
const base = { env: 'shapes', agent: 'ram', epochs: 2 };
const plan = (spec: Record<string, unknown>) => planSweep(spec, { file: 'sweep.json', cwd: '/tmp/x' });

test('configs x grid x seeds: deterministic ids, dotted keys keep the other options, seeds last', () => {
  const p = plan({ base: { ...base, algoOptions: { clipNorm: 5 } }, configs: [{ algo: 'reinforce' }, { algo: 'ppo' }], grid: { lr: [0.001, 0.01], 'algoOptions.schedule': ['cosine'] }, seeds: [0, 1] });
  assert.equal(p.configs.map((c) => c.id), [
    'algo=reinforce,lr=0.001,algoOptions.schedule=cosine',
    'algo=reinforce,lr=0.01,algoOptions.schedule=cosine',
    'algo=ppo,lr=0.001,algoOptions.schedule=cosine',
    'algo=ppo,lr=0.01,algoOptions.schedule=cosine',
  ]);
  assert.is(p.trials.length, 8);
  assert.equal(p.trials.slice(0, 2).map((t) => t.id), ['algo=reinforce,lr=0.001,algoOptions.schedule=cosine-s0', 'algo=reinforce,lr=0.001,algoOptions.schedule=cosine-s1']);
  assert.equal(p.trials[1].values, { env: 'shapes', agent: 'ram', epochs: 2, algoOptions: { clipNorm: 5, schedule: 'cosine' }, algo: 'reinforce', lr: 0.001, seed: 1 });
  assert.is(p.configs[0].label, 'algo=reinforce lr=0.001 algoOptions.schedule=cosine');
  assert.is(p.dir, path.resolve('/tmp/x', 'sweeps', 'sweep'));
  assert.is(p.mcSamples, 10);
  // The same file gives the same plan.
  assert.equal(plan({ base: { ...base, algoOptions: { clipNorm: 5 } }, configs: [{ algo: 'reinforce' }, { algo: 'ppo' }], grid: { lr: [0.001, 0.01], 'algoOptions.schedule': ['cosine'] }, seeds: [0, 1] }), p);
});

test('no overrides: one configuration called base; nested overrides are labelled by dotted keys; mcSamples follows evalSamples', () => {
  const p = plan({ base: { ...base, evalSamples: 5 }, seeds: [3], out: 'elsewhere' });
  assert.equal(p.trials.map((t) => t.id), ['base-s3']);
  assert.is(p.mcSamples, 5);
  assert.is(p.dir, path.resolve('/tmp/x', 'elsewhere'));
  const q = plan({ base, configs: [{ agentOptions: { hidden: 64 } }], seeds: [0] });
  assert.is(q.configs[0].id, 'agentOptions.hidden=64');
  const long = plan({ base, configs: [{ envKwargs: { trainShift: 2, distractors: 4, dataSeed: 7, glimpses: 6, glimpseSize: 8, scales: 3 } }], seeds: [0] });
  assert.ok(long.configs[0].id.length <= 80, long.configs[0].id);
});

test('bad sweep files: one ConfigError naming the key and what is allowed', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ base, seeds: [] }, /key 'seeds' must be a non-empty list of integers/],
    [{ base, seeds: [0, 0] }, /lists a seed twice/],
    [{ base, seeds: [0], grid: { lr: [] } }, /grid key 'lr' must be a non-empty list/],
    [{ base: { ...base, seed: 3 }, seeds: [0] }, /sets 'seed', which the sweep owns \(list seeds in 'seeds'\)/],
    [{ base, seeds: [0], configs: [{ out: 'x' }] }, /configs\[0\] sets 'out', which the sweep owns/],
    [{ base, seeds: [0], grid: { 'foo.bar': [1] } }, /key 'foo.bar' is not allowed; dotted keys set one option of envKwargs, agentOptions, algoOptions/],
    [{ base, seeds: [0], grid: { lr: [-1] } }, /configuration 'lr=-1': key 'lr' must be a finite number > 0, got -1/],
    [{ base, seeds: [0], grid: { bogus: [1] } }, /unknown key 'bogus'/],
    [{ base, seeds: [0], configs: [{ lr: 0.1 }, { lr: 0.1 }] }, /two configurations are the same \(lr=0.1\)/],
    [{ base, seeds: [0], mcSamples: 0 }, /key 'mcSamples' must be an integer in \[1, 1000\]/],
    [{ base, seeds: [0], extra: 1 }, /unknown key 'extra'; allowed keys: name, out, base, grid, configs, seeds, mcSamples/],
    [{ base: 7, seeds: [0] }, /key 'base' must be an object of run settings or the path of a config file/],
    [{ base: { agent: 'ram' }, seeds: [0] }, /--env is required/],
  ];
  for (const [spec, re] of cases) {
    try {
      plan(spec);
      assert.unreachable(`no error for ${JSON.stringify(spec)}`);
    } catch (e) {
      assert.instance(e, ConfigError, String(e));
      assert.match((e as Error).message, re);
      assert.not.match((e as Error).message, /\n/);
    }
  }
});

test('readSweepFile: base as a config file next to the sweep file; unreadable and invalid files are named', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(path.join(dir, 'base.json'), JSON.stringify(base));
    fs.writeFileSync(path.join(dir, 's.json'), JSON.stringify({ base: 'base.json', seeds: [1] }));
    const p = readSweepFile(path.join(dir, 's.json'), { cwd: dir });
    assert.is(p.name, 's');
    assert.equal(p.trials[0].values, { ...base, seed: 1 });
    fs.writeFileSync(path.join(dir, 'bad.json'), '{');
    assert.throws(() => readSweepFile(path.join(dir, 'bad.json')), /^sweep file '.*bad.json' is not valid JSON/);
    assert.throws(() => readSweepFile(path.join(dir, 'none.json')), /^cannot read sweep file '.*none.json': no such file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a sweep folder started with other settings is refused; the same settings in another key order are not', () => {
  const dir = tempDir();
  try {
    const p = planSweep({ base: { ...base, algoOptions: { clipNorm: 5, schedule: 'cosine' } }, seeds: [0, 1] }, { file: 's.json', out: dir });
    assertFolderMatches(dir, p.trials); // nothing started yet
    const file = trialPaths(dir, 'base-s0').config;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ seed: 0, algoOptions: { schedule: 'cosine', clipNorm: 5 }, epochs: 2, agent: 'ram', env: 'shapes' }));
    assertFolderMatches(dir, p.trials);
    fs.writeFileSync(file, JSON.stringify({ ...p.trials[0].values, epochs: 3 }));
    assert.throws(() => assertFolderMatches(dir, p.trials), (e: Error) => e instanceof ConfigError && /^sweep folder .* holds trial base-s0 run with other settings \('epochs' was 3, the sweep file now gives 2\); give the sweep another --out \(or out\) or delete that folder$/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fitParallelism: runs x GEMM threads fit the cores', () => {
  assert.equal(fitParallelism({}, 8), { workers: 8, threads: 1 });
  assert.equal(fitParallelism({ threads: 2 }, 8), { workers: 4, threads: 2 });
  assert.equal(fitParallelism({ workers: 2 }, 8), { workers: 2, threads: 2 });
  assert.equal(fitParallelism({ workers: 8 }, 2), { workers: 8, threads: 1 });
  assert.equal(fitParallelism({ threads: 4 }, 2), { workers: 1, threads: 4 });
});

test('parseEvalLine reads the counts and the mode of rl-run eval', () => {
  assert.equal(parseEvalLine('test accuracy 0.2865 error 0.7135 (573/2000, greedy) checkpoint r1/checkpoints/best epoch 1 backend wasm\n'), { correct: 573, total: 2000, samples: 0 });
  assert.equal(parseEvalLine('x\ntest accuracy 0.2825 error 0.7175 (565/2000, 4 samples) checkpoint c\n'), { correct: 565, total: 2000, samples: 4 });
  assert.is(parseEvalLine('val accuracy 0.2 error 0.8 (2/10, greedy)'), null);
});

test('queue: Redis URLs only; job ids differ per sweep folder and hold no colon', () => {
  assert.is(parseQueueUrl('redis://h:6379'), 'redis://h:6379');
  assert.throws(() => parseQueueUrl('http://h:6379'), /--queue must be a Redis URL like redis:\/\/host:6379/);
  assert.throws(() => parseQueueUrl('h:6379'), /--queue must be a Redis URL/);
  assert.not.equal(trialJobId('/a/s', 'base-s0'), trialJobId('/b/s', 'base-s0'));
  assert.not.match(trialJobId('/a/s', 'x:y-s0'), ':');
});

function result(configId: string, seed: number, val: number, greedy: number, mc: number, secs: number): TrialResult {
  return { id: `${configId}-s${seed}`, configId, label: configId, seed, epochs: 2, bestEpoch: 2, bestValAccuracy: val, testTotal: 100, testErrorGreedy: greedy, testErrorMC: mc, mcSamples: 4, trainSeconds: secs, attemptSeconds: secs + 1, valCurve: [[1, val / 2], [2, val]], host: 'h' };
}

test('stat: mean and sample std; the table and the page per configuration', () => {
  assert.equal(stat([]), { mean: null, std: null, n: 0 });
  assert.equal(stat([2]), { mean: 2, std: null, n: 1 });
  const s = stat([1, 2, 3, 4]);
  assert.is(s.mean, 2.5);
  assert.ok(Math.abs(s.std! - Math.sqrt(5 / 3)) < 1e-12);
  const p = plan({ base, configs: [{ lr: 0.1 }, { lr: 0.2 }], seeds: [0, 1], mcSamples: 4 });
  const r = summarizeSweep(p, [result('lr=0.1', 0, 0.5, 0.4, 0.3, 10), result('lr=0.1', 1, 0.7, 0.2, 0.1, 12), result('lr=0.2', 0, 0.6, 0.5, 0.45, 11)], [{ id: 'lr=0.2-s1', error: 'training exited with code 1' }]);
  assert.is(r.complete, false);
  assert.equal(r.configs.map((c) => [c.finished, c.planned]), [[2, 2], [1, 2]]);
  const table = formatSweepTable(r);
  const lines = table.trimEnd().split('\n');
  assert.match(lines[0], /^config\s+seeds\s+val acc %\s+greedy err %\s+MC4 err %\s+train s$/);
  assert.match(lines[2], /^lr=0\.1\s+2\/2\s+60\.00 ± 14\.14\s+30\.00 ± 14\.14\s+20\.00 ± 14\.14\s+11\.0 ± 1\.4$/);
  assert.match(lines[3], /^lr=0\.2\s+1\/2\s+60\.00\s+50\.00\s+45\.00\s+11\.0$/);
  assert.is(lines[4], 'FAILED lr=0.2-s1: training exited with code 1');
  const html = buildSweepHtml(r);
  assert.match(html, '<td>lr=0.1</td><td>2/2</td><td>60.00 ± 14.14</td>');
  assert.match(html, 'Incomplete: 3 of 4 trials finished, 1 failed');
  assert.match(html, '<svg xmlns="http://www.w3.org/2000/svg"');
  assert.match(html, '>lr=0.2</text>');
  assert.not.match(html, /NaN|undefined/);
});

test.run();

/**
 * End to end, as a user: a throwaway npm package outside the repository that depends on
 * glimpse-gym (`file:`), with the guides' own files (examples/: an env, an agent, an algorithm
 * and an API script) as its sources. It type-checks with `skipLibCheck: false`, trains through
 * the real `rl-run` with `--require`, runs `eval` and `viz` on the run without repeating the
 * flags (the run recorded them), says exactly which module is missing when one is gone, and
 * trains and classifies through the library API.
 *
 * The CLI under test is the built one (dist/), as a user gets it; a stale dist/ is rebuilt first.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = path.join(__dirname, '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const test = suite('user-package');
let pkg = '';

/** Newest modification time of the TypeScript sources the build compiles. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.') || e.name === 'examples') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Runs `rl-run` of the package (node_modules/.bin) in it; exit code and output. */
function rlRun(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(pkg, 'node_modules', '.bin', 'rl-run'), ...args], { cwd: pkg, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test.before(() => {
  const built = path.join(ROOT, 'dist', 'index.js');
  if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < newestSource(ROOT)) execFileSync(process.execPath, [TSC, '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'glimpse-user-'));
  fs.mkdirSync(path.join(pkg, 'src'));
  for (const f of fs.readdirSync(path.join(ROOT, 'examples'))) fs.copyFileSync(path.join(ROOT, 'examples', f), path.join(pkg, 'src', f));
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'my-glimpse-project', private: true, dependencies: { 'glimpse-gym': `file:${ROOT}` } }, null, 2));
  // What `npm install` makes of a file: dependency (a link, and the bin), made directly so the
  // test needs no registry. The dependencies' types come from the repository's node_modules.
  fs.mkdirSync(path.join(pkg, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(pkg, 'node_modules', 'glimpse-gym'), 'dir');
  fs.symlinkSync(path.join('..', 'glimpse-gym', 'bin', 'rl-run.js'), path.join(pkg, 'node_modules', '.bin', 'rl-run'));
  fs.writeFileSync(path.join(pkg, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'commonjs', strict: true, skipLibCheck: false, esModuleInterop: true,
      rootDir: 'src', outDir: 'dist', typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    },
    include: ['src'],
  }));
});

test.after(() => {
  if (pkg) fs.rmSync(pkg, { recursive: true, force: true });
});

test('the package type-checks against the published declarations with skipLibCheck false', () => {
  const r = spawnSync(process.execPath, [TSC, '-p', path.join(pkg, 'tsconfig.json')], { cwd: pkg, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(fs.existsSync(path.join(pkg, 'dist', 'gru-agent.js')));
});

test('rl-run --require trains its env and agent; eval, viz and list find them through the run', () => {
  const list = rlRun(['list', '--require', './dist/gru-agent.js', '--agent', 'gru']);
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stdout, /^agent gru: GRU-core/m);
  assert.match(list.stdout, /^\s+std\s+std of the Gaussian location policy \(a finite number > 0; default 0\.17; also --std\)$/m);

  const trained = rlRun(['--require', './dist/quadrant-env.js', '--require', './dist/gru-agent.js', '--env', 'quadrant', '--agent', 'gru', '--std', '0.2', '--set', 'agent.hidden=64',
    '--epochs', '1', '--max-batches', '8', '--batch-size', '32', '--backend', 'wasm', '--quiet', '--out', 'runs/gru']);
  assert.is(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^test accuracy [\d.]+ error [\d.]+ \(\d+\/200\)$/m);
  const config = JSON.parse(fs.readFileSync(path.join(pkg, 'runs/gru/config.json'), 'utf8'));
  assert.equal(config.require, ['./dist/quadrant-env.js', './dist/gru-agent.js']);
  assert.equal(config.agentOptions, { std: 0.2, hidden: 64 });

  const evaluated = rlRun(['eval', '--checkpoint', 'runs/gru', '--backend', 'wasm']);
  assert.is(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /^test accuracy [\d.]+ error [\d.]+ \(\d+\/200, greedy\)/);
  const pictured = rlRun(['viz', '--checkpoint', 'runs/gru', '--count', '4', '--backend', 'wasm']);
  assert.is(pictured.code, 0, pictured.stderr);
  assert.ok(fs.existsSync(path.join(pkg, 'runs/gru/viz/report.html')));
  const resumed = rlRun(['--out', 'runs/gru', '--resume', '--epochs', '2', '--backend', 'wasm', '--quiet']);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /run completed after epoch 2/);

  // A recorded module that is gone: one line naming it, exit 2.
  fs.renameSync(path.join(pkg, 'dist', 'gru-agent.js'), path.join(pkg, 'dist', 'gru-agent.moved.js'));
  try {
    const missing = rlRun(['eval', '--checkpoint', 'runs/gru', '--backend', 'wasm']);
    assert.is(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^rl-run: error: checkpoint runs\/gru\/checkpoints\/best needs agent 'gru', which is not registered; its module '\.\/dist\/gru-agent\.js' \(recorded in checkpoint runs\/gru\/checkpoints\/best\) is not found from .*: run from the directory it was trained in, or pass --require <path to that module>\n$/, missing.stderr);
    const given = rlRun(['eval', '--checkpoint', 'runs/gru', '--backend', 'wasm', '--require', './dist/gru-agent.moved.js']);
    assert.is(given.code, 0, given.stderr);
  } finally {
    fs.renameSync(path.join(pkg, 'dist', 'gru-agent.moved.js'), path.join(pkg, 'dist', 'gru-agent.js'));
  }
  const bad = rlRun(['--require', './dist/nope.js', '--env', 'quadrant', '--agent', 'gru']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /^rl-run: error: --require '\.\/dist\/nope\.js': no such file \(looked for .*nope\.js\)\n$/);
});

test("a user's algorithm trains a built-in agent on the user's env", () => {
  const r = rlRun(['--require', './dist/quadrant-env.js', '--require', './dist/normalized-reinforce.js', '--env', 'quadrant', '--agent', 'ram', '--algo', 'normalized-reinforce',
    '--set', 'algo.policyWeight=0.05', '--lr', '0.002', '--hidden', '32', '--epochs', '1', '--max-batches', '5', '--batch-size', '32', '--backend', 'wasm', '--quiet', '--out', 'runs/nr']);
  assert.is(r.code, 0, r.stderr);
  const config = JSON.parse(fs.readFileSync(path.join(pkg, 'runs/nr/config.json'), 'utf8'));
  assert.equal(config.algoOptions, { policyWeight: 0.05, lr: 0.002 });
  const metrics = fs.readFileSync(path.join(pkg, 'runs/nr/metrics.jsonl'), 'utf8');
  assert.match(metrics, /"type":"batch".*"policy":/);
});

test('the library API trains, writes the run directory and classifies images', () => {
  const r = spawnSync(process.execPath, ['dist/train-and-classify.js'], { cwd: pkg, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^run completed after epoch 1, test accuracy/m);
  assert.is(r.stdout.match(/^label [0-3] p=[\d.]+ glimpses at (\(-?[\d.]+, -?[\d.]+\) ?){3}$/gm)?.length, 3, r.stdout);
  for (const f of ['config.json', 'metrics.jsonl', 'summary.json', 'checkpoints/best/checkpoint.json']) assert.ok(fs.existsSync(path.join(pkg, 'runs/api-quadrant-gru', f)), f);
});

test.run();

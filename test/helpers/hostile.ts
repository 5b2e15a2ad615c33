/**
 * Shared by the hostile-input tests and the fuzz suite: a tiny real run (shapes env, a small RAM)
 * made once, hashing a run directory, copying it, and running CLI cases in a child process
 * (for the cases that could block or exhaust a process) with a timeout and its peak RSS.
 */
import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { runCliReal } from './cli-helpers';

const ROOT = path.join(__dirname, '..', '..');

/** Flags of a tiny real run: 2 batches of 16 on shapes with a RAM of about 6k weights (seconds to train). */
export function tinyRunArgs(out: string, configFile: string): string[] {
  return ['--env', 'shapes', '--agent', 'ram', '--epochs', '1', '--max-batches', '2', '--train-items', '32', '--val-items', '16', '--batch-size', '16', '--hidden', '16', '--config', configFile, '--quiet', '--backend', 'wasm', '--out', out];
}

/** Makes the tiny run in `dir/base` (once per test file) and returns its path. */
export async function makeTinyRun(dir: string): Promise<string> {
  const cfg = path.join(dir, 'tiny.json');
  fs.writeFileSync(cfg, JSON.stringify({ agentOptions: { glimpseHidden: 8, locationHidden: 8, glimpseFeatures: 16 } }));
  const base = path.join(dir, 'base');
  const r = await runCliReal(tinyRunArgs(base, cfg));
  if (r.code !== 0) throw new Error(`tiny run failed: ${r.stderr}`);
  return base;
}

/** sha256 of every file under `dir` (relative path -> hash; symlinks by their target), sorted. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) walk(p);
      else if (st.isFile()) out[rel] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      else out[rel] = 'special';
    }
  };
  walk(dir);
  return out;
}

/** Copies a run directory (regular files and directories only). */
export function copyRun(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** Rewrites a checkpoint's `checkpoint.json` through `edit`. */
export function editMeta(checkpointDir: string, edit: (meta: Record<string, any>) => void): void {
  const f = path.join(checkpointDir, 'checkpoint.json');
  const meta = JSON.parse(fs.readFileSync(f, 'utf8'));
  edit(meta);
  fs.writeFileSync(f, JSON.stringify(meta, null, 2));
}

/** Writes a NaN into `file` of a checkpoint at float `index` and fixes the manifest's sha256. */
export function poisonBin(checkpointDir: string, file: 'weights.bin' | 'optimizer.bin', index: number, value = NaN): void {
  const bin = path.join(checkpointDir, file);
  const buf = fs.readFileSync(bin);
  buf.writeFloatLE(value, 4 * index);
  fs.writeFileSync(bin, buf);
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  editMeta(checkpointDir, (m) => (m[file === 'weights.bin' ? 'weights' : 'optimizer'].sha256 = sha));
}

/** One CLI case for {@link runCasesInChild}. */
export interface ChildCase {
  name: string;
  argv: string[];
  env?: Record<string, string>;
}

/** What a child reported for one case. */
export interface ChildResult {
  name: string;
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `cases` in one child process (test/helpers/cli-cases-child.ts, see there) with an overall
 * timeout. Resolves with each case's result, the child's peak RSS, and the case it was stuck in
 * when the timeout killed it (or null).
 */
export function runCasesInChild(cases: ChildCase[], dir: string, timeoutMs: number): Promise<{ results: ChildResult[]; maxRssKiB: number | null; hung: string | null; stderr: string }> {
  const file = path.join(dir, `cases-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(cases));
  const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'test', 'helpers', 'cli-cases-child.ts'), file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const results = lines.filter((l) => 'code' in l) as ChildResult[];
      const begun = lines.filter((l) => 'begin' in l).map((l) => l.begin as string);
      const rss = lines.find((l) => 'maxRssKiB' in l);
      const hung = timedOut || !rss ? begun[begun.length - 1] ?? '(start-up)' : null;
      resolve({ results, maxRssKiB: rss ? rss.maxRssKiB : null, hung, stderr: err });
    });
  });
}

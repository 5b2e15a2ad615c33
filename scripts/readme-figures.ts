/**
 * Keeps the README's figures equal to what the commands print. Each figure is a region of
 * README.md between `<!-- figure:NAME -->` and `<!-- /figure:NAME -->`; this script runs the
 * region's command(s) the way a user would (the real `rl-run` CLI in a child process, in a
 * temporary directory) and rewrites the region from their output.
 *
 *   npm run readme-figures                 # run every figure's commands, rewrite README.md
 *   npm run readme-figures -- quick-start  # only the named figures
 *   npm run readme-figures -- --check      # run them and exit 1 if README.md differs (no write)
 *
 * Model evaluations are read from the records `rl-run eval --record` keeps beside each shipped
 * model (`models/<task>/eval-test.json`: the command, its output and the weights' sha256); a
 * record that is missing or belongs to other weights is measured again (`--fresh`: always).
 * Evaluation is seeded, so a record is what the command prints. Times depend on the machine and
 * on what else runs on it; the text says so next to them.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const readme = path.join(root, 'README.md');
const cli = path.join(root, 'runners', 'cli.ts');

interface Ran {
  stdout: string;
  stderr: string;
  wallSeconds: number;
}

/** Runs `rl-run ...args` as a user would (a child process; progress off, since nobody watches). */
function rlRun(args: string[], cwd: string): Ran {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), cli, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallSeconds = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`rl-run ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  return { stdout: r.stdout, stderr: r.stderr, wallSeconds };
}

function line(out: string, re: RegExp, what: string): RegExpMatchArray {
  const m = out.match(re);
  if (!m) throw new Error(`no ${what} in the output:\n${out}`);
  return m;
}

const MACHINE = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${os.loadavg()[0].toFixed(1)} when the script started`;

/** Trains mnist for `epochs` epochs in a temp dir; returns the summary figures. */
function trainMnist(epochs: number) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-figures-'));
  try {
    const r = rlRun(['--env', 'mnist', '--agent', 'ram', '--epochs', String(epochs), '--quiet'], tmp);
    const test = line(r.stdout, /^test accuracy \S+ error \S+ \(\d+\/\d+\)$/m, 'test accuracy line')[0];
    const perEpoch = Number(line(r.stdout, /([\d.]+) s\/epoch/, 'seconds per epoch')[1]);
    const summary = JSON.parse(fs.readFileSync(path.join(tmp, 'runs', 'mnist-ram-reinforce-s0', 'summary.json'), 'utf8'));
    return { test, perEpoch, wall: r.wallSeconds, testAccuracy: summary.testAccuracy as number };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The test record of a shipped model, measured now when missing, stale or `fresh` (with
 * `measure` false a missing or stale record is an error instead: the tests use that).
 */
function modelRecord(task: string, fresh: boolean, measure = true): { accuracy: number; error: number; samples: number } {
  const dir = path.join(root, 'models', task);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8'));
  const sha = crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, 'weights.bin'))).digest('hex');
  if (sha !== meta.weights.sha256) throw new Error(`models/${task}/weights.bin does not match its checkpoint.json`);
  const file = path.join(dir, 'eval-test.json');
  const current = () => fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).weightsSha256 === sha;
  if (!measure && !current()) throw new Error(`models/${task}/eval-test.json is missing or was measured on other weights; run npm run readme-figures -- model-evals`);
  if (fresh || !current()) {
    process.stderr.write(`readme-figures: rl-run eval --checkpoint models/${task} --record\n`);
    rlRun(['eval', '--checkpoint', `models/${task}`, '--record', '--quiet'], root);
  }
  if (!current()) throw new Error(`models/${task}/eval-test.json was not written for these weights`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Options of a figure's render. */
interface RenderOptions {
  /** Measure again even when a current record exists. */
  fresh: boolean;
  /** False: never run a command; use records only (throws when one is missing). */
  measure: boolean;
}

interface Figure {
  name: string;
  render(o: RenderOptions): string;
}

/** The figures, by region name. */
export const FIGURES: Figure[] = [
  {
    name: 'quick-start',
    render() {
      const one = trainMnist(1);
      const ten = trainMnist(10);
      return [
        `Measured by \`npm run readme-figures\` on ${MACHINE}; the machine is shared with other jobs, so`,
        `the times are noisy (the accuracies are not: runs are seeded).`,
        `\`npx rl-run --env mnist --agent ram --epochs 1\` trained one epoch (859 batches of 64) in`,
        `${one.perEpoch.toFixed(1)} s and printed \`${one.test}\`, ${one.wall.toFixed(1)} s wall clock in all;`,
        `\`npx rl-run --env mnist --agent ram --epochs 10\` reached ${(100 * ten.testAccuracy).toFixed(2)}% test accuracy at ${ten.perEpoch.toFixed(1)} s per epoch.`,
      ].join('\n');
    },
  },
  {
    name: 'model-evals',
    render({ fresh, measure }) {
      const tasks = ['mnist', 'translated-mnist', 'cluttered-mnist', 'cluttered-mnist-100'];
      const cmds = tasks.map((t) => `npx rl-run eval --checkpoint models/${t}`);
      const w = Math.max(...cmds.map((c) => c.length)) + 2;
      const lines = tasks.map((t, i) => {
        const r = modelRecord(t, fresh, measure);
        return `${cmds[i].padEnd(w)}# test accuracy ${r.accuracy.toFixed(4)} error ${r.error.toFixed(4)} (${r.samples ? `${r.samples} samples` : 'greedy'})`;
      });
      return ['```sh', ...lines, '```'].join('\n');
    },
  },
];

/** The body of region `name` in `text` (throws when the markers are missing). */
export function regionBody(text: string, name: string): string {
  const open = `<!-- figure:${name} -->`, close = `<!-- /figure:${name} -->`;
  const a = text.indexOf(open), b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`README.md has no region ${open} ... ${close}`);
  return text.slice(a + open.length, b).replace(/^\n/, '').replace(/\n$/, '');
}

/** Replaces the body of region `name` in `text` (throws when the markers are missing). */
export function replaceRegion(text: string, name: string, body: string): string {
  const open = `<!-- figure:${name} -->`, close = `<!-- /figure:${name} -->`;
  const a = text.indexOf(open), b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`README.md has no region ${open} ... ${close}`);
  return text.slice(0, a + open.length) + '\n' + body + '\n' + text.slice(b);
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const fresh = argv.includes('--fresh');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !FIGURES.some((f) => f.name === n));
  if (unknown.length) {
    process.stderr.write(`readme-figures: unknown figure '${unknown[0]}'; figures: ${FIGURES.map((f) => f.name).join(', ')}\n`);
    return 2;
  }
  const bodies: Array<[string, string]> = [];
  for (const f of FIGURES.filter((f) => names.length === 0 || names.includes(f.name))) {
    process.stderr.write(`readme-figures: ${f.name} ...\n`);
    bodies.push([f.name, f.render({ fresh, measure: true })]);
  }
  // Read the README only now: the commands take minutes, and it may have been edited meanwhile.
  const before = fs.readFileSync(readme, 'utf8');
  let text = before;
  for (const [name, body] of bodies) text = replaceRegion(text, name, body);
  if (check) {
    // Times and load differ from run to run; the check compares everything else.
    const stable = (t: string) => t.replace(/\d+(\.\d+)? s\b/g, 'N s').replace(/load average [\d.]+/g, 'load average N');
    if (stable(text) !== stable(before)) {
      process.stderr.write('readme-figures: README.md differs from what the commands print now; run npm run readme-figures\n');
      return 1;
    }
    process.stderr.write('readme-figures: README.md matches\n');
    return 0;
  }
  if (text !== before) fs.writeFileSync(readme, text);
  process.stderr.write(`readme-figures: README.md ${text === before ? 'unchanged' : 'updated'}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

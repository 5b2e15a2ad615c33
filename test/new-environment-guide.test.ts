/**
 * docs/new-environment.md cannot rot: each of its ```ts file=PATH blocks must equal that file of
 * the repository byte for byte (those files are type-checked by `npm test` and tested by
 * shapes-env and shapes-ppo-cli), and the worked example stays well under 100 lines.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs/new-environment.md'), 'utf8');

/** The `file=` blocks of the guide: path and body. */
function fileBlocks(md: string): Array<{ file: string; body: string }> {
  const out: Array<{ file: string; body: string }> = [];
  const re = /^```ts file=(\S+)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ file: m[1], body: m[2] });
  return out;
}

test('every file block is the named file, verbatim', () => {
  const blocks = fileBlocks(GUIDE);
  assert.equal(blocks.map((b) => b.file), ['envs/tasks/shapes-source.ts', 'envs/tasks/shapes.ts']);
  for (const b of blocks) assert.fixture(b.body, fs.readFileSync(path.join(ROOT, b.file), 'utf8'));
});

test('the example is a complete env in well under 100 lines, registered and imported', () => {
  const lines = fileBlocks(GUIDE).reduce((n, b) => n + b.body.split('\n').length - 1, 0);
  assert.ok(lines < 100, `${lines} lines`);
  assert.ok(GUIDE.includes(`${lines} lines`), `the guide states the line count (${lines})`);
  assert.match(fs.readFileSync(path.join(ROOT, 'envs/tasks/index.ts'), 'utf8'), /import '\.\/shapes';/);
  assert.match(GUIDE, /rl-run --env shapes --agent ram --algo ppo/);
});

test.run();

/**
 * docs/new-agent.md and docs/new-algorithm.md cannot rot: each ```ts file=examples/... block is
 * that file of the repository byte for byte (test/user-package.test.ts type-checks and trains
 * those files from a throwaway package), the stated line counts are right, and the commands the
 * guides show use the ids the examples register.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

function fileBlocks(md: string): Array<{ file: string; body: string }> {
  const out: Array<{ file: string; body: string }> = [];
  const re = /^```ts file=(\S+)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ file: m[1], body: m[2] });
  return out;
}

for (const [guide, file, id, flag] of [
  ['docs/new-agent.md', 'examples/gru-agent.ts', 'gru', '--agent'],
  ['docs/new-algorithm.md', 'examples/normalized-reinforce.ts', 'normalized-reinforce', '--algo'],
] as const) {
  test(`${guide} shows ${file} verbatim and trains '${id}' with --require`, () => {
    const md = fs.readFileSync(path.join(ROOT, guide), 'utf8');
    const blocks = fileBlocks(md);
    assert.equal(blocks.map((b) => b.file), [file]);
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    assert.fixture(blocks[0].body, source);
    assert.ok(md.includes(`(${source.split('\n').length - 1} lines)`), 'the guide states the line count');
    assert.match(source, new RegExp(`register(Agent|Algorithm)\\('${id}'`));
    assert.ok(md.includes(`npx rl-run --require ./dist/${path.basename(file, '.ts')}.js`) && md.includes(`${flag} ${id}`), 'the guide shows the --require command');
  });
}

test.run();

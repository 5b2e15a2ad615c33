/**
 * The README's figures come from scripts/readme-figures.ts: every region it fills exists, and the
 * shipped models' evaluation lines equal their `eval-test.json` records (what `rl-run eval` printed
 * for those weights). Running the training commands is `npm run readme-figures`, not a test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIGURES, regionBody, replaceRegion } from '../scripts/readme-figures';

const test = suite('readme-figures');
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

test('every figure has its region in README.md, filled', () => {
  for (const f of FIGURES) {
    const body = regionBody(readme, f.name);
    assert.ok(body.trim().length > 0 && !body.includes('written by'), `${f.name} is filled`);
  }
  assert.match(regionBody(readme, 'quick-start'), /noisy/, 'times are marked as noisy');
});

test("the models' evaluation lines are their eval-test.json records", () => {
  const f = FIGURES.find((x) => x.name === 'model-evals')!;
  assert.is(regionBody(readme, 'model-evals'), f.render({ fresh: false, measure: false }));
});

test('replaceRegion keeps the rest of the text; a missing region is an error', () => {
  const t = 'a\n<!-- figure:x -->\nold\n<!-- /figure:x -->\nb\n';
  assert.is(replaceRegion(t, 'x', 'new'), 'a\n<!-- figure:x -->\nnew\n<!-- /figure:x -->\nb\n');
  assert.throws(() => replaceRegion(t, 'y', 'z'), /no region <!-- figure:y -->/);
});

test.run();

/**
 * docs/envs.md's own-images example cannot rot: its `my-shapes.ts` block, run as written (only the
 * package import pointed at this checkout), registers a task with separate train, validation and
 * test images that passes checkEnv and trains through `train()` with the split sizes it gave.
 */
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unregister } from '../envs/registry';
import { resolveConfig } from '../runners/config';
import type { EvalEvent } from '../runners/events';
import { train } from '../runners/run';
import { allEvents, setUpBackend, tempDir } from './helpers/run-helpers';

const ROOT = path.join(__dirname, '..');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs/envs.md'), 'utf8');

test('the my-shapes.ts example registers, passes checkEnv and trains with its validation and test images', async () => {
  const m = /^```ts file=my-shapes\.ts\n([\s\S]*?)^```$/m.exec(GUIDE);
  assert.ok(m, 'docs/envs.md has a ```ts file=my-shapes.ts block');
  const dir = tempDir('envs-guide-');
  try {
    const file = path.join(dir, 'my-shapes.ts');
    fs.writeFileSync(file, m![1].replace("from 'glimpse-gym'", `from ${JSON.stringify(path.join(ROOT, 'index'))}`));
    require(file); // registers my-shapes and runs checkEnv
    const backend = await setUpBackend();
    const out = path.join(dir, 'run');
    const config = resolveConfig({ values: { env: 'my-shapes', agent: 'ram', epochs: 1, batchSize: 32, maxBatches: 10, out, backend: 'wasm', quiet: true }, origin: 'code' });
    const events = await allEvents(train(config, { backend }));
    const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
    assert.equal(evals.map((e) => [e.split, e.total]), [['val', 300], ['test', 300]]);
    for (const f of ['config.json', 'metrics.jsonl', 'summary.json', 'checkpoints/last/checkpoint.json']) assert.ok(fs.existsSync(path.join(out, f)), `train() wrote ${f}`);
  } finally {
    unregister('my-shapes');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();

/**
 * Long memory soak (`npm run soak`, not part of `npm test`): 6000 training batches of the fake
 * setup with sampled evaluation and a checkpoint per epoch; numTensors must stay exactly flat and
 * RSS within a small bound.
 */
import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeComponents } from '../helpers/fakes';
import { fakeConfig, useBackendAndTempDir } from '../helpers/run-helpers';
import { soak } from '../helpers/soak';

const test = suite('soak: fake, 6000 batches');
const setup = useBackendAndTempDir(test);

test('numTensors flat and RSS bounded over 6000 batches', async () => {
  const cfg = fakeConfig(path.join(setup.dir, 'soak'), { epochs: 60, batchSize: 16, evalSamples: 2, envKwargs: { items: 1600 } });
  const r = await soak(cfg, fakeComponents(), setup.backend);
  assert.is(r.batches, 6000);
  const steady = r.tensors.slice(10);
  assert.is(Math.max(...steady) - Math.min(...steady), 0);
  assert.is(r.tensorsAfter, r.tensorsBefore);
  const growth = r.rssMb[r.rssMb.length - 1] - r.rssMb[100];
  console.log(`soak: ${r.batches} batches, numTensors ${steady[0]}, RSS ${r.rssMb[100].toFixed(1)} -> ${r.rssMb[r.rssMb.length - 1].toFixed(1)} MiB`);
  assert.ok(growth < 48, `RSS grew ${growth.toFixed(1)} MiB`);
});

test.run();

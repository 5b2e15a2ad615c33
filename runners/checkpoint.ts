/**
 * Checkpoint directories: `checkpoint.json` (format version, env/agent/algorithm ids and configs,
 * run config, counters, RNG state, best validation accuracy, metric summary and the manifests of
 * the binary files), `weights.bin` and `optimizer.bin` (raw little-endian float32, laid out by the
 * manifests). Written with a directory swap so a crash mid-write keeps the previous checkpoint;
 * every way a directory can be bad on load gives one clear line.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { NamedWeights } from '../agents/agent';
import type { AlgorithmState } from '../algorithms/algorithm';
import { rngStateProblem, type RngState } from '../envs/rng';
import { MAX_JSON_BYTES, readRegularFile, readRegularTextFile } from '../io/safe-read';
import { backupDirName, replaceDirAtomic, writeFileSynced } from './atomic-write';
import type { JsonValue } from './events';

/** Version of the on-disk layout; bumped on incompatible changes. */
export const CHECKPOINT_FORMAT = 1;

/** Where one named array lives in a `.bin` file (offset and length in float32 elements). */
export interface ManifestEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Layout and integrity data of one `.bin` file. */
export interface BinManifest {
  file: string;
  byteLength: number;
  sha256: string;
  entries: ManifestEntry[];
}

/** Training progress saved with a checkpoint. */
export interface Counters {
  /** Last completed epoch. */
  epoch: number;
  /** Updates done so far. */
  step: number;
  /** Training episodes run so far. */
  episodes: number;
}

/** Everything in `checkpoint.json` except the manifests. */
export interface CheckpointInfo {
  env: { id: string; kwargs: Record<string, unknown> };
  agent: { id: string; config: Record<string, unknown> };
  algo: { id: string; config: Record<string, unknown> };
  /** The resolved run config. */
  run: { [key: string]: JsonValue };
  counters: Counters;
  rng: RngState;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Summary numbers (last epoch's mean metrics, validation accuracy ...). */
  metrics: Record<string, number>;
  /** Optimizer scalars (step count, learning rate ...). */
  optimizerScalars: Record<string, number>;
}

/** The parsed `checkpoint.json`. */
export interface CheckpointMeta extends CheckpointInfo {
  format: number;
  createdAt: string;
  weights: BinManifest;
  optimizer: BinManifest;
}

/** A checkpoint read back from disk. */
export interface LoadedCheckpoint {
  dir: string;
  meta: CheckpointMeta;
  weights: NamedWeights;
  optimizer: AlgorithmState;
}

/** A checkpoint directory that cannot be used; `exitCode` 2 (bad input). */
export class CheckpointError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Refusal to save weights that are NaN or infinite (the previous checkpoint is kept). */
export class NonFiniteWeightsError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteWeightsError';
  }
}

/** Names the first non-finite value of `weights`, or returns null when all are finite. */
export function findNonFinite(weights: NamedWeights): string | null {
  for (const [name, w] of Object.entries(weights)) {
    for (let i = 0; i < w.data.length; i++) if (!Number.isFinite(w.data[i])) return `${name}[${i}] = ${w.data[i]}`;
  }
  return null;
}

function packBin(file: string, weights: NamedWeights): { bytes: Uint8Array; manifest: BinManifest } {
  const entries: ManifestEntry[] = [];
  let total = 0;
  for (const [name, w] of Object.entries(weights)) {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (size !== w.data.length) throw new Error(`weight '${name}' has ${w.data.length} values but shape [${w.shape.join(', ')}] needs ${size}`);
    entries.push({ name, shape: [...w.shape], offset: total, length: size });
    total += size;
  }
  const all = new Float32Array(total);
  for (const e of entries) all.set(weights[e.name].data, e.offset);
  const bytes = new Uint8Array(all.buffer);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  return { bytes, manifest: { file, byteLength: bytes.byteLength, sha256, entries } };
}

/**
 * Writes a complete checkpoint to `dir`, replacing any previous one atomically. Throws
 * {@link NonFiniteWeightsError} (writing nothing) when a weight or optimizer value is NaN/Inf.
 */
export function saveCheckpoint(dir: string, info: CheckpointInfo, weights: NamedWeights, optimizer: NamedWeights): void {
  const bad = findNonFinite(weights) ?? findNonFinite(optimizer);
  if (bad) throw new NonFiniteWeightsError(`refusing to write checkpoint ${dir}: non-finite value ${bad}`);
  const w = packBin('weights.bin', weights);
  const o = packBin('optimizer.bin', optimizer);
  const meta: CheckpointMeta = { format: CHECKPOINT_FORMAT, createdAt: new Date().toISOString(), ...info, weights: w.manifest, optimizer: o.manifest };
  replaceDirAtomic(dir, (tmp) => {
    writeFileSynced(path.join(tmp, 'weights.bin'), w.bytes);
    writeFileSynced(path.join(tmp, 'optimizer.bin'), o.bytes);
    // checkpoint.json last: a directory holding it was filled completely.
    writeFileSynced(path.join(tmp, 'checkpoint.json'), JSON.stringify(meta, null, 2) + '\n');
  });
}

/** Largest `.bin` file a checkpoint may declare (the memory budget usually refuses far less). */
export const MAX_BIN_BYTES = 2 * 1024 * 1024 * 1024;

function readBin(dir: string, manifest: BinManifest): NamedWeights {
  const file = path.join(dir, manifest.file);
  if (!fs.existsSync(file)) throw new CheckpointError(`checkpoint ${dir} is incomplete: ${manifest.file} is missing`);
  let buf: Buffer;
  try {
    // The size is checked against the manifest before a byte is read (a huge file is never read).
    buf = readRegularFile(file, {
      what: 'checkpoint file',
      maxBytes: MAX_BIN_BYTES,
      within: dir,
      sizeCheck: (size) => (size === manifest.byteLength ? null : `checkpoint ${dir}: ${manifest.file} is ${size < manifest.byteLength ? 'truncated' : 'too long'} (${size} bytes, manifest says ${manifest.byteLength})`),
    });
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  if (sha !== manifest.sha256) throw new CheckpointError(`checkpoint ${dir}: ${manifest.file} is corrupt (sha256 ${sha.slice(0, 12)}..., manifest says ${manifest.sha256.slice(0, 12)}...)`);
  // Copy into an aligned buffer: the Buffer may sit at an odd offset in Node's pool.
  const all = new Float32Array(manifest.byteLength / 4);
  new Uint8Array(all.buffer).set(buf);
  // A valid sha256 only says the file is the one written: NaN/Inf must still never be loaded.
  for (let i = 0; i < all.length; i++) {
    if (!Number.isFinite(all[i])) {
      const e = manifest.entries.find((x) => i >= x.offset && i < x.offset + x.length);
      throw new CheckpointError(`checkpoint ${dir}: ${manifest.file} holds a non-finite value (${e ? `${e.name}[${i - e.offset}]` : `value ${i}`} = ${all[i]}); it cannot be loaded or resumed`);
    }
  }
  const out: NamedWeights = {};
  for (const e of manifest.entries) out[e.name] = { shape: [...e.shape], data: all.slice(e.offset, e.offset + e.length) };
  return out;
}

/** Why `m` is not a valid manifest of a `.bin` file, or null (layout checked, nothing read). */
function manifestProblem(m: unknown, key: string): string | null {
  const x = m as BinManifest;
  if (typeof x !== 'object' || x === null) return `'${key}' manifest is missing`;
  if (typeof x.file !== 'string' || !/^[a-z]+\.bin$/.test(x.file)) return `'${key}.file' must name a .bin file of the checkpoint, got ${show(x.file)}`;
  if (!Number.isSafeInteger(x.byteLength) || x.byteLength < 0 || x.byteLength % 4 !== 0) return `'${key}.byteLength' must be a non-negative multiple of 4, got ${show(x.byteLength)}`;
  if (x.byteLength > MAX_BIN_BYTES) return `'${key}.byteLength' is ${x.byteLength}, more than the ${MAX_BIN_BYTES} bytes allowed`;
  if (typeof x.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(x.sha256)) return `'${key}.sha256' must be 64 hex digits`;
  if (!Array.isArray(x.entries)) return `'${key}.entries' must be an array`;
  const names = new Set<string>();
  let next = 0;
  for (const [i, e] of x.entries.entries()) {
    const where = `'${key}.entries[${i}]'`;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || e.name === '') return `${where} must have a name`;
    if (names.has(e.name)) return `${where} repeats the name '${e.name}'`;
    names.add(e.name);
    if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= MAX_BIN_BYTES / 4)) {
      return `${where} ('${e.name}') must have a shape of at most 8 positive integers, got ${show(e.shape)}`;
    }
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (e.length !== size) return `${where} ('${e.name}') has length ${show(e.length)}, its shape [${e.shape.join(', ')}] needs ${size}`;
    if (e.offset !== next) return `${where} ('${e.name}') has offset ${show(e.offset)}, expected ${next} (entries are packed in order)`;
    next += size;
    if (next * 4 > x.byteLength) return `${where} ('${e.name}') lies outside ${x.file} (${x.byteLength} bytes)`;
  }
  if (next * 4 !== x.byteLength) return `'${key}' entries cover ${next * 4} of the ${x.byteLength} bytes of ${x.file}`;
  return null;
}

function show(v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).slice(0, 80);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Why the parsed `checkpoint.json` is unusable (a field of the wrong type or range), or null. */
function metaProblem(meta: CheckpointMeta): string | null {
  for (const key of ['env', 'agent', 'algo'] as const) {
    const part = meta[key] as unknown as Record<string, unknown>;
    if (!isRecord(part)) return `checkpoint.json lacks '${key}'`;
    if (typeof part.id !== 'string' || part.id === '') return `'${key}.id' must be a non-empty string, got ${show(part.id)}`;
  }
  if (!isRecord(meta.env.kwargs)) return `'env.kwargs' must be an object, got ${show(meta.env.kwargs)}`;
  if (!isRecord(meta.agent.config)) return `'agent.config' must be an object, got ${show(meta.agent.config)}`;
  if (!isRecord(meta.algo.config)) return `'algo.config' must be an object, got ${show(meta.algo.config)}`;
  if (!isRecord(meta.run)) return `checkpoint.json lacks 'run'`;
  if (!isRecord(meta.counters)) return `checkpoint.json lacks 'counters'`;
  for (const key of ['epoch', 'step', 'episodes'] as const) {
    if (!isCount(meta.counters[key])) return `'counters.${key}' must be an integer >= 0, got ${show(meta.counters[key])}`;
  }
  if (meta.rng === undefined || meta.rng === null) return `checkpoint.json lacks 'rng'`;
  const rng = rngStateProblem(meta.rng);
  if (rng) return `'rng' is not a valid RNG state: ${rng}`;
  const acc = meta.bestValAccuracy;
  if (acc !== null && (typeof acc !== 'number' || !(acc >= 0 && acc <= 1))) return `'bestValAccuracy' must be a number in [0, 1] or null, got ${show(acc)}`;
  if (meta.bestEpoch !== null && (!isCount(meta.bestEpoch) || meta.bestEpoch > meta.counters.epoch)) {
    return `'bestEpoch' must be null or an integer in [0, counters.epoch = ${meta.counters.epoch}], got ${show(meta.bestEpoch)}`;
  }
  for (const key of ['metrics', 'optimizerScalars'] as const) {
    const rec = meta[key] as unknown;
    if (rec === undefined) continue;
    if (!isRecord(rec)) return `'${key}' must be an object of numbers, got ${show(rec)}`;
    const bad = Object.entries(rec).find(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad) return `'${key}.${bad[0]}' must be a finite number, got ${show(bad[1])}`;
  }
  return manifestProblem(meta.weights, 'weights') ?? manifestProblem(meta.optimizer, 'optimizer');
}

/**
 * Reads and checks `checkpoint.json` of the checkpoint in `dir` without reading its binaries:
 * format version, every field's type and range (counters, RNG state, ids, configs) and the
 * layout of both manifests. One {@link CheckpointError} line for anything wrong (a FIFO, device or
 * link leaving `dir` is refused without blocking; nothing is written, so a live run may be read).
 * Callers check the
 * declared shapes against the agent they would build ({@link assertDeclaredShapes}) and the
 * memory budget before {@link readCheckpointData} reads the weights.
 */
export function readCheckpointMeta(dir: string): CheckpointMeta {
  // Read-only, so `eval`/`viz` may read a live run: mid-swap, the backup is the complete version.
  if (!fs.existsSync(dir) && fs.existsSync(backupDirName(dir))) dir = backupDirName(dir);
  if (!fs.existsSync(dir)) throw new CheckpointError(`checkpoint directory not found: ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw new CheckpointError(`checkpoint path is not a directory: ${dir}`);
  const jsonFile = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(jsonFile)) throw new CheckpointError(`${dir} is not a checkpoint: checkpoint.json is missing`);
  let text: string;
  try {
    text = readRegularTextFile(jsonFile, { what: 'checkpoint file', maxBytes: MAX_JSON_BYTES, within: dir });
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir}: checkpoint.json is not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(meta)) throw new CheckpointError(`checkpoint ${dir}: checkpoint.json must hold an object`);
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${dir} has format ${show(meta.format)}; this rl-run reads format ${CHECKPOINT_FORMAT}`);
  const problem = metaProblem(meta);
  if (problem) throw new CheckpointError(`checkpoint ${dir}: ${problem}`);
  return meta;
}

/** Reads, verifies (size, sha256, finite values) and unpacks the binaries `meta` declares. */
export function readCheckpointData(dir: string, meta: CheckpointMeta): LoadedCheckpoint {
  if (!fs.existsSync(dir) && fs.existsSync(backupDirName(dir))) dir = backupDirName(dir);
  const weights = readBin(dir, meta.weights);
  const optimizer = readBin(dir, meta.optimizer);
  return { dir, meta, weights, optimizer: { weights: optimizer, scalars: { ...(meta.optimizerScalars ?? {}) } } };
}

/**
 * Reads and verifies the checkpoint in `dir` (a directory holding `checkpoint.json`):
 * {@link readCheckpointMeta} then {@link readCheckpointData}. Missing directory or files,
 * invalid JSON or fields, a foreign format version, truncated, corrupt or non-finite binaries,
 * FIFOs, devices and links leaving `dir` each throw a {@link CheckpointError} with one line.
 */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  return readCheckpointData(dir, readCheckpointMeta(dir));
}

/** Identity of the `checkpoint.json` in `dir` (a new file on every save), or 'none'. */
function checkpointStamp(dir: string): string {
  try {
    const st = fs.statSync(path.join(dir, 'checkpoint.json'));
    return `${st.ino}:${st.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/**
 * Runs `read(dir)` for a reader of a run that may be training right now (`rl-run eval`,
 * `rl-run viz`; they take no lock): when it fails with a {@link CheckpointError} and the
 * checkpoint was swapped meanwhile (its files then come from two versions), it reads again, up to
 * 3 times.
 */
export function readSettled<T>(dir: string, read: (dir: string) => T): T {
  for (let attempt = 1; ; attempt++) {
    const before = checkpointStamp(dir);
    try {
      return read(dir);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof CheckpointError) || checkpointStamp(dir) === before) throw e;
    }
  }
}

/** {@link readCheckpoint} through {@link readSettled}. */
export function readSettledCheckpoint(dir: string): LoadedCheckpoint {
  return readSettled(dir, readCheckpoint);
}

/**
 * Checks, before the agent is built or a weight is read, that the weights a checkpoint declares
 * are exactly those the agent would have (`expected`: name to shape, from the agent's
 * `weightShapes`). One line naming the first difference.
 */
export function assertDeclaredShapes(dir: string, meta: CheckpointMeta, expected: Record<string, number[]>): void {
  const declared = new Map(meta.weights.entries.map((e) => [e.name, e.shape]));
  const agent = `agent '${meta.agent.id}' with the checkpoint's agent.config`;
  for (const [name, shape] of Object.entries(expected)) {
    const got = declared.get(name);
    if (!got) throw new CheckpointError(`checkpoint ${dir} lacks weight '${name}' of ${agent}`);
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      throw new CheckpointError(`checkpoint ${dir}: weight '${name}' is declared [${got.join(', ')}], ${agent} has [${shape.join(', ')}]`);
    }
  }
  const extra = [...declared.keys()].find((n) => !Object.hasOwn(expected, n));
  if (extra) throw new CheckpointError(`checkpoint ${dir} has weight '${extra}' that ${agent} does not have`);
  const weightBytes = meta.weights.byteLength;
  // Optimizer state is a few slots per weight (Adam: 2); far more is not a state this code wrote.
  if (meta.optimizer.byteLength > 4 * weightBytes + 1024 * 1024) {
    throw new CheckpointError(`checkpoint ${dir}: optimizer.bin declares ${meta.optimizer.byteLength} bytes for ${weightBytes} bytes of weights; at most 4x is allowed`);
  }
}

/**
 * Checks that a checkpoint fits an agent before loading: same agent id and, for every weight the
 * agent has, a checkpoint entry of the same shape. One line naming the first mismatch.
 */
export function assertCompatible(ckpt: LoadedCheckpoint, agentId: string, agentWeights: NamedWeights): void {
  if (ckpt.meta.agent.id !== agentId) {
    throw new CheckpointError(`checkpoint ${ckpt.dir} is from agent '${ckpt.meta.agent.id}', not '${agentId}'`);
  }
  for (const [name, w] of Object.entries(agentWeights)) {
    const c = ckpt.weights[name];
    if (!c) throw new CheckpointError(`checkpoint ${ckpt.dir} lacks weight '${name}' of agent '${agentId}'`);
    if (c.shape.length !== w.shape.length || c.shape.some((d, i) => d !== w.shape[i])) {
      throw new CheckpointError(`checkpoint ${ckpt.dir}: weight '${name}' has shape [${c.shape.join(', ')}], the agent expects [${w.shape.join(', ')}]`);
    }
  }
  const extra = Object.keys(ckpt.weights).find((n) => !Object.hasOwn(agentWeights, n));
  if (extra) throw new CheckpointError(`checkpoint ${ckpt.dir} has weight '${extra}' that agent '${agentId}' does not have`);
}

/**
 * Resolves what a user passed to `rl-run eval --checkpoint`: a checkpoint directory itself, or a
 * run directory (then its `checkpoints/best`, else `checkpoints/last`).
 */
export function resolveCheckpointDir(p: string): string {
  if (!fs.existsSync(p)) throw new CheckpointError(`checkpoint directory not found: ${p}`);
  if (fs.existsSync(path.join(p, 'checkpoint.json'))) return p;
  for (const kind of ['best', 'last']) {
    const d = path.join(p, 'checkpoints', kind);
    if (fs.existsSync(d) || fs.existsSync(backupDirName(d))) return d;
  }
  throw new CheckpointError(`${p} is neither a checkpoint (no checkpoint.json) nor a run directory (no checkpoints/best or checkpoints/last)`);
}

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
import type { RngState } from '../envs/rng';
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

function readBin(dir: string, manifest: BinManifest): NamedWeights {
  const file = path.join(dir, manifest.file);
  if (!fs.existsSync(file)) throw new CheckpointError(`checkpoint ${dir} is incomplete: ${manifest.file} is missing`);
  const buf = fs.readFileSync(file);
  if (buf.byteLength !== manifest.byteLength) {
    const what = buf.byteLength < manifest.byteLength ? 'truncated' : 'too long';
    throw new CheckpointError(`checkpoint ${dir}: ${manifest.file} is ${what} (${buf.byteLength} bytes, manifest says ${manifest.byteLength})`);
  }
  const sha = crypto.createHash('sha256').update(buf).digest('hex');
  if (sha !== manifest.sha256) throw new CheckpointError(`checkpoint ${dir}: ${manifest.file} is corrupt (sha256 ${sha.slice(0, 12)}..., manifest says ${manifest.sha256.slice(0, 12)}...)`);
  // Copy into an aligned buffer: the Buffer may sit at an odd offset in Node's pool.
  const all = new Float32Array(manifest.byteLength / 4);
  new Uint8Array(all.buffer).set(buf);
  const out: NamedWeights = {};
  for (const e of manifest.entries) {
    if (e.offset + e.length > all.length) throw new CheckpointError(`checkpoint ${dir}: entry '${e.name}' lies outside ${manifest.file}`);
    out[e.name] = { shape: [...e.shape], data: all.slice(e.offset, e.offset + e.length) };
  }
  return out;
}

function isManifest(m: unknown): m is BinManifest {
  const x = m as BinManifest;
  return !!x && typeof x.file === 'string' && /^[a-z]+\.bin$/.test(x.file) && Number.isInteger(x.byteLength) && x.byteLength % 4 === 0 && typeof x.sha256 === 'string' && Array.isArray(x.entries);
}

/**
 * Reads and verifies the checkpoint in `dir` (a directory holding `checkpoint.json`). Missing
 * directory or files, invalid JSON, a foreign format version, truncated or corrupt binaries each
 * throw a {@link CheckpointError} with one line.
 */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  // Read-only, so `eval`/`viz` may read a live run: mid-swap, the backup is the complete version.
  if (!fs.existsSync(dir) && fs.existsSync(backupDirName(dir))) dir = backupDirName(dir);
  if (!fs.existsSync(dir)) throw new CheckpointError(`checkpoint directory not found: ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw new CheckpointError(`checkpoint path is not a directory: ${dir}`);
  const jsonFile = path.join(dir, 'checkpoint.json');
  if (!fs.existsSync(jsonFile)) throw new CheckpointError(`${dir} is not a checkpoint: checkpoint.json is missing`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`checkpoint ${dir}: checkpoint.json is not valid JSON (${(e as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null) throw new CheckpointError(`checkpoint ${dir}: checkpoint.json must hold an object`);
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint ${dir} has format ${String(meta.format)}; this rl-run reads format ${CHECKPOINT_FORMAT}`);
  for (const key of ['env', 'agent', 'algo', 'run', 'counters', 'rng'] as const) {
    if (typeof meta[key] !== 'object' || meta[key] === null) throw new CheckpointError(`checkpoint ${dir}: checkpoint.json lacks '${key}'`);
  }
  if (!isManifest(meta.weights) || !isManifest(meta.optimizer)) throw new CheckpointError(`checkpoint ${dir}: checkpoint.json has no valid weights/optimizer manifest`);
  const weights = readBin(dir, meta.weights);
  const optimizer = readBin(dir, meta.optimizer);
  return { dir, meta, weights, optimizer: { weights: optimizer, scalars: { ...(meta.optimizerScalars ?? {}) } } };
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
  const extra = Object.keys(ckpt.weights).find((n) => !(n in agentWeights));
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
 * {@link readCheckpoint} for readers of a run that may be training right now (`rl-run eval`,
 * `rl-run viz`; they take no lock): a checkpoint that was swapped while being read (its files
 * then come from two versions, so the sha256 check fails) is read again, up to 3 times.
 */
export function readSettledCheckpoint(dir: string): LoadedCheckpoint {
  for (let attempt = 1; ; attempt++) {
    const before = checkpointStamp(dir);
    try {
      return readCheckpoint(dir);
    } catch (e) {
      if (attempt >= 3 || !(e instanceof CheckpointError) || checkpointStamp(dir) === before) throw e;
    }
  }
}

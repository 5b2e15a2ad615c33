#!/usr/bin/env bash
# Promotes the best checkpoint of a training run to models/<env-id>/, the shipped model that
# `rl-run eval --checkpoint models/<env-id>` scores:
#   checkpoint.json + weights.bin   the best checkpoint (selected on validation by the run)
#   optimizer.bin                   emptied: eval needs only the weights, and Adam's moments would
#                                   triple the size (~2.5 MB); resume training from the run dir
#   metrics.jsonl                   the run's training log (JSONL) that produced the model, at
#                                   epoch level: per-batch lines are dropped (a long run logs tens
#                                   of MB of them; their means are in each 'epoch' line)
#   config.json                     the run's resolved config
#   provenance.json                 source run, epoch, validation accuracy, git commit, sha256s
# The copy is verified against the checkpoint's sha256 (a run still training may swap its best
# checkpoint mid-copy: then it retries), and refused if checkpoint.json holds an absolute path.
#
# Usage: scripts/promote-model.sh <runDir> <env-id> [evalSamples]
#   evalSamples (default: the run's): the M sampled rollouts `rl-run eval` averages by default for
#   this model (0 = greedy); recorded in checkpoint.json, config.json and provenance.json. The run
#   still selected the checkpoint by its own validation setting.
set -euo pipefail

if [ $# -ne 2 ] && [ $# -ne 3 ]; then
  echo "usage: scripts/promote-model.sh <runDir> <env-id> [evalSamples]" >&2
  exit 2
fi
run_dir=${1%/}
env_id=$2
eval_samples=${3:-}
if [ -n "$eval_samples" ] && ! [[ "$eval_samples" =~ ^[0-9]+$ && "$eval_samples" -le 1000 ]]; then
  echo "promote-model: evalSamples must be an integer in [0, 1000], got '$eval_samples'" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
src="$run_dir/checkpoints/best"
dest="$root/models/$env_id"

[ -d "$run_dir" ] || { echo "promote-model: run directory not found: $run_dir" >&2; exit 2; }
[ -f "$src/checkpoint.json" ] || { echo "promote-model: $run_dir has no best checkpoint ($src/checkpoint.json missing)" >&2; exit 2; }
[[ "$env_id" =~ ^[a-z0-9][a-z0-9-]*$ ]] || { echo "promote-model: env id must be lower-case letters, digits and '-', got '$env_id'" >&2; exit 2; }

mkdir -p "$root/models"
tmp=$(mktemp -d "$root/models/.promote-XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

for attempt in 1 2 3; do
  rm -rf "$tmp"/*
  cp "$src/checkpoint.json" "$src/weights.bin" "$tmp/" 2>/dev/null || { sleep 2; continue; }
  if node - "$tmp" "$env_id" "$run_dir" "$eval_samples" <<'EOF'
// Verifies the copied weights, empties the optimizer state, rejects absolute paths and writes provenance.
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execSync } = require('child_process');
const [dir, envId, runDir, evalSamples] = process.argv.slice(2);
const file = path.join(dir, 'checkpoint.json');
const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
if (weights.byteLength !== meta.weights.byteLength || sha(weights) !== meta.weights.sha256) {
  console.error('promote-model: weights.bin does not match checkpoint.json (checkpoint replaced mid-copy?)');
  process.exit(3);
}
if (meta.env.id !== envId) {
  console.error(`promote-model: the run trained env '${meta.env.id}', not '${envId}'`);
  process.exit(2);
}
// The run directory a checkpoint records is where it was trained, not part of the model: an
// absolute one (a run kept outside the tree) is shipped as runs/<its name>.
const relOut = (out) => (typeof out === 'string' && path.isAbsolute(out) ? `runs/${path.basename(out)}` : out);
if (meta.run && meta.run.out !== undefined) meta.run.out = relOut(meta.run.out);
const selectedWith = meta.run ? meta.run.evalSamples : undefined;
if (evalSamples !== '') meta.run.evalSamples = Number(evalSamples);
const abs = [];
(function walk(v, at) {
  if (typeof v === 'string' && (path.isAbsolute(v) || /^[A-Za-z]:[\\/]/.test(v))) abs.push(`${at}=${v}`);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
})(meta, 'checkpoint');
if (abs.length) {
  console.error(`promote-model: checkpoint.json holds absolute paths (${abs.join(', ')}); train with a relative --out`);
  process.exit(2);
}
const empty = Buffer.alloc(0);
fs.writeFileSync(path.join(dir, 'optimizer.bin'), empty);
meta.optimizer = { file: 'optimizer.bin', byteLength: 0, sha256: sha(empty), entries: [] };
fs.writeFileSync(file, JSON.stringify(meta, null, 2) + '\n');
let commit = null;
try {
  commit = execSync('git rev-parse HEAD', { cwd: path.dirname(path.dirname(dir)), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
} catch {}
const provenance = {
  env: envId,
  sourceRun: path.isAbsolute(runDir) ? `runs/${path.basename(runDir)}` : runDir,
  epoch: meta.counters.epoch,
  step: meta.counters.step,
  bestValAccuracy: meta.bestValAccuracy,
  bestEpoch: meta.bestEpoch,
  checkpointCreatedAt: meta.createdAt,
  promotedAt: new Date().toISOString(),
  gitCommit: commit,
  weightsSha256: meta.weights.sha256,
  selectedWithEvalSamples: selectedWith,
  evalSamples: meta.run.evalSamples,
  note: 'optimizer.bin is emptied on promotion; resume training from the source run directory',
};
fs.writeFileSync(path.join(dir, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
console.log(`promoted ${runDir} epoch ${meta.counters.epoch} (best val accuracy ${meta.bestValAccuracy}) to models/${envId}`);
EOF
  then
    ok=1
    break
  else
    rc=$?
    [ $rc -eq 3 ] || exit $rc
    sleep 2
  fi
done
[ "${ok:-0}" = 1 ] || { echo "promote-model: could not get a consistent copy of $src after 3 tries" >&2; exit 1; }

# The log and config of the run as they are now (the log may run past the promoted epoch).
grep -v '"type":"batch"' "$run_dir/metrics.jsonl" > "$tmp/metrics.jsonl" || true
node -e '
const fs = require("fs"), path = require("path");
const [src, dst, evalSamples] = process.argv.slice(1);
const c = JSON.parse(fs.readFileSync(src, "utf8"));
if (evalSamples !== "") c.evalSamples = Number(evalSamples);
if (typeof c.out === "string" && path.isAbsolute(c.out)) c.out = `runs/${path.basename(c.out)}`;
fs.writeFileSync(dst, JSON.stringify(c, null, 2) + "\n");
' "$run_dir/config.json" "$tmp/config.json" "$eval_samples"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
du -sh "$dest" | sed 's/^/size: /'

#!/usr/bin/env bash
# The accuracy protocol of docs/experiments.md for one finished training run:
#   1. its best checkpoint (chosen by the run on greedy validation) is scored on validation with
#      M = 0 (greedy), 10, 50 and 100 sampled rollouts per image;
#   2. M is the one with the lowest validation error (ties: the smaller M);
#   3. the test set is scored once greedy and once at that M.
# One line per evaluation, as `rl-run eval` prints it, prefixed by the split and M.
#
# Usage: scripts/score-run.sh <runDir> [out-file]   (default out-file: stdout)
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/score-run.sh <runDir> [out-file]" >&2
  exit 2
fi
run=$1
[ -f "$run/checkpoints/best/checkpoint.json" ] || { echo "score-run: $run has no best checkpoint ($run/checkpoints/best/checkpoint.json missing)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
# Lines go to fd 3: the out-file, or this script's own stdout (not reopened through /dev/stdout,
# which would write at a file offset of its own when stdout is a file).
if [ $# -eq 2 ]; then exec 3>"$2"; else exec 3>&1; fi
evalLine() { node "$root/bin/rl-run.js" eval --checkpoint "$run" --split "$1" --samples "$2" 2>/dev/null | grep -E '^(val|test) accuracy' | tail -1; }
best=""; bestErr=""
for m in 0 10 50 100; do
  line=$(evalLine val $m)
  [ -n "$line" ] || { echo "score-run: rl-run eval --split val --samples $m printed no accuracy line" >&2; exit 1; }
  echo "val M=$m $line" >&3
  err=$(sed -E 's/.* error ([0-9.]+) .*/\1/' <<< "$line")
  if [ $m -gt 0 ] && { [ -z "$bestErr" ] || awk -v a="$err" -v b="$bestErr" 'BEGIN { exit !(a < b) }'; }; then best=$m; bestErr=$err; fi
done
for m in 0 $best; do echo "test M=$m $(evalLine test $m)" >&3; done

#!/usr/bin/env bash
# Times a one-line `stance classify` with a large model file (default: the full-size UN model that
# bench/scale.sh leaves in target/scale/runs), 11 runs, and prints the median and fastest wall time: the
# cost of loading the model. STANCE_BIN=path times another build (e.g. of an older commit, side by side).
# Usage: bench/model-load.sh [MODEL]. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-target/scale/runs/stance-full.model}
[ -f "$model" ] || { echo "$model is absent (run bench/scale.sh first, or name a model)" >&2; exit 1; }
if [ -z "${STANCE_BIN:-}" ]; then
  cargo build --release --quiet
  STANCE_BIN=target/release/stance
fi
times=()
for _ in $(seq 11); do
  start=$(date +%s%N)
  echo "Troops fired across the border." | "$STANCE_BIN" classify --model "$model" --unit line > /dev/null
  end=$(date +%s%N)
  times+=("$(( (end - start) / 1000 ))")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
printf 'one-line classify with %s (%s MB): median %.1f ms, fastest %.1f ms (11 runs, %s)\n' \
  "$model" "$(( $(stat -c %s "$model") / 1000000 ))" \
  "$(echo "$sorted" | sed -n 6p | awk '{print $1/1000}')" \
  "$(echo "$sorted" | head -1 | awk '{print $1/1000}')" "$STANCE_BIN"

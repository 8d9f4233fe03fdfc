#!/usr/bin/env bash
# Times `stance classify --unit line --format jsonl` with the built-in model on the first N sentences of
# the UN General Debate corpus (../shared/data/scale), three runs, and prints the median sentences/s.
# STANCE_BIN=path times another build (e.g. of an older commit, side by side).
# Usage: bench/classify-speed.sh [N=100000]. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
corpus=../shared/data/scale/ungdc_sentences.tsv.gz
[ -f "$corpus" ] || { echo "$corpus is absent" >&2; exit 1; }
if [ -z "${STANCE_BIN:-}" ]; then
  cargo build --release --quiet
  STANCE_BIN=target/release/stance
fi
input=$(mktemp); trap 'rm -f "$input"' EXIT
(zcat "$corpus" || true) | tail -n +2 | cut -f5 | head -n "$n" > "$input" || true  # head closes the pipe early
times=()
for _ in 1 2 3; do
  start=$(date +%s.%N)
  "$STANCE_BIN" classify --unit line --format jsonl "$input" > /dev/null
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc -l)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
printf 'classify %d sentences (--unit line --format jsonl, %d cores): median %.2f s, %.0f sentences/s\n' \
  "$n" "$(nproc)" "$median" "$(echo "$n / $median" | bc -l)"

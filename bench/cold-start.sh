#!/usr/bin/env bash
# Times one short `stance classify` with the built-in model: the example article (about 20 sentences),
# 21 runs, and prints the median and fastest wall time in milliseconds (start-up, model load, output).
# Usage: bench/cold-start.sh. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
article=data/examples/vietnam-brazil-visit.txt
times=()
for _ in $(seq 21); do
  start=$(date +%s%N)
  target/release/stance classify "$article" > /dev/null
  end=$(date +%s%N)
  times+=("$(( (end - start) / 1000 ))")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n 11p)
fastest=$(echo "$sorted" | head -1)
printf 'cold classify of %s (%d sentences, built-in model): median %.1f ms, fastest %.1f ms (21 runs)\n' \
  "$article" "$(target/release/stance classify --format jsonl "$article" | wc -l)" \
  "$(echo "$median / 1000" | bc -l)" "$(echo "$fastest / 1000" | bc -l)"

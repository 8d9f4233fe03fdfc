#!/usr/bin/env bash
# How much the adagrad reading order (--seed) moves accuracy and macro-F1 on the full UN training set.
# Needs the inputs bench/scale.sh prepares (target/scale/data). Usage: bench/seeds.sh [SEED ...] (default 0 1 2 3);
# STANCE_TRAIN_FLAGS="--learning-rate 1.5" adds flags to every training.
# Macro-F1 is the mean over the decades present in the test split, as in bench/scale.sh. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
data=target/scale/data
[ -f "$data/train-full.csv" ] || { echo "run bench/scale.sh first (it prepares $data)" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$data" "$work/test.csv" <<'PY'
import csv, sys
data, out = sys.argv[1], sys.argv[2]
texts = open(f"{data}/test.txt", encoding="utf-8").read().split("\n")
gold = open(f"{data}/test.gold", encoding="utf-8").read().split("\n")
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["text", "decade"])
    w.writerows([t, g] for t, g in zip(texts, gold) if t.strip() and g)
PY
for seed in "${@:-0 1 2 3}"; do
  for s in $seed; do
    target/release/stance train "$data/train-full.csv" --label decade --seed "$s" ${STANCE_TRAIN_FLAGS:-} -o "$work/m.model" 2>/dev/null
    target/release/stance eval --model "$work/m.model" "$work/test.csv" --format json 2>/dev/null |
      python3 -c '
import json, sys
t = next(iter(json.load(sys.stdin)["tasks"].values()))
f = [c["f1"] for c in t["per_class"].values() if c["support"] > 0]
print("seed %s: accuracy %.4f, macro-F1 (classes in the test split) %.4f" % (sys.argv[1], t["accuracy"], sum(f) / len(f)))
' "$s"
  done
done

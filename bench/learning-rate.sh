#!/usr/bin/env bash
# How adagrad's --learning-rate moves accuracy and macro-F1 on a development split of the UN training
# sessions, so the default is chosen without the test split of bench/scale.sh: the sessions whose number
# ends in 2 (1947, 1957, ... 2017) are held out of training and scored; the test sessions (number ending in
# 0) are left out altogether. Training rows shuffled once (fixed seed), text lowercased as in bench/scale.sh.
# Macro-F1 is the mean over the decades present in the development split (1940s to 2010s; the test split
# has no 1940s), each decade's F1 printed beside it. Not run in CI (about 10 s a run).
# Usage: bench/learning-rate.sh [--size N] [RATE ...]   (default rates 0.5 1 1.5 2, seeds 0 1 2; SEEDS="0")
set -euo pipefail
cd "$(dirname "$0")/.."
size=full
if [ "${1:-}" = --size ]; then size=$2; shift 2; fi
rates=("${@:-0.5 1 1.5 2}")
seeds=${SEEDS:-0 1 2}
corpus=../shared/data/scale/ungdc_sentences.tsv.gz
[ -f "$corpus" ] || { echo "$corpus is absent" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$corpus" "$work" "$size" <<'PY'
import csv, gzip, random, sys
corpus, work, size = sys.argv[1], sys.argv[2], sys.argv[3]
train, dev = [], []
with gzip.open(corpus, "rt", encoding="utf-8", newline="\n") as f:
    col = {n: i for i, n in enumerate(f.readline().rstrip("\r\n").split("\t"))}
    for line in f:
        c = line.rstrip("\r\n").split("\t")
        session, year = int(c[col["session"]]), int(c[col["year"]])
        text = " ".join(c[col["sentence"]].lower().split())
        if not text or session % 10 == 0:
            continue
        (dev if session % 10 == 2 else train).append((text, f"{year // 10 * 10}s"))
random.Random(12345).shuffle(train)
if size != "full":
    train = train[: int(size)]
for name, rows in (("train", train), ("dev", dev)):
    with open(f"{work}/{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "decade"])
        w.writerows(rows)
print(f"{len(train):,} training and {len(dev):,} development sentences", file=sys.stderr)
PY
for rate in ${rates[*]}; do
  for seed in $seeds; do
    target/release/stance train "$work/train.csv" --label decade --solver adagrad --learning-rate "$rate" \
      --seed "$seed" -o "$work/m.model" 2>/dev/null
    target/release/stance eval --model "$work/m.model" "$work/dev.csv" --format json 2>/dev/null |
      python3 -c '
import json, sys
t = next(iter(json.load(sys.stdin)["tasks"].values()))
present = {k: c["f1"] for k, c in t["per_class"].items() if c["support"] > 0}
f1s = " ".join("%s %.3f" % (k, v) for k, v in present.items())
print("rate %s seed %s: accuracy %.4f, macro-F1 (decades in the split) %.4f; F1 %s" % (sys.argv[1], sys.argv[2], t["accuracy"], sum(present.values()) / len(present), f1s))
' "$rate" "$seed"
  done
done

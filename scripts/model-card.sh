#!/usr/bin/env bash
# Prints the model card's figures: the built-in model (or MODEL=path) on our held-out test set and on the
# labeled corpora in ../shared/data (skipped when absent). Usage: scripts/model-card.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
stance=target/release/stance
model_args=()
[ -n "${MODEL:-}" ] && model_args=(--model "$MODEL")
shared=../shared/data

row() { # name file task filter...
  local name=$1 file=$2 task=$3; shift 3
  "$stance" eval "$file" "${model_args[@]}" --format json "$@" | python3 -c '
import json, sys
name, task = sys.argv[1], sys.argv[2]
t = json.load(sys.stdin)["tasks"][task]
f1 = " / ".join("%s %.2f" % (k, v["f1"]) for k, v in t["per_class"].items())
print("| %s | %s | %d | %.3f | %.3f | %.3f | %s |" % (name, task, t["n"], t["accuracy"], t["macro_f1"], t["kappa"], f1))
' "$name" "$task"
}

echo "| data | task | n | accuracy | macro-F1 | Cohen's kappa | per-class F1 |"
echo "|---|---|---|---|---|---|---|"
row "data/frames-test.csv (ours, held out)" data/frames-test.csv frame
row "data/frames-test.csv (ours, held out)" data/frames-test.csv tone
if [ -d "$shared" ]; then
  row "Manifesto Project, UK+US (test split)" "$shared/frames/manifesto_en.csv" frame --filter split=test
  row "NYT front-page headlines, CAP (test split)" "$shared/frames/nyt_headlines_cap.csv" frame --filter split=test
  row "State of the Union, CAP (all)" "$shared/frames/sotu_cap.csv" frame
  row "Financial PhraseBank, all agree (test split)" "$shared/tone/financial_phrasebank_allagree.csv" tone --filter split=test
  row "Financial PhraseBank, 50 % agree (test split)" "$shared/tone/financial_phrasebank_50agree.csv" tone --filter split=test
  row "NewsMTSC (devtest_rw)" "$shared/tone/newsmtsc.csv" tone --filter split=devtest_rw
  row "NewsMTSC (devtest_mt)" "$shared/tone/newsmtsc.csv" tone --filter split=devtest_mt
else
  echo "(../shared/data is absent: shared corpora skipped)" >&2
fi

#!/usr/bin/env bash
# Scale benchmark: times `stance train` / `stance classify` against Vowpal Wabbit, fastText and scikit-learn
# on the UN General Debate corpus (../shared/data/scale/ungdc_sentences.tsv.gz, 1.18 M sentences; label =
# decade, TEST = sessions divisible by 10) and prints one Markdown table: train time and peak RSS, test
# accuracy and macro-F1, classify sentences/s over all 1.18 M sentences, ratios against stance. The table is
# also written to bench/results/scale-YYYYMMDD[-variant].md, with the raw figures beside it (.json).
#
# It builds stance (cargo build --release), installs the reference tools in bench/.venv-scale on first use,
# prepares the inputs under target/scale/ (about 1.5 GB with the models) and runs bench/scale.py.
# Run by hand only, never in CI: it takes the machine's 2 cores for a long while. Measured on the 2-core /
# 24 GB machine (while other builds shared it): first build ~1 min, venv ~10 s, preparing the inputs ~15 s
# (kept for later runs); `100k` ~7 min (scikit-learn ~3 min, stance's 3 x 1.18 M classify runs ~1.5 min);
# the full size adds ~2.5 min for VW + fastText, ~2 min of stance classify runs, and stance's training.
# A whole run is thus ~12 min plus stance's full-size training; SCALE_SIZES=20000 takes ~3.5 min.
#
# Usage:
#   bench/scale.sh          100 k and full (~1.08 M) training sets
#   bench/scale.sh 100k     the 100 k training set only
# Environment:
#   SCALE_SIZES=20000,full  training sizes; overrides the argument, e.g. SCALE_SIZES=20000 to check the
#                           plumbing in ~3 min. `full` = all TRAIN, N = the first N of TRAIN as ordered
#   SCALE_ORDER=shuffle     TRAIN shuffled once with a fixed seed, the same for every tool (default: the
#                           file is chronological, which one-pass learners cannot take); `file` keeps file
#                           order (N = evenly spaced sentences); `head` file order, N = the first N
#   SCALE_TOOLS=stance,vw,fasttext,sklearn   which tools to run (default all four)
#   STANCE_TRAIN_FLAGS="--no-char-ngrams --max-iter 30"   extra `stance train` flags (default none)
#   SCALE_SKLEARN_MAX=100000  largest size scikit-learn is trained on (above: a "not run" row)
#   SCALE_TRAIN_TIMEOUT=1800  seconds after which a training is stopped and reported as such
#   SCALE_TRAIN_RUNS=3      trainings per tool and size (scikit-learn: one); the table gives the median
#                           time and the median of each score, the notes every run (adds ~2 min for fastText)
#   SCALE_WORKDIR=target/scale   scratch inputs, models and logs;  SCALE_OUT=FILE   where to write the table
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-all}" in
  all) ;;
  100k) export SCALE_SIZES="${SCALE_SIZES:-100000}" ;;
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bench/scale.sh [100k]   (see the header of bench/scale.sh)" >&2; exit 2 ;;
esac

corpus=../shared/data/scale/ungdc_sentences.tsv.gz
[ -f "$corpus" ] || { echo "$corpus is absent" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet
export STANCE_BIN="${CARGO_TARGET_DIR:-target}/release/stance"

venv=bench/.venv-scale
if ! "$venv/bin/python" -c 'import fasttext, vowpalwabbit, sklearn' 2>/dev/null; then
  python3 -m venv "$venv"
  # fasttext-wheel predates NumPy 2
  "$venv/bin/pip" install --quiet fasttext-wheel 'vowpalwabbit>=9,<10' scikit-learn 'numpy<2'
fi

exec "$venv/bin/python" bench/scale.py

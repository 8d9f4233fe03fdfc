#!/usr/bin/env bash
# Research-size training time: `stance train` of the built-in model (data/frames.csv, frame and tone)
# against the scikit-learn pipeline it mirrors (word 1-2-gram and char_wb 2-5-gram tf-idf, min_df 2,
# sublinear tf, LogisticRegression(C=10) with its default lbfgs and tol) and `stance train --no-lexicon`
# (the same features as that pipeline), each run RUNS times (default 3), whole processes from the CSV to
# a saved model; prints the medians, the ratios and the iterations per task. ~3 minutes.
# Uses the virtualenv of bench/parity.sh (bench/.venv, created here if absent). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
. bench/venv.sh
exec bench/.venv/bin/python bench/research-train.py "${RUNS:-3}"

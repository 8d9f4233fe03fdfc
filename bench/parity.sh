#!/usr/bin/env bash
# Installs the reference tools in a virtualenv (bench/.venv) and prints the parity table:
# stance vs scikit-learn vs fastText on the labeled corpora in ../shared/data. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet scikit-learn fasttext-wheel "numpy<2"  # fasttext-wheel predates NumPy 2
fi
bench/.venv/bin/python bench/parity.py

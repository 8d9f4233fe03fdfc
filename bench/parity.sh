#!/usr/bin/env bash
# Installs the reference tools in a virtualenv (bench/.venv) and prints the parity table:
# stance vs scikit-learn vs fastText on the labeled corpora in ../shared/data. Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
. bench/venv.sh
bench/.venv/bin/python bench/parity.py

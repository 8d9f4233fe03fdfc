#!/usr/bin/env bash
# Does corpus round N add anything? (bench/round-cv.py): story-grouped CV on the earlier rounds' sentences,
# with and without round N's, for frame and tone. Usage: bench/round-cv.sh N   (N = 6 ... 11 or 13 ... 16: the
# twelfth round was not kept, so it is not in data/frames.csv; a few minutes per round). Uses the virtualenv of bench/parity.sh (bench/.venv). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/venv.sh
for task in frame tone; do
  bench/.venv/bin/python bench/round-cv.py "$1" "$task"
done

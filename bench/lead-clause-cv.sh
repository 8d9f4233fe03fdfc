#!/usr/bin/env bash
# Do the lead-clause words help? (bench/lead-clause-cv.py): story-grouped CV of the scikit-learn replica
# without and with them, scored on all sentences and on the first rounds' only, for frame and tone.
# About 35 minutes per task on 2 cores. Uses the virtualenv of bench/parity.sh (bench/.venv). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/venv.sh
for task in frame tone; do
  bench/.venv/bin/python bench/lead-clause-cv.py "$task"
done

# Sourced by bench scripts: creates bench/.venv with scikit-learn and fastText on first use.
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet scikit-learn fasttext-wheel "numpy<2"  # fasttext-wheel predates NumPy 2
fi

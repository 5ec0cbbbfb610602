#!/usr/bin/env bash
# The model card's scripts/test_1p.sh (its "test" phase: translate test images with a trained generator): notebook
# 05 run headless by papermill on a run directory; the executed notebook and translation_grid.png are the output.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-$root/.venv/bin/python}"; [ -x "$PYTHON" ] || PYTHON=python3
export ASCEND_DEVICE_ID="${ASCEND_DEVICE_ID:-${DEVICE_ID:-0}}"
output_dir="${output_dir:-$root/outputs/celeba}"   # the run directory train_1p.sh wrote
checkpoint="${checkpoint:-}"                       # empty: the latest; or a step number, e.g. 200000
if [ ! -f "$output_dir/config.json" ]; then
  echo "error: output_dir=$output_dir is not a run directory (no config.json): train first, or set output_dir" >&2
  exit 2
fi
params=(-p run_dir "$output_dir")
[ -z "$checkpoint" ] || params+=(-p checkpoint "$checkpoint")
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m papermill "$root/notebooks/05_translate.ipynb" \
  "$output_dir/test_$ASCEND_DEVICE_ID.ipynb" "${params[@]}" --cwd "$root/notebooks"
echo "translations: $output_dir/translation_grid.png   executed notebook: $output_dir/test_$ASCEND_DEVICE_ID.ipynb"

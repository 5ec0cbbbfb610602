#!/usr/bin/env bash
# The model card's frozen_graph.py (`--input_checkpoint ... --out_pb_path ...`): the generator as a frozen .pb and its
# JSON sidecar, then the ATC command that compiles it for Ascend inference (07_freeze_pb explains each option).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-$root/.venv/bin/python}"; [ -x "$PYTHON" ] || PYTHON=python3
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m stargan_nb freeze "$@"

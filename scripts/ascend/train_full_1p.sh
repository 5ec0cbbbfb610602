#!/usr/bin/env bash
# ModelZoo's train_full_1p.sh for the workbook: a full training run on one chip (ASCEND_DEVICE_ID), resumed from
# output/<id>/ckpt when it exists, through `python -m stargan_nb train`; ends with ModelZoo's summary lines.
source "$(dirname "$0")/common.sh"
parse_args "$@"
run_dir="$out/ckpt"
echo "Device ID: $ASCEND_DEVICE_ID   run directory: $run_dir   log: $out/train_$ASCEND_DEVICE_ID.log"
start=$(date +%s)
status=0
"$PYTHON" -m stargan_nb train --preset "$preset" --run-dir "$run_dir" --no-progress "${sets[@]}" \
  > "$out/train_$ASCEND_DEVICE_ID.log" 2>&1 || status=$?
e2e=$(( $(date +%s) - start ))
if [ "$status" != 0 ]; then tail -n 5 "$out/train_$ASCEND_DEVICE_ID.log" >&2; exit "$status"; fi
summarize "$run_dir" acc "$e2e"

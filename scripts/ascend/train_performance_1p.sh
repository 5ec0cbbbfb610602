#!/usr/bin/env bash
# ModelZoo's train_performance_1p.sh for the workbook: a few hundred iterations (--train_steps, 300 by default) in a
# fresh run directory, for the throughput; the first iteration (graph compilation) is left out of it.
source "$(dirname "$0")/common.sh"
parse_args "$@"
steps="${train_steps:-300}"
run_dir="$out/perf_$(date +%Y%m%d%H%M%S)"
echo "Device ID: $ASCEND_DEVICE_ID   run directory: $run_dir   log: $out/train_$ASCEND_DEVICE_ID.log"
start=$(date +%s)
status=0
"$PYTHON" -m stargan_nb train --preset "$preset" --run-dir "$run_dir" --no-progress --max-iterations "$steps" \
  "${sets[@]}" --set "summary_steps=$(( steps < 20 ? 1 : 10 ))" --set "training_iterations=$steps" \
  > "$out/train_$ASCEND_DEVICE_ID.log" 2>&1 || status=$?
e2e=$(( $(date +%s) - start ))
if [ "$status" != 0 ]; then tail -n 5 "$out/train_$ASCEND_DEVICE_ID.log" >&2; exit "$status"; fi
summarize "$run_dir" perf "$e2e"

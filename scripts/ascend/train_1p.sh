#!/usr/bin/env bash
# The model card's scripts/train_1p.sh (ModelZoo StarGAN_ID1472): its variables, then the workbook's training.
# Edit the paths, or give them as environment variables (image_root=... bash train_1p.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON="${PYTHON:-$root/.venv/bin/python}"; [ -x "$PYTHON" ] || PYTHON=python3
image_root="${image_root:-$root/data/celeba/images}"
metadata_path="${metadata_path:-$root/data/celeba/list_attr_celeba.txt}"
batch_size="${batch_size:-16}"
c_dim="${c_dim:-5}"
selected_attrs="${selected_attrs:-Black_Hair Blond_Hair Brown_Hair Male Young}"
training_iterations="${training_iterations:-200000}"
output_dir="${output_dir:-$root/outputs/celeba}"
summary_steps="${summary_steps:-10}"
save_steps="${save_steps:-500}"
checkpoint_steps="${checkpoint_steps:-1000}"
precision_mode="${precision_mode:-allow_fp32_to_fp16}"   # the model card trains with allow_mix_precision
attrs_json="[$(printf '"%s",' $selected_attrs | sed 's/,$//')]"
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m stargan_nb train --preset celeba --run-dir "$output_dir" \
  --set "image_root=\"$image_root\"" --set "metadata_path=\"$metadata_path\"" --set "batch_size=$batch_size" \
  --set "c_dim=$c_dim" --set "selected_attrs=$attrs_json" --set "training_iterations=$training_iterations" \
  --set "summary_steps=$summary_steps" --set "save_steps=$save_steps" --set "checkpoint_steps=$checkpoint_steps" \
  --set "precision_mode=\"$precision_mode\"" "$@"

# Shared by the 1p scripts here (sourced, not run): ModelZoo's argument names and log places, mapped onto the
# workbook's command line. ModelZoo's conventions: `--name=value` arguments, the chip in ASCEND_DEVICE_ID, the log
# in output/<device id>/train_<device id>.log beside the scripts, summary lines at the end and a <case>.log of
# key = value lines. Unlike ModelZoo's scripts, an unknown argument is an error and nothing already in
# output/<device id> is deleted: a full run resumes from its checkpoints.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
PYTHON="${PYTHON:-$root/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

export RANK_SIZE=1 RANK_ID=0 JOB_ID="${JOB_ID:-10087}"
export ASCEND_DEVICE_ID="${ASCEND_DEVICE_ID:-${DEVICE_ID:-0}}"
export ASCEND_GLOBAL_LOG_LEVEL="${ASCEND_GLOBAL_LOG_LEVEL:-3}"
Network="StarGAN_workbook_for_TensorFlow"
output_root="${STARGAN_ASCEND_OUTPUT:-$here/output}"
out="$output_root/$ASCEND_DEVICE_ID"

data_path="" precision_mode="" preset="celeba" train_steps="" batch_size="" sets=()

usage() {
  cat <<USAGE
usage: $(basename "$0") --data_path=<folder> [--precision_mode=<mode>] [--preset=celeba|toy] [--train_steps=N]
                        [--batch_size=N] [--set=<Config field>=<JSON value> ...]
  --data_path       CelebA: a folder holding images/ and list_attr_celeba.txt (the workbook's layout) or
                    CelebA/Img/img_align_celeba/ and CelebA/Anno/list_attr_celeba.txt (ModelZoo's)
  --precision_mode  default: the preset's, allow_fp32_to_fp16 (00_npu_session says why); ModelZoo's StarGAN
                    uses allow_mix_precision; also force_fp16, force_fp32, must_keep_origin_dtype
  --preset          the workbook's preset (default celeba; toy: the generated toy faces, for a quick check)
  --train_steps     training iterations (default: the preset's)
  --set             any Config field, e.g. --set=image_size=64 (repeatable)
The log goes to $output_root/<ASCEND_DEVICE_ID>/train_<ASCEND_DEVICE_ID>.log (STARGAN_ASCEND_OUTPUT moves it).
USAGE
}

parse_args() {
  for arg in "$@"; do
    case "$arg" in
      --data_path=*) data_path="${arg#*=}" ;;
      --precision_mode=*) precision_mode="${arg#*=}" ;;
      --preset=*) preset="${arg#*=}" ;;
      --train_steps=*) train_steps="${arg#*=}" ;;
      --batch_size=*) batch_size="${arg#*=}" ;;
      --set=*) sets+=(--set "${arg#*=}") ;;
      -h|--help) usage; exit 0 ;;
      *) echo "error: unknown argument '$arg' (ModelZoo's --over_dump, --data_dump_* and --profiling are not" \
              "wrapped: 00_npu_session, 'Under the hood', says how to profile)" >&2; usage >&2; exit 2 ;;
    esac
  done
  if [ -z "$data_path" ]; then echo "error: --data_path=<folder> is required" >&2; usage >&2; exit 2; fi
  if [ ! -d "$data_path" ]; then echo "error: --data_path=$data_path is not a folder" >&2; exit 2; fi
  local images=images attrs=list_attr_celeba.txt
  if [ -d "$data_path/CelebA/Img/img_align_celeba" ]; then
    images=CelebA/Img/img_align_celeba attrs=CelebA/Anno/list_attr_celeba.txt
  fi
  sets+=(--set "image_root=\"$data_path/$images\"" --set "metadata_path=\"$data_path/$attrs\"")
  [ -z "$precision_mode" ] || sets+=(--set "precision_mode=\"$precision_mode\"")
  [ -z "$train_steps" ] || sets+=(--set "training_iterations=$train_steps")
  [ -z "$batch_size" ] || sets+=(--set "batch_size=$batch_size")
  mkdir -p "$out"
}

# The summary lines and files ModelZoo's scripts end with, from the run's metrics.jsonl.
summarize() {  # run_dir case_kind e2e_seconds
  "$PYTHON" "$here/modelzoo_summary.py" --run-dir "$1" --network "$Network" --kind "$2" --e2e "$3" --out "$out"
}

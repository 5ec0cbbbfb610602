#!/bin/bash
# Train StarGAN on the 8 NPUs of one Ascend 910 server, ModelZoo's way: one process per NPU, HCCL joining them
# through the rank table, batch_size per NPU (8 x 2 keeps the paper's global batch of 16; README, "More than
# one device").
#
#   bash scripts/ascend/train_full_8p.sh --data_path=/data/celeba [--rank_table=rank_table_8p.json]
#        [--batch_size=2] [--output_dir=outputs/celeba_8p] [--precision_mode=allow_mix_precision]
#        [--train_steps=200000] [--set key=value ...]
#
# RANK_TABLE_FILE (or --rank_table) names the 8 devices, as hccl_tools.py writes it; it is checked before any
# graph is built. Each rank's log is output/<device>/train_<device>.log (STARGAN_ASCEND_OUTPUT moves output/,
# as for the 1p scripts); only rank 0 writes the run.
cur_path=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${cur_path}/../.." && pwd)

export RANK_SIZE=8
RANK_ID_START=0
data_path=""
batch_size=2
output_dir="outputs/celeba_8p"
precision_mode="allow_fp32_to_fp16"
train_steps=""
extra=()

while [[ $# -gt 0 ]]; do
    case "$1" in
        --data_path=*) data_path="${1#*=}" ;;
        --rank_table=*) export RANK_TABLE_FILE="${1#*=}" ;;
        --batch_size=*) batch_size="${1#*=}" ;;
        --output_dir=*) output_dir="${1#*=}" ;;
        --precision_mode=*) precision_mode="${1#*=}" ;;
        --train_steps=*) train_steps="${1#*=}" ;;
        --set) extra+=(--set "$2"); shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [[ -z "${data_path}" ]]; then
    echo "error: --data_path is required: the folder holding images/ and list_attr_celeba.txt" >&2; exit 2
fi
export RANK_TABLE_FILE=${RANK_TABLE_FILE:-${cur_path}/rank_table_8p.json}
if [[ ! -f "${RANK_TABLE_FILE}" ]]; then
    echo "error: RANK_TABLE_FILE ${RANK_TABLE_FILE} does not exist; write it with hccl_tools.py --device_num=[0,8)" \
         "or pass --rank_table=<file>" >&2; exit 2
fi

settings=(--set "image_root=\"${data_path}/images\"" --set "metadata_path=\"${data_path}/list_attr_celeba.txt\""
          --set "batch_size=${batch_size}" --set "device=\"npu\"" --set "precision_mode=\"${precision_mode}\""
          --set "distribution=\"hccl\"")
if [[ -n "${train_steps}" ]]; then settings+=(--set "training_iterations=${train_steps}"); fi

out_root=${STARGAN_ASCEND_OUTPUT:-output}
case "${out_root}" in /*) ;; *) out_root=$(pwd)/${out_root} ;; esac
cd "${root}" || exit 1
pids=()
for ((RANK_ID = RANK_ID_START; RANK_ID < RANK_SIZE + RANK_ID_START; RANK_ID++)); do
    export RANK_ID
    export DEVICE_ID=${RANK_ID}
    export ASCEND_DEVICE_ID=${RANK_ID}
    log_dir=${out_root}/${ASCEND_DEVICE_ID}
    mkdir -p "${log_dir}"
    progress=()
    if [[ ${RANK_ID} -ne 0 ]]; then progress=(--no-progress); fi
    python3 -m stargan_nb train --preset celeba --run-dir "${output_dir}" "${settings[@]}" "${extra[@]}" \
        "${progress[@]}" > "${log_dir}/train_${ASCEND_DEVICE_ID}.log" 2>&1 &
    pids+=($!)
done

status=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
        echo "rank ${i} failed: see ${out_root}/${i}/train_${i}.log" >&2
        status=1
    fi
done
echo "rank 0's log: ${out_root}/0/train_0.log; the run: ${output_dir}"
exit ${status}

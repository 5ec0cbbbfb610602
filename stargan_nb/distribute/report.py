"""What a session sees: how many devices, and how to train on more than one (for notebook 00)."""
import os


def describe_devices(environ=None):
    """A few lines: the devices TensorFlow sees here, the job this process belongs to, and the commands that
    train on all of them."""
    from ..runtime import device as devices
    from ..runtime.tfcompat import tf
    from .world import ENGINE_WORDS, detect_engine
    env = os.environ if environ is None else environ
    from tensorflow.python.client import device_lib
    local = [d.device_type for d in device_lib.list_local_devices()]
    gpus = local.count("GPU")
    npu = devices.npu_available()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    engine = detect_engine(env)
    lines = ["TensorFlow {} sees: {} CPU core(s), {} GPU(s), npu_bridge {}".format(
        tf.__version__, cores, gpus, "importable" if npu else "absent")]
    if engine != "none":
        lines.append("this process is part of a job: {} (RANK_ID={}, RANK_SIZE={}, TF_CONFIG {})".format(
            ENGINE_WORDS[engine], env.get("RANK_ID", "-"), env.get("RANK_SIZE", "-"),
            "set" if env.get("TF_CONFIG") else "unset"))
    if npu:
        lines.append("8 NPUs: bash scripts/ascend/train_full_8p.sh --data_path=... (RANK_TABLE_FILE names them)")
    if gpus > 1:
        lines.append("{} GPUs: horovodrun -np {} python -m stargan_nb train --preset celeba (Horovod), or "
                     "python -m stargan_nb train --workers {} (no extra package)".format(gpus, gpus, gpus))
    lines.append("more processes on this machine: python -m stargan_nb train --workers N "
                 "(batch_size is per process; README, 'More than one device')")
    return "\n".join(lines)

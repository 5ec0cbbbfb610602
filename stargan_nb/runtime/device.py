"""Which device runs the graph (Ascend NPU, GPU or CPU), and the tf.Session settings for each.

npu_bridge ships with Huawei CANN, not with pip: it is imported only when present, so everything
else runs without it. The NPU session recipe is the one of Huawei's TF 1.15 model zoo.
"""
import importlib
import os
import shutil

from .modes import DEVICES, PRECISION_MODES  # noqa: F401 (DEVICES: public)
from .tfcompat import tf

ASCEND_VARIABLES = (
    ("ASCEND_DEVICE_ID", "which NPU to use (0-7); DEVICE_ID is the older name"),
    ("RANK_SIZE", "number of devices in the job (1 for a single NPU)"),
    ("RANK_ID", "this process's rank (0 for a single NPU)"),
    ("JOB_ID", "any job identifier, used in Ascend's log and dump paths"),
    ("ASCEND_GLOBAL_LOG_LEVEL", "0 debug, 1 info, 2 warning, 3 error"),
    ("ASCEND_OPP_PATH", "the operator package, e.g. <CANN>/opp"),
)


def npu_available() -> bool:
    try:
        importlib.import_module("npu_bridge")
        return True
    except ImportError:
        return False


def gpu_available() -> bool:
    try:
        return bool(tf.config.experimental.list_physical_devices("GPU"))
    except Exception:  # a broken CUDA install must not stop a CPU run
        return False


def detect_device() -> str:
    """"npu" when npu_bridge imports, "gpu" when TensorFlow sees a GPU, else "cpu"."""
    if npu_available():
        return "npu"
    if gpu_available():
        return "gpu"
    return "cpu"


def resolve_device(device: str) -> str:
    """The device a run trains on: "auto" is detect_device(); a device asked for by name must be here
    (check_present), since TensorFlow would otherwise place every op on the CPU and say nothing."""
    if device == "auto":
        return detect_device()
    check_present(device)
    return device


def check_present(device: str) -> None:
    """Raise ConfigError naming the parameter `device` when this machine lacks the device asked for.

    Why: allow_soft_placement (session_config) quietly moves a GPU graph onto the CPU, and a run reported
    as trained on the GPU would have taken hours on the CPU. Building a graph for an absent device stays
    possible (session_config, wrap_optimizer): only a session meant to run on it is refused.
    """
    from .errors import ConfigError
    if device == "gpu" and not gpu_available():
        why = "this TensorFlow cannot use this machine's NVIDIA GPU: {}".format(_why_gpu_unseen(tensorflow_build())) \
            if gpu_hardware_present() else "TensorFlow {} sees no GPU on this machine".format(tf.__version__)
        raise ConfigError(
            'device is "gpu" but {}. Set device="auto" (the best device here) or "cpu" to train on the CPU, or '
            "install TensorFlow's GPU build: `make setup TF_BUILD=stock` (tensorflow 1.15.5, CUDA 10.0) or "
            "pip install 'tensorflow[and-cuda]' in .venv-tf2".format(why))
    if device == "npu" and not npu_available():
        raise ConfigError(
            'device is "npu" but npu_bridge does not import here (it ships with Huawei CANN, not with pip). Run '
            "on the Ascend host with CANN's environment set (00_npu_session lists the variables), or set "
            'device="auto" or "cpu" to train on this machine')


def _check(device, precision_mode):
    if device not in ("npu", "gpu", "cpu"):
        raise ValueError("device must be npu, gpu or cpu (or auto in Config), got {!r}".format(device))
    if precision_mode not in PRECISION_MODES:
        raise ValueError("precision_mode must be one of {}, got {!r}".format(", ".join(PRECISION_MODES), precision_mode))


def session_config(device: str, precision_mode: str = "allow_fp32_to_fp16") -> "tf.ConfigProto":
    """The tf.ConfigProto for a device.

    npu: the NpuOptimizer custom optimizer (offline mode, precision_mode), with TensorFlow's
    remapping and memory optimisation off, as Ascend requires. gpu: memory grows as needed;
    with allow_mix_precision, TensorFlow's automatic mixed precision rewrite. cpu: one
    intra-op thread per core, one op at a time; with allow_mix_precision, grappler's bf16 rewrite through
    oneDNN, and a ValueError saying why where this CPU or TensorFlow cannot (cpu_bf16_problem).
    """
    _check(device, precision_mode)
    from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig
    config = tf.ConfigProto(allow_soft_placement=True)
    if device == "npu":
        if npu_available():
            importlib.import_module("npu_bridge.npu_init")  # registers the NpuOptimizer
        op = config.graph_options.rewrite_options.custom_optimizers.add()
        op.name = "NpuOptimizer"
        op.parameter_map["use_off_line"].b = True
        op.parameter_map["precision_mode"].s = tf.compat.as_bytes(precision_mode)
        config.graph_options.rewrite_options.remapping = RewriterConfig.OFF
        config.graph_options.rewrite_options.memory_optimization = RewriterConfig.OFF
    elif device == "gpu":
        config.gpu_options.allow_growth = True
        if precision_mode == "allow_mix_precision":
            config.graph_options.rewrite_options.auto_mixed_precision = RewriterConfig.ON
    else:
        if precision_mode == "allow_mix_precision":
            problem = cpu_bf16_problem()
            if problem:
                raise ValueError("precision_mode allow_mix_precision on the CPU trains in bf16, but " + problem)
            setattr(config.graph_options.rewrite_options, _bf16_rewrite(), RewriterConfig.ON)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        # One op at a time, each using every core: the big convolutions parallelise well inside,
        # and two concurrent ops would only fight over the same cores (bench/bench_train.py).
        config.intra_op_parallelism_threads = cores
        config.inter_op_parallelism_threads = 1
    return config


# Which precision modes compute in 16 bits, and in which type. NPU, from CANN's documentation of
# precision_mode (ATC / GE options, Ascend 910): allow_fp32_to_fp16 runs matrix ("cube") operators such as
# convolutions in fp16; force_fp16 runs everything that has an fp16 kernel in fp16; allow_mix_precision
# lowers the operators of its built-in list to fp16; force_fp32 (cube_fp16in_fp32out) still prefers fp16
# inputs with fp32 outputs for cube operators. Only must_keep_origin_dtype keeps fp32 throughout (and
# fails on chips whose convolutions have no fp32 kernel). GPU: only allow_mix_precision (TensorFlow's
# automatic mixed precision) leaves fp32. CPU: allow_mix_precision is grappler's bf16 rewrite through oneDNN
# (cpu_bf16_problem says where it cannot run). WGAN-GP's second-order gradients are the first to underflow.
HALF_PRECISION = {
    "npu": {m: "fp16" for m in ("allow_fp32_to_fp16", "force_fp16", "allow_mix_precision", "force_fp32")},
    "gpu": {"allow_mix_precision": "fp16"},
    "cpu": {"allow_mix_precision": "bf16"},
}


def compute_dtype(device: str, precision_mode: str) -> str:
    """"fp16", "bf16" or "fp32": what the device's matrix operators compute in under precision_mode."""
    _check(device, precision_mode)
    return HALF_PRECISION[device].get(precision_mode, "fp32")


def needs_loss_scaling(device: str, precision_mode: str) -> bool:
    """Every 16-bit mode. bf16 has fp32's exponent range and could do without, but the CPU's bf16 is the
    stand-in for the GPU's and the NPU's mixed precision on machines without them, so it runs the same
    wrapper: the scale, the overflow check and the skipped updates are exercised wherever the tests run."""
    return compute_dtype(device, precision_mode) != "fp32"


def _bf16_rewrite():
    """The name of this TensorFlow's grappler option for bf16 on CPUs (None in TF 1.15, which has none)."""
    from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig
    fields = {f.name for f in RewriterConfig.DESCRIPTOR.fields}
    return next((f for f in ("auto_mixed_precision_onednn_bfloat16", "auto_mixed_precision_mkl") if f in fields), None)


def cpu_bf16_problem() -> str:
    """Why bf16 training cannot run on this CPU with this TensorFlow, in words; "" when it can."""
    from . import cpu
    if _bf16_rewrite() is None:
        return ("TensorFlow {} has no bf16 rewrite for CPUs (grappler's auto_mixed_precision_onednn_bfloat16 "
                "arrived in TF 2.9, as auto_mixed_precision_mkl in 2.3); use the TF 2.x environment "
                "(make setup-tf2, .venv-tf2), or precision_mode must_keep_origin_dtype for fp32".format(tf.__version__))
    if not cpu.bf16_flags():
        return ("this CPU ({}) has no bf16 instructions ({} not among its /proc/cpuinfo flags); oneDNN would "
                "emulate bf16, slower than fp32: use precision_mode must_keep_origin_dtype (fp32) here".format(
                    cpu.cpu_model(), " or ".join(cpu.BF16_FLAGS)))
    return ""


def wrap_optimizer(optimizer, device: str, precision_mode: str, initial_loss_scale: float = 2 ** 16):
    """Dynamic loss scaling wherever the device computes in 16 bits (HALF_PRECISION).

    npu: NPULossScaleOptimizer with an ExponentialUpdateLossScaleManager (initial_loss_scale, doubled
    after 1000 finite steps, halved after 2 overflows), the recipe of Huawei's model zoo. gpu: TensorFlow's
    loss-scale optimizer for its automatic mixed precision, with a dynamic scale (doubled after 2000 finite
    steps, halved on each overflow); cpu (bf16): the GPU's wrapper. Both skip an update whose gradients are
    not finite. `loss_scale(wrapped)` reads the current scale.
    """
    _check(device, precision_mode)
    if not needs_loss_scaling(device, precision_mode):
        return optimizer
    if device == "npu":
        npu_init = importlib.import_module("npu_bridge.npu_init")
        manager = npu_init.ExponentialUpdateLossScaleManager(
            init_loss_scale=initial_loss_scale, incr_every_n_steps=1000, decr_every_n_nan_or_inf=2,
            decr_ratio=0.5)
        wrapped = npu_init.NPULossScaleOptimizer(optimizer, manager)
        wrapped.stargan_loss_scale = manager.get_loss_scale
        return wrapped
    # The rewrite itself is session_config("gpu", "allow_mix_precision")'s auto_mixed_precision, per session;
    # enable_mixed_precision_graph_rewrite would also switch it on for every later session of the process.
    scale = tf.train.experimental.DynamicLossScale(initial_loss_scale=initial_loss_scale)
    wrapped = tf.train.experimental.MixedPrecisionLossScaleOptimizer(optimizer, scale)
    wrapped.stargan_loss_scale = scale
    return wrapped


def loss_scale(optimizer):
    """The current loss scale of an optimizer from wrap_optimizer, as a tensor; None without loss scaling."""
    read = getattr(optimizer, "stargan_loss_scale", None)
    return None if read is None else tf.cast(read(), tf.float32)


def environment_report() -> dict:
    """What an Ascend run needs from the environment, what is set and what is missing."""
    env = os.environ
    rows = []
    for name, why in ASCEND_VARIABLES:
        value = env.get(name)
        if name == "ASCEND_DEVICE_ID" and value is None and env.get("DEVICE_ID") is not None:
            value = env.get("DEVICE_ID") + " (from DEVICE_ID)"
        rows.append({"variable": name, "value": value, "purpose": why})
    pythonpath = env.get("PYTHONPATH", "")
    plugin = [p for p in pythonpath.split(os.pathsep) if "tfplugin" in p]
    rows.append({"variable": "PYTHONPATH (tfplugin)", "value": plugin[0] if plugin else None,
                 "purpose": "CANN's tfplugin site-packages, where npu_bridge lives"})
    ld = [p for p in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if "fwkacllib" in p]
    rows.append({"variable": "LD_LIBRARY_PATH (fwkacllib)", "value": ld[0] if ld else None,
                 "purpose": "CANN's fwkacllib/lib64 shared libraries"})
    return {
        "device": detect_device(),
        "gpu_hardware": gpu_hardware_present(),
        "npu_bridge": npu_available(),
        "tensorflow": tf.__version__,
        "build": tensorflow_build(),
        "variables": rows,
        "missing": [r["variable"] for r in rows if r["value"] is None],
    }


def format_report(report: dict) -> str:
    """The report as text. Without npu_bridge the Ascend variables are listed as what an Ascend host needs,
    not as missing: on a CPU or GPU machine none of them is used."""
    build = report.get("build") or {}
    onednn = {True: ", oneDNN on", False: ", no oneDNN"}.get(build.get("onednn"), "")
    lines = ["device: {}   tensorflow {} ({}{})   npu_bridge importable: {}".format(
        report["device"], report["tensorflow"], build.get("distribution", "?"), onednn, report["npu_bridge"])]
    on_ascend = report["npu_bridge"]
    lines.append("Ascend variables{}:".format("" if on_ascend else " (needed on an Ascend host; unused here)"))
    unset = "(not set)" if on_ascend else "(not set: not needed here)"
    for r in report["variables"]:
        lines.append("  {:<28} {:<40} {}".format(r["variable"], r["value"] or unset, r["purpose"]))
    if report["missing"] and on_ascend:
        lines.append("missing: " + ", ".join(report["missing"]))
    note = gpu_note(report)
    if note:
        lines.append(note)
    return "\n".join(lines)


def gpu_hardware_present() -> bool:
    """An NVIDIA driver on this machine, whether or not this TensorFlow build can use it."""
    return os.path.exists("/proc/driver/nvidia/version") or shutil.which("nvidia-smi") is not None


def gpu_note(report: dict) -> str:
    """Why a GPU shows as `cpu`: the CPU-only TensorFlow builds never see one. Empty when nothing to explain."""
    if report["device"] != "cpu" or not report.get("gpu_hardware"):
        return ""
    return ("note: this machine has an NVIDIA GPU, but {}, so training runs on the CPU. For the GPU use the "
            "stock build, `make setup TF_BUILD=stock` (tensorflow 1.15.5, CUDA 10.0), or TensorFlow 2.x with "
            "its CUDA packages in {}".format(_why_gpu_unseen(report.get("build") or {}),
                                             ".venv-tf2 (pip install 'tensorflow[and-cuda]')"))


def _why_gpu_unseen(build: dict) -> str:
    dist = build.get("distribution", "")
    return "{} is a CPU-only build".format(dist.split("==")[0]) if dist.startswith(("intel-tensorflow", "tensorflow-cpu")) \
        else "TensorFlow does not see it (check CUDA and cuDNN: TF 1.15 needs CUDA 10.0 and cuDNN 7.6)"


def tensorflow_build() -> dict:
    """Which TensorFlow package is installed (stock or intel-tensorflow) and whether oneDNN is on.

    The two builds of TF 1.15 differ by more than 2x in CPU training speed, so benchmarks and
    reports name the build, not only the version.
    """
    try:
        from importlib import metadata
    except ImportError:  # Python 3.7
        import importlib_metadata as metadata
    dists = []
    for name in ("intel-tensorflow", "tensorflow", "tensorflow-cpu", "tensorflow-intel"):
        try:
            dists.append("{}=={}".format(name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            pass
    onednn = None
    try:
        from tensorflow.python.framework import test_util
        onednn = bool(test_util.IsMklEnabled())
    except Exception:  # not every build exposes it
        pass
    return {"tensorflow": tf.__version__, "distribution": dists[0] if dists else "unknown", "onednn": onednn}

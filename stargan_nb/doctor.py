"""`python -m stargan_nb doctor`: can training start here? One line per check, each failed one with its fix.

Why: when an Ascend device is not usable (CANN's environment not sourced, the driver's libraries not found, the
chip busy or unhealthy, npu_bridge built for another TensorFlow) or a GPU is not seen, TensorFlow says so only
as a stack trace deep inside session creation. These checks read the environment, the files and the device
tools' tables instead, and open no session. The exit status is 1 when a check that training needs fails.
"""
import os
import shutil
import sys
from collections import namedtuple

from .config import Config, parse_overrides
from .kinds import DatasetKind, kind_of
from .runtime import cpu, smi
from .runtime.paths import resolve

# status: "ok", "FAIL" (training cannot start), "warn" (it can, but look), "info" (what this machine has)
Line = namedtuple("Line", "check status detail fix")

# A chip's Health column in `npu-smi info`: OK and Warning can train; Alarm and Critical cannot.
NPU_HEALTHY = ("OK", "Warning")
# The CUDA each TensorFlow 1.15 GPU build was compiled with; TF 2.x builds say it themselves (get_build_info).
TF115_CUDA = "10.0"
# Free disk a run needs beyond its checkpoints' first save: logs, sample grids, TensorBoard events.
MIN_FREE_BYTES = 1 << 30

SET_ENV = "source /usr/local/Ascend/ascend-toolkit/set_env.sh (or <CANN>/set_env.sh of your install)"


def ok(check, detail):
    return Line(check, "ok", detail, "")


def fail(check, detail, fix):
    return Line(check, "FAIL", detail, fix)


def device_to_check(asked, npu_bridge_imports, gpu_seen):
    """The device whose checks run: the one asked for, or under "auto" the one this machine looks meant for
    (an Ascend host shows npu-smi or CANN's variables even when npu_bridge does not import yet)."""
    if asked != "auto":
        return asked
    if npu_bridge_imports or shutil.which("npu-smi") or os.environ.get("ASCEND_OPP_PATH"):
        return "npu"
    if gpu_seen or shutil.which("nvidia-smi"):
        return "gpu"
    return "cpu"


def npu_bridge_check(tf_version):
    """npu_bridge imports, and its TF Adapter loads against this TensorFlow (a build for another TensorFlow
    fails to load its shared library with an undefined symbol)."""
    try:
        import npu_bridge.npu_init  # noqa: F401
    except ImportError as err:
        text = str(err)
        if "undefined symbol" in text or "libtensorflow" in text:
            return fail("npu_bridge", "installed, but built for another TensorFlow: " + text.splitlines()[0],
                        "use the TensorFlow that came with this CANN (the Ascend image's Python, or its "
                        "tensorflow wheel) and `make setup TF_BUILD=system PYTHON37=<that python>`")
        return fail("npu_bridge", "does not import: " + text.splitlines()[0],
                    SET_ENV + " before starting Python (it puts CANN's tfplugin on PYTHONPATH)")
    if not tf_version.startswith("1.15"):
        return fail("npu_bridge", "imports, but TensorFlow is {}; CANN's TF Adapter pairs with 1.15".format(
            tf_version), "run with the .venv built by `make setup TF_BUILD=system` over CANN's Python 3.7")
    return ok("npu_bridge", "imports with TensorFlow {}".format(tf_version))


def _dirs_holding(filename, env=None):
    env = os.environ if env is None else env
    return [d for d in env.get("LD_LIBRARY_PATH", "").split(os.pathsep) if d and os.path.exists(os.path.join(d, filename))]


def cann_checks(env=None):
    """The variables CANN's set_env.sh sets, and the shared libraries of CANN and of the driver."""
    env = os.environ if env is None else env
    lines = []
    for name, what in (("ASCEND_OPP_PATH", "the operator package"), ("ASCEND_AICPU_PATH", "the AI CPU kernels")):
        value = env.get(name)
        if not value:
            lines.append(fail(name, "not set ({})".format(what), SET_ENV))
        elif not os.path.isdir(value):
            lines.append(fail(name, "{} is not a folder".format(value),
                              "point it at <CANN>/opp (re-source set_env.sh of the CANN actually installed)"))
        else:
            lines.append(ok(name, value))
    for lib, whose, fix in (
            ("libge_runner.so", "CANN's graph engine", SET_ENV),
            ("libascend_hal.so", "the NPU driver's",
             "export LD_LIBRARY_PATH=/usr/local/Ascend/driver/lib64/driver:/usr/local/Ascend/driver/lib64/common:"
             "$LD_LIBRARY_PATH (in a container: mount /usr/local/Ascend/driver from the host)")):
        found = _dirs_holding(lib, env)
        lines.append(ok("LD_LIBRARY_PATH: " + lib, found[0]) if found else
                     fail("LD_LIBRARY_PATH: " + lib, "no folder on LD_LIBRARY_PATH holds {} ({} library)".format(
                         lib, whose), fix))
    return lines


def device_id(env=None):
    """The chip a run uses: ASCEND_DEVICE_ID, else DEVICE_ID (the older name), else 0."""
    env = os.environ if env is None else env
    value = env.get("ASCEND_DEVICE_ID", env.get("DEVICE_ID", "0"))
    return int(value) if str(value).strip().isdigit() else value


def npu_smi_checks(env=None):
    """`npu-smi info` lists the chip DEVICE_ID / ASCEND_DEVICE_ID names, healthy and with no process on it."""
    wanted = device_id(env)
    text, problem = smi.run_tool("npu-smi", ["info"])
    if text is None:
        return [fail("npu-smi info", problem, "install the Ascend driver and firmware (npu-smi ships with the "
                     "driver, /usr/local/Ascend/driver/tools); in a container, mount /usr/local/sbin/npu-smi and "
                     "the /dev/davinci* devices from the host")]
    chips = smi.parse_npu_smi(text)
    if not chips:
        return [fail("npu-smi info", "lists no chip", "check the driver with `npu-smi info` as root; in a container "
                     "pass --device=/dev/davinci<N> --device=/dev/davinci_manager")]
    chip = next((c for c in chips if c["device_id"] == wanted), None)
    listed = ", ".join(str(c["device_id"]) for c in chips)
    if chip is None:
        return [fail("npu-smi info", "device {} is not among the chips listed ({})".format(wanted, listed),
                     "export ASCEND_DEVICE_ID=<one of {}>".format(listed))]
    name = "device {} ({}, {})".format(wanted, chip["name"], chip["bus_id"])
    lines = []
    if chip["health"] not in NPU_HEALTHY:
        lines.append(fail("npu-smi: health", "{} is {}".format(name, chip["health"]),
                          "`npu-smi info -t health -i {}` says why; pick a healthy chip with ASCEND_DEVICE_ID or "
                          "ask the host's administrator to reset it".format(chip["npu"])))
    else:
        lines.append(Line("npu-smi: health", "ok" if chip["health"] == "OK" else "warn",
                          "{} is {}".format(name, chip["health"]), ""))
    others = [p for p in chip["processes"] if p["pid"] != str(os.getpid())]
    free = [str(c["device_id"]) for c in chips if not c["processes"] and c["health"] in NPU_HEALTHY]
    if others:
        lines.append(fail("npu-smi: free", "{} is taken by {}".format(
            name, ", ".join("{} (pid {})".format(p["name"], p["pid"]) for p in others)),
            "export ASCEND_DEVICE_ID=<a free chip: {}>, or wait for that process".format(", ".join(free) or "none")))
    else:
        lines.append(ok("npu-smi: free", "no process on " + name))
    return lines


def writable(path) -> bool:
    """Whether path (made if absent, by whoever writes there first) can be written: the nearest existing folder
    on its way must be writable. Nothing is created."""
    p = os.path.abspath(os.path.expanduser(str(path)))
    while not os.path.exists(p):
        parent = os.path.dirname(p)
        if parent == p:
            return False
        p = parent
    return os.path.isdir(p) and os.access(p, os.W_OK | os.X_OK)


def npu_folder_checks(env=None):
    """CANN writes its logs (plog) and compiled kernels (kernel_meta, the kernel cache) where these say."""
    env = os.environ if env is None else env
    folders = (("log folder", env.get("ASCEND_PROCESS_LOG_PATH") or "~/ascend/log", "ASCEND_PROCESS_LOG_PATH"),
               ("kernel cache", env.get("ASCEND_CACHE_PATH") or "~/atc_data", "ASCEND_CACHE_PATH"),
               ("kernel_meta (working folder)", os.getcwd(), None))
    lines = []
    for check, path, variable in folders:
        if writable(path):
            lines.append(ok(check, os.path.expanduser(path)))
        else:
            lines.append(fail(check, "{} cannot be written".format(path),
                              "export {}=<a writable folder>".format(variable) if variable else
                              "start training from a folder you can write to"))
    return lines


def gpu_checks(tf_version, gpu_seen, build_cuda):
    lines = [ok("TensorFlow sees a GPU", "yes") if gpu_seen else
             fail("TensorFlow sees a GPU", "no (TensorFlow {})".format(tf_version),
                  "`make setup TF_BUILD=stock` (tensorflow 1.15.5 needs CUDA 10.0 and cuDNN 7.6) or TensorFlow "
                  "2.x with its CUDA packages in .venv-tf2 (pip install 'tensorflow[and-cuda]')")]
    text, problem = smi.run_tool("nvidia-smi")
    if text is None:
        lines.append(fail("nvidia-smi", problem, "install the NVIDIA driver (nvidia-smi comes with it); in a "
                          "container run it with --gpus all"))
        return lines
    info = smi.parse_nvidia_smi(text)
    lines.append(Line("nvidia-smi", "ok" if info["gpus"] else "FAIL", "{} GPU(s): {}; driver {}".format(
        len(info["gpus"]), ", ".join(info["gpus"]) or "none", info["driver_version"]),
        "" if info["gpus"] else "the driver lists no GPU: check `nvidia-smi` as root"))
    if not build_cuda:
        lines.append(fail("driver's CUDA", "this TensorFlow build has no CUDA (a CPU-only build)",
                          "install a GPU build: `make setup TF_BUILD=stock`, or tensorflow[and-cuda] in .venv-tf2"))
    elif info["cuda_version"] is None:
        lines.append(Line("driver's CUDA", "warn", "nvidia-smi does not print a CUDA version (driver older than "
                          "410?)", "a driver of 410.48 or later runs CUDA 10.0"))
    elif smi.version_tuple(info["cuda_version"]) < smi.version_tuple(build_cuda):
        lines.append(fail("driver's CUDA", "the driver runs CUDA up to {}, this TensorFlow needs {}".format(
            info["cuda_version"], build_cuda), "upgrade the NVIDIA driver to one whose CUDA Version is {} or "
            "later".format(build_cuda)))
    else:
        lines.append(ok("driver's CUDA", "driver runs CUDA up to {}; this TensorFlow needs {}".format(
            info["cuda_version"], build_cuda)))
    return lines


def cpu_checks(build, bf16_problem):
    onednn = {True: "on", False: "off", None: "unknown"}[build.get("onednn")]
    lines = [Line("CPU", "info", cpu.cpu_model(), ""),
             Line("oneDNN", "info" if build.get("onednn") else "warn", "{} ({})".format(onednn, build.get(
                 "distribution")), "" if build.get("onednn") else
                 "on x86-64, `make setup TF_BUILD=intel` (intel-tensorflow, about 2x faster on CPUs)")]
    flags = cpu.bf16_flags()
    lines.append(Line("bf16 / AMX", "info", "{}; precision_mode allow_mix_precision: {}".format(
        ", ".join(flags) if flags else "no bf16 instructions", bf16_problem or "available"), ""))
    return lines


def dataset_paths(config):
    """(Config field, path, must be a folder) for every file or folder a run of this config reads."""
    kind = kind_of(config)
    fields = {kind.split_field("image_root"), kind.split_field("metadata_path")}
    if type(kind).load_second is not DatasetKind.load_second:  # joint training reads a second dataset
        fields.add("rafd_image_root")
    return [(f, getattr(config, f), f.endswith("root")) for f in sorted(fields)]


def data_checks(config, preset):
    lines = []
    for field, path, folder in dataset_paths(config):
        full = resolve(path)
        there = full.is_dir() if folder else full.is_file()
        if there:
            lines.append(ok("data: " + field, str(full)))
        elif preset.startswith("toy"):
            lines.append(Line("data: " + field, "info", "{} (the toy faces are drawn at the first run)".format(full),
                              ""))
        else:
            lines.append(fail("data: " + field, "{} is not a {}".format(full, "folder" if folder else "file"),
                              "--set {}=<the {}> (README, 'Your own data')".format(field, "folder" if folder else
                                                                               "file")))
    return lines


def disk_check(run_dir):
    where = resolve(run_dir)
    probe = where
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    free = shutil.disk_usage(str(probe)).free
    if not writable(where):
        return fail("run directory", "{} cannot be written".format(where), "--run-dir <a writable folder>")
    if free < MIN_FREE_BYTES:
        return fail("free disk", "{:.2f} GB free at {}".format(free / 1e9, probe),
                    "free space or --run-dir on another disk (a run needs about 1 GB)")
    return ok("free disk", "{:.1f} GB free at {}".format(free / 1e9, probe))


def diagnose(device="auto", preset="toy", overrides=None, run_dir=None):
    """Every check for the device this run would use, in order: the lines of the table."""
    from .runtime import device as devices
    from .runtime.tfcompat import tf
    config = Config.preset(preset, **(overrides or {}))
    asked = device if device != "auto" else config.device
    build = devices.tensorflow_build()
    gpu_seen = devices.gpu_available()
    chosen = device_to_check(asked, devices.npu_available(), gpu_seen)
    lines = [Line("device", "info", "{} (asked: {}); TensorFlow {}, {}".format(
        chosen, asked, tf.__version__, build.get("distribution")), "")]
    if chosen == "npu":
        lines.append(npu_bridge_check(tf.__version__))
        lines += cann_checks()
        lines += npu_smi_checks()
        lines += npu_folder_checks()
        lines.append(Line("precision_mode", "info", "{} (start with allow_fp32_to_fp16, the default, then "
                          "ModelZoo's allow_mix_precision; both scale the loss: 00, step 3)".format(
                              config.precision_mode), ""))
    elif chosen == "gpu":
        lines += gpu_checks(tf.__version__, gpu_seen, build_cuda(tf))
    lines += cpu_checks(build, devices.cpu_bf16_problem())
    lines += data_checks(config, preset)
    lines.append(disk_check(run_dir or config.output_dir))
    return lines


def build_cuda(tf):
    """The CUDA version this TensorFlow was built with; "" for a CPU-only build."""
    if not tf.test.is_built_with_cuda():
        return ""
    info = getattr(getattr(tf, "sysconfig", None), "get_build_info", None)
    return str(info().get("cuda_version", "")) if info else TF115_CUDA


def can_train(lines) -> bool:
    return not any(line.status == "FAIL" for line in lines)


def format_table(lines):
    width = max(len(line.check) for line in lines)
    out = []
    for line in lines:
        out.append("{:<4}  {:<{w}}  {}".format(line.status, line.check, line.detail, w=width))
        if line.fix:
            out.append("{:<4}  {:<{w}}  fix: {}".format("", "", line.fix, w=width))
    verdict = "training can start" if can_train(lines) else "training cannot start: fix the FAIL lines above"
    return "\n".join(out + ["", verdict])


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m stargan_nb doctor", description=__doc__.splitlines()[0])
    p.add_argument("--device", default="auto", choices=("auto", "npu", "gpu", "cpu"))
    p.add_argument("--preset", default="toy", help="the preset whose dataset paths are checked")
    p.add_argument("--run-dir", default=None, help="where the run will write (default: the preset's output_dir)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a Config field, as in train")
    a = p.parse_args(argv)
    lines = diagnose(a.device, a.preset, parse_overrides(a.set), a.run_dir)
    print(format_table(lines))
    sys.stdout.flush()
    return 0 if can_train(lines) else 1

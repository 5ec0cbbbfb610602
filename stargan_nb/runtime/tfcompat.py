"""TensorFlow as the workbook uses it: graph mode through tf.compat.v1, on TF 1.15 and on TF 2.x.

Every module imports `tf` from here, so the version switch and the log settings live in one place.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep C++ start-up chatter out of notebooks
# intel-tensorflow's OpenMP threads otherwise spin 200 ms after each op, stealing the cores from the
# next op; 0 (no spinning) pays a wake-up on every small op instead, and 1 ms sits between (README, "Speed on
# a CPU", has the measurements). Must be set before TensorFlow loads; ignored by builds without OpenMP.
os.environ.setdefault("KMP_BLOCKTIME", "1")
# intel-tensorflow 1.15 runs MatMul through Intel MKL (libmklml), which picks a slow generic code path on
# non-Intel CPUs; this variable asks MKL for its AVX2 path whatever the vendor (README, "Speed on a CPU").
# Intel CPUs and builds without MKL ignore it; MKL 2020.1 and later dropped it, and intel-tensorflow 1.15.2
# ships 2019.0.
os.environ.setdefault("MKL_DEBUG_CPU_TYPE", "5")

try:
    import tensorflow.compat.v1 as tf  # noqa: E402
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "stargan_nb needs TensorFlow, installed as one of the extras: pip install -e '.[tf-intel]' "
        "(intel-tensorflow 1.15, fastest on CPUs), '.[tf-stock]' (tensorflow 1.15, for CUDA 10 GPUs "
        "and Ascend) or '.[tf2]' (TensorFlow 2.x on Python >= 3.9). `make setup` does this for you. "
        "({})".format(err)) from err
import tensorflow.compat.v2 as tf2  # noqa: E402,F401  (resize with antialias lives in the v2 API)

tf.logging.set_verbosity(tf.logging.ERROR)
tf.disable_v2_behavior()

TF_VERSION = tf.__version__
IS_TF2 = TF_VERSION.startswith("2.")

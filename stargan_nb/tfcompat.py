"""TensorFlow as the workbook uses it: graph mode through tf.compat.v1, on TF 1.15 and on TF 2.x.

Every module imports `tf` from here, so the version switch and the log settings live in one place.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep C++ start-up chatter out of notebooks

import tensorflow.compat.v1 as tf  # noqa: E402
import tensorflow.compat.v2 as tf2  # noqa: E402,F401  (resize with antialias lives in the v2 API)

tf.logging.set_verbosity(tf.logging.ERROR)
tf.disable_v2_behavior()

TF_VERSION = tf.__version__
IS_TF2 = TF_VERSION.startswith("2.")

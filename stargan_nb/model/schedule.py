"""The paper's learning-rate schedule: constant, then linear decay to 0 over the last num_step_decay iterations.

The rate changes every lr_update_step iterations. (The reference code instead subtracts
lr/num_iters_decay from the *current* rate at each update, a geometric decay that removes
only about 1e-7 in total over 200k iterations: the rate stays practically constant.
The paper describes, and this workbook does, the linear decay to zero.)
"""
import numpy as np

from ..runtime.tfcompat import tf


def _updates_done(step, config, floor, maximum, clip):
    start = config.training_iterations - config.num_step_decay
    n = floor((maximum(step - start, 0)) / config.lr_update_step)
    return clip(n, 0, config.num_step_decay // config.lr_update_step)


def learning_rate_at(steps, config):
    """Rate used by iteration `steps` (0-based), as numpy, for plots and tests."""
    steps = np.asarray(steps, np.float64)
    if config.num_step_decay == 0:
        return np.full_like(steps, config.init_learning_rate)
    n = _updates_done(steps, config, np.floor, np.maximum, np.clip)
    return config.init_learning_rate * (1 - n * config.lr_update_step / config.num_step_decay)


def learning_rate_tensor(global_step, config):
    """The same schedule in the graph, driven by the global step (so a resumed run continues it)."""
    lr0 = tf.constant(config.init_learning_rate, tf.float32)
    if config.num_step_decay == 0:
        return lr0
    step = tf.cast(global_step, tf.float32)
    n = _updates_done(step, config, tf.floor, tf.maximum, tf.clip_by_value)
    return lr0 * (1 - n * float(config.lr_update_step) / config.num_step_decay)


def attention_weight_tensor(global_step, config):
    """The share of the mask's penalties (Config.attention_warmup), driven by the global step, so a resumed run
    continues the ramp where it stopped."""
    if config.attention_warmup == 0:
        return tf.constant(1.0, tf.float32)
    step = tf.cast(global_step, tf.float32)
    return tf.clip_by_value(step / float(config.attention_warmup), 0.0, 1.0)

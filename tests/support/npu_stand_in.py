"""A STAND-IN for CANN's npu_bridge, which cannot be installed here (it ships with Huawei CANN, not PyPI).

Its npu_init has the two loss-scaling classes the workbook uses, with the interface and the behaviour
Huawei documents (an update whose gradients are not finite is skipped, and with it the optimizer's own
global-step increment; the scale is halved after decr_every_n_nan_or_inf overflows and doubled after
incr_every_n_steps finite steps), written here on TensorFlow's public API. It records its arguments.
The real NpuOptimizer and Huawei's classes are not exercised on these machines.

Its `npu_bridge.hccl.hccl_ops` has allreduce and broadcast with CANN's signatures, built on TensorFlow's own
collective ops over gRPC between the processes named in STAND_IN_HCCL_WORKERS ("host:port,host:port", one per
RANK_ID), so that a multi-process test runs the workbook's HCCL path. Real HCCL needs no gRPC master; this one
does, and offers `session_target`, `session_config` and `device` for it.
"""
import sys
import textwrap

NPU_INIT = '''
import tensorflow.compat.v1 as tf


class ExponentialUpdateLossScaleManager:
    def __init__(self, init_loss_scale, incr_every_n_steps, decr_every_n_nan_or_inf=2, incr_ratio=2,
                 decr_ratio=0.8):
        self.kwargs = dict(init_loss_scale=init_loss_scale, incr_every_n_steps=incr_every_n_steps,
                           decr_every_n_nan_or_inf=decr_every_n_nan_or_inf, decr_ratio=decr_ratio)
        self.incr_every, self.decr_every = incr_every_n_steps, decr_every_n_nan_or_inf
        self.incr_ratio, self.decr_ratio = float(incr_ratio), float(decr_ratio)
        self.scale = tf.Variable(float(init_loss_scale), trainable=False, name="npu_loss_scale")
        self.good = tf.Variable(0, trainable=False, name="npu_good_steps")
        self.bad = tf.Variable(0, trainable=False, name="npu_bad_steps")

    def get_loss_scale(self):
        return self.scale.read_value()

    def update_loss_scale(self, finite):
        def finite_step():
            grow = self.good + 1 >= self.incr_every
            return tf.group(self.scale.assign(tf.where(grow, self.scale * self.incr_ratio, self.scale)),
                            self.good.assign(tf.where(grow, 0, self.good + 1)), self.bad.assign(0))

        def overflow_step():
            shrink = self.bad + 1 >= self.decr_every
            return tf.group(self.scale.assign(tf.where(shrink, tf.maximum(self.scale * self.decr_ratio, 1.0),
                                                       self.scale)),
                            self.bad.assign(tf.where(shrink, 0, self.bad + 1)), self.good.assign(0))
        return tf.cond(finite, finite_step, overflow_step)


class NPULossScaleOptimizer(tf.train.Optimizer):
    def __init__(self, opt, loss_scale_manager, is_distributed=False):
        super().__init__(use_locking=False, name="NPULossScaleOptimizer")
        self.opt, self.loss_scale_manager = opt, loss_scale_manager

    def compute_gradients(self, loss, var_list=None, **kwargs):
        scale = self.loss_scale_manager.get_loss_scale()
        pairs = self.opt.compute_gradients(loss * scale, var_list=var_list, **kwargs)
        return [(None if g is None else g / scale, v) for g, v in pairs]

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = list(grads_and_vars)
        finite = tf.reduce_all([tf.reduce_all(tf.is_finite(g)) for g, _ in grads_and_vars if g is not None])
        update = tf.cond(finite, lambda: tf.group(self.opt.apply_gradients(grads_and_vars, global_step, name)),
                         tf.no_op)
        return tf.group(update, self.loss_scale_manager.update_loss_scale(finite))
'''


HCCL_OPS = '''
import os

import tensorflow.compat.v1 as tf
from tensorflow.python.ops import collective_ops

STAND_IN = True
_WORKERS = os.environ["STAND_IN_HCCL_WORKERS"].split(",")
_RANK = int(os.environ["RANK_ID"])
_SIZE = int(os.environ["RANK_SIZE"])
_KEYS = [0]
_SERVER = []


def _key():
    _KEYS[0] += 1
    return _KEYS[0]


def session_config(config):
    config.experimental.collective_group_leader = "/job:worker/replica:0/task:0"
    del config.device_filters[:]
    config.device_filters.append("/job:worker/task:%d" % _RANK)
    config.inter_op_parallelism_threads = max(2, config.inter_op_parallelism_threads)
    return config


def session_target(config):
    if not _SERVER:
        _SERVER.append(tf.train.Server(tf.train.ClusterSpec({"worker": _WORKERS}), job_name="worker",
                                       task_index=_RANK, config=config))
    return _SERVER[0].target


def device():
    return tf.device("/job:worker/task:%d" % _RANK)


def allreduce(tensor, reduction, fusion=1, fusion_id=-1, group="hccl_world_group"):
    merge = {"sum": "Add", "max": "Max", "min": "Min", "prod": "Mul"}[reduction]
    return collective_ops.all_reduce(tensor, _SIZE, 7, _key(), merge, "Id")


def broadcast(tensor, root_rank, fusion=2, fusion_id=0, group="hccl_world_group"):
    out = []
    for t in tensor:
        key = _key()
        if _RANK == root_rank:
            out.append(collective_ops.broadcast_send(t, t.shape, t.dtype, _SIZE, 7, key))
        else:
            out.append(collective_ops.broadcast_recv(t.shape, t.dtype, _SIZE, 7, key))
    return out
'''


def write(folder):
    """Write the stand-in package into `folder` (for a subprocess's PYTHONPATH); returns the folder."""
    pkg = folder / "npu_bridge"
    (pkg / "hccl").mkdir(parents=True)
    (pkg / "__init__.py").write_text("STAND_IN = True\n")
    (pkg / "npu_init.py").write_text(textwrap.dedent(NPU_INIT))
    (pkg / "hccl" / "__init__.py").write_text("")
    (pkg / "hccl" / "hccl_ops.py").write_text(textwrap.dedent(HCCL_OPS))
    return folder


def install(folder, monkeypatch):
    """Write the stand-in package into `folder` and make it importable for the test."""
    pkg = folder / "npu_bridge"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("STAND_IN = True\n")
    (pkg / "npu_init.py").write_text(textwrap.dedent(NPU_INIT))
    monkeypatch.syspath_prepend(str(folder))
    forget()


def forget():
    for name in ["npu_bridge", "npu_bridge.npu_init", "npu_bridge.hccl", "npu_bridge.hccl.hccl_ops"]:
        sys.modules.pop(name, None)

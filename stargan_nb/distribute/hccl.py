"""HCCL through npu_bridge: Ascend's collectives, one process per NPU, ModelZoo's way (RANK_TABLE_FILE, RANK_SIZE,
RANK_ID, DEVICE_ID). The rank table is checked before anything else.

CANN's `hccl_ops` runs inside the NPU session, which needs no gRPC master; an `hccl_ops` that does (the test
suite's stand-in, built on TensorFlow's collectives) offers `session_target(config)` and `device()`.
"""
import contextlib
import importlib

from .rank_table import read_rank_table
from .world import DistributionError, World


class HCCL(World):
    engine = "hccl"

    def __init__(self, devices, rank, timeout=600.0):
        super().__init__(rank, len(devices), timeout)
        self.devices = devices
        try:
            self.ops = importlib.import_module("npu_bridge.hccl.hccl_ops")
        except ImportError as err:
            raise DistributionError("RANK_TABLE_FILE asks for HCCL, but npu_bridge.hccl does not import here ({}); "
                                    "it ships with Huawei CANN's TensorFlow plugin: source CANN's set_env.sh, or "
                                    "unset RANK_TABLE_FILE to train on one device".format(err)) from None

    def start(self, session_config):
        starter = getattr(self.ops, "session_target", None)
        return starter(session_config) if starter else ""

    def device_scope(self):
        device = getattr(self.ops, "device", None)
        return device() if device else contextlib.suppress()

    def session_config(self, config):
        configure = getattr(self.ops, "session_config", None)
        return configure(config) if configure else config

    def all_reduce_sum(self, tensor, name):
        return self.ops.allreduce(tensor, "sum")

    def broadcast(self, tensor, name):
        return self.ops.broadcast([tensor], 0)[0]

    def lost_ranks(self):
        return []  # HCCL's own log (plog) names the failed device; the rank table gives no port to probe

    def describe(self):
        d = self.devices[self.rank]
        return "{}, NPU {} on {}".format(super().describe(), d.device_id, d.server_id)


def from_environment(env, timeout):
    for name in ("RANK_SIZE", "RANK_ID"):
        if name not in env:
            raise DistributionError("RANK_TABLE_FILE is set but {} is not; ModelZoo's launchers export RANK_SIZE, "
                                    "RANK_ID and DEVICE_ID for each process".format(name))
    devices = read_rank_table(env["RANK_TABLE_FILE"], env["RANK_SIZE"], env["RANK_ID"],
                              env.get("DEVICE_ID", env.get("ASCEND_DEVICE_ID")))
    return HCCL(devices, int(env["RANK_ID"]), timeout)

"""Horovod (`horovodrun -np N python -m stargan_nb train ...`), where it is installed: its allreduce over NCCL
on GPUs, MPI or Gloo elsewhere. Imported only when Horovod's launcher started this process."""
import importlib

from .world import DistributionError, World


class Horovod(World):
    engine = "horovod"

    def __init__(self, hvd, timeout=600.0):
        super().__init__(hvd.rank(), hvd.size(), timeout)
        self.hvd = hvd

    def session_config(self, config):
        config.gpu_options.visible_device_list = str(self.hvd.local_rank())  # one GPU per process
        return config

    def all_reduce_sum(self, tensor, name):
        if hasattr(self.hvd, "Sum"):
            return self.hvd.allreduce(tensor, op=self.hvd.Sum, name=name.replace("@", "_"))
        return self.hvd.allreduce(tensor, average=False, name=name.replace("@", "_"))

    def broadcast(self, tensor, name):
        return self.hvd.broadcast(tensor, 0, name=name)


def from_environment(env, timeout):
    try:
        hvd = importlib.import_module("horovod.tensorflow")
    except ImportError as err:
        raise DistributionError("this process was started by Horovod's launcher (HOROVOD_RANK or "
                                "OMPI_COMM_WORLD_RANK is set) but horovod.tensorflow does not import ({}); install "
                                "it with HOROVOD_WITH_TENSORFLOW=1 pip install horovod, or set "
                                "distribution=\"tensorflow\"".format(err)) from None
    hvd.init()
    return Horovod(hvd, timeout)

"""More than one device: data-parallel training, one process per device, in one place.

`world_from_environment(config)` says which process this is (rank), how many there are (size) and which engine
reduces their gradients: HCCL through npu_bridge on Ascend (RANK_TABLE_FILE), Horovod where its launcher
started us, TensorFlow's own collective ops over gRPC (TF_CONFIG, or `python -m stargan_nb train --workers N`),
or one device. Training asks the world for three things only: reduce these gradients, broadcast these
variables from rank 0, and whether this rank writes. The training graph gets the reduction as a function, so
`model` knows nothing of devices.
"""
from .rank_table import RankTableError, read_rank_table  # noqa: F401
from .world import ENGINES, DistributionError, World, world_from_environment  # noqa: F401
from .report import describe_devices  # noqa: F401

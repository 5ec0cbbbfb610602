"""TensorFlow's own collective ops over gRPC: the engine under MultiWorkerMirroredStrategy, with no extra package.

Each rank runs a gRPC server named in TF_CONFIG and a session on it that sees only its own task; the
collectives meet through the group leader, rank 0.
"""
import socket

from ..runtime.tfcompat import tf
from .world import DistributionError, World, read_tf_config

GROUP = 1
_SERVERS = {}  # one server per process and address: a notebook may train twice


class TFCollectives(World):
    engine = "tensorflow"

    def __init__(self, workers, rank, timeout=600.0):
        super().__init__(rank, len(workers), timeout)
        self.workers = workers
        self._keys = {}
        self._target = None

    def _job_config(self, config):
        config.experimental.collective_group_leader = "/job:worker/replica:0/task:0"
        del config.device_filters[:]
        config.device_filters.append(self._task)
        # A collective's ring runs its callbacks on the inter-op pool: one thread, busy in the step that waits
        # for the collective, deadlocks it.
        config.inter_op_parallelism_threads = max(2, config.inter_op_parallelism_threads)
        return config

    @property
    def _task(self):
        return "/job:worker/task:{}".format(self.rank)

    def session_config(self, config):
        return self._job_config(config)

    def start(self, session_config):
        key = (tuple(self.workers), self.rank)
        if key not in _SERVERS:
            cluster = tf.train.ClusterSpec({"worker": list(self.workers)})
            try:
                config = tf.ConfigProto()
                config.CopyFrom(session_config)
                _SERVERS[key] = tf.train.Server(cluster, job_name="worker", task_index=self.rank,
                                                config=self._job_config(config), start=True)
            except (tf.errors.OpError, RuntimeError) as err:
                raise DistributionError("rank {} cannot listen on {} (TF_CONFIG cluster.worker[{}]): {}; pick a free "
                                        "port".format(self.rank, self.workers[self.rank], self.rank, err)) from None
        return _SERVERS[key].target

    def device_scope(self):
        return tf.device(self._task)

    def _key(self, name):
        # The same name gets the same key on every rank, since every rank builds the same graph in the same order.
        return self._keys.setdefault(name, len(self._keys) + 1)

    def all_reduce_sum(self, tensor, name):
        from tensorflow.python.ops import collective_ops
        return collective_ops.all_reduce(tensor, self.size, GROUP, self._key(name), "Add", "Id")

    def broadcast(self, tensor, name):
        from tensorflow.python.ops import collective_ops
        if self.rank == 0:
            return collective_ops.broadcast_send(tensor, tensor.shape, tensor.dtype, self.size, GROUP, self._key(name))
        return collective_ops.broadcast_recv(tensor.shape, tensor.dtype, self.size, GROUP, self._key(name))

    def lost_ranks(self):
        return probe(self.workers, self.rank)


def probe(addresses, own_rank, timeout=2.0):
    """[(rank, how)] of the peers whose port no longer accepts a connection."""
    lost = []
    for rank, address in enumerate(addresses):
        if rank == own_rank:
            continue
        host, port = address.rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
        except OSError as err:
            lost.append((rank, "{} does not answer: {}".format(address, err.strerror or err)))
    return lost


def from_environment(env, timeout):
    workers, index = read_tf_config(env)
    return TFCollectives(workers, index, timeout)

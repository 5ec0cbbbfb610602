"""Which rank this process is, of how many, and the collective operations of its engine.

Every engine reduces a network's gradients as ONE packed tensor (all of D's, or all of G's, flattened and
concatenated): one collective per network per step, whatever the number of variables, so the ranks cannot
disagree on an order, and the bytes reduced per iteration are what `reduced_bytes` counts.
"""
import contextlib
import importlib
import json
import os

from ..runtime.modes import DISTRIBUTIONS as ENGINES
from ..runtime.tfcompat import tf
from .watchdog import Watchdog

FIRST_CALLS = 10


def _unpacked(flat, like):
    """flat's consecutive slices, one per tensor of `like`, each in that tensor's shape: the inverse of the packing
    every collective here does (each tensor flattened, all concatenated)."""
    pieces, offset = [], 0
    for t in like:
        size = t.shape.num_elements()
        pieces.append(tf.reshape(flat[offset:offset + size], t.shape))
        offset += size
    return pieces


class DistributionError(ValueError):
    """The environment describes a job this process cannot join (named variable or field, and the fix)."""


class World:
    """One process alone: nothing is reduced or broadcast; rank 0 writes."""
    engine = "none"

    def __init__(self, rank=0, size=1, timeout=600.0):
        self.rank, self.size, self.timeout = int(rank), int(size), float(timeout)
        self.reduced = []  # (net, elements, bytes) of every reduction built, for reduced_bytes
        self._stop_vote = None
        self._stop_seen = None

    # ---------------------------------------------------------------- what training asks
    @property
    def is_writer(self):
        """Only rank 0 writes checkpoints, samples, metrics, TensorBoard, config.json and split.json."""
        return self.rank == 0

    def start(self, session_config):
        """Join the job (a server, a communicator); returns the session target."""
        return ""

    def device_scope(self):
        """Where this rank's graph is placed."""
        return contextlib.suppress()

    def session_config(self, config):
        return config

    def reduce_gradients(self, grads_and_vars, net):
        """The gradients averaged over ranks, as (gradient, variable) pairs; `net` is "D" or "G"."""
        if self.size == 1:
            return grads_and_vars
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        flat = tf.concat([tf.reshape(tf.cast(g, tf.float32), [-1]) for g, _ in pairs], axis=0)
        n = int(flat.shape[0])
        self.reduced.append((net, n, 4 * n))
        if net == "D":  # D is reduced every iteration: a stop request travels with it, so all ranks stop together
            flat = tf.concat([flat, tf.reshape(self._vote(), [1])], axis=0)
        total = self.all_reduce_sum(flat, net)
        parts = [(tf.cast(piece / self.size, g.dtype), v)
                 for piece, (g, v) in zip(_unpacked(total[:n], [g for g, _ in pairs]), pairs)]
        if net == "D":
            seen = self._stop_seen.assign(total[n])
            with tf.control_dependencies([seen]):
                parts[0] = (tf.identity(parts[0][0]), parts[0][1])
        return parts

    def broadcast_variables(self, variables):
        """An op that gives every rank rank 0's values of `variables` (None alone)."""
        if self.size == 1:
            return None
        updates = []
        for dtype in sorted({v.dtype.base_dtype for v in variables}, key=lambda d: d.name):
            group = [v for v in variables if v.dtype.base_dtype == dtype]
            flat = tf.concat([tf.reshape(v.read_value(), [-1]) for v in group], axis=0)
            got = self.broadcast(flat, "broadcast_" + dtype.name)
            updates += [v.assign(piece) for piece, v in zip(_unpacked(got, group), group)]
        return tf.group(*updates, name="broadcast_from_rank_0")

    def reduced_bytes(self):
        """{net: bytes one reduction of its gradients moves in (float32, before the ring's factor)}."""
        return {net: b for net, _, b in self.reduced}

    # ---------------------------------------------------------------- stopping together
    def _vote(self):
        if self._stop_vote is None:
            self._stop_vote = tf.Variable(0.0, trainable=False, name="stop_vote",
                                          collections=[tf.GraphKeys.LOCAL_VARIABLES])
            self._stop_seen = tf.Variable(0.0, trainable=False, name="stop_votes_seen",
                                          collections=[tf.GraphKeys.LOCAL_VARIABLES])
        return self._stop_vote.read_value()

    def local_init(self):
        """The initialiser of the stop vote (not in checkpoints), or None."""
        if self._stop_vote is None:
            return None
        return tf.variables_initializer([self._stop_vote, self._stop_seen])

    def vote_stop(self, sess):
        """This rank asks to stop; every rank stops after the next iteration, at the same step."""
        if self._stop_vote is not None:
            self._stop_vote.load(1.0, sess)

    def stop_agreed(self, sess, asked):
        """Whether the ranks stop now: a stop any rank asked for, seen by all in the same reduction."""
        if self._stop_seen is None:
            return bool(asked)
        return sess.run(self._stop_seen) > 0

    # ---------------------------------------------------------------- faults
    def guard(self, what, first=False):
        """A context in which a collective that waits longer than `timeout` stops this process, naming the
        rank that did not answer (collectives cannot be cancelled on TF 1.15, so a blocked one would hang).
        first: the first call of a kind of step, which also optimises its graph on every rank (103 s for the
        tiny networks' first iteration on a busy 2-core machine, 1 s for the next): it may take FIRST_CALLS
        times as long."""
        if self.size == 1:
            return contextlib.suppress()
        return Watchdog(self.timeout * (FIRST_CALLS if first else 1), what, self.lost_ranks, self.rank)

    def lost_ranks(self):
        """[(rank, how it was found gone)] of the ranks that cannot be reached; [] where this cannot be told."""
        return []

    # ---------------------------------------------------------------- for engines
    def all_reduce_sum(self, tensor, name):
        raise NotImplementedError

    def broadcast(self, tensor, name):
        raise NotImplementedError

    def describe(self):
        return "rank {} of {} ({})".format(self.rank, self.size, ENGINE_WORDS[self.engine])

    def close(self):
        pass


ENGINE_WORDS = {"none": "one device", "tensorflow": "TensorFlow's collective ops over gRPC",
                "horovod": "Horovod", "hccl": "HCCL through npu_bridge"}


def detect_engine(environ=None):
    """The engine the environment describes: RANK_TABLE_FILE with RANK_SIZE > 1 (Ascend), Horovod's or
    Open MPI's rank variables, TF_CONFIG with more than one worker, else none."""
    env = os.environ if environ is None else environ
    if env.get("RANK_TABLE_FILE") and env.get("RANK_SIZE", "1") not in ("", "1"):
        return "hccl"
    if "HOROVOD_RANK" in env or "OMPI_COMM_WORLD_RANK" in env:
        return "horovod"
    if env.get("TF_CONFIG"):
        return "tensorflow"
    return "none"


def world_from_environment(config=None, environ=None):
    """This process's World, from config.distribution ("auto": the environment decides) and the environment."""
    env = os.environ if environ is None else environ
    engine = getattr(config, "distribution", "auto") if config is not None else "auto"
    timeout = getattr(config, "collective_timeout", 600.0) if config is not None else 600.0
    if engine not in ENGINES:
        raise DistributionError("distribution must be one of {}, got {!r}".format(", ".join(ENGINES), engine))
    if engine == "auto":
        engine = detect_engine(env)
    if engine == "none":
        return World(timeout=timeout)
    module = importlib.import_module("." + {"tensorflow": "tf_collective", "horovod": "horovod_engine",
                                            "hccl": "hccl"}[engine], __package__)
    return module.from_environment(env, timeout)


def read_tf_config(env):
    """(worker addresses, this worker's index) from TF_CONFIG, or a DistributionError naming the key."""
    text = env.get("TF_CONFIG", "")
    try:
        spec = json.loads(text)
    except ValueError as err:
        raise DistributionError("TF_CONFIG is not JSON ({}): {!r}".format(err, text[:200])) from None
    workers = (spec.get("cluster") or {}).get("worker") if isinstance(spec, dict) else None
    task = spec.get("task") if isinstance(spec, dict) else None
    if not isinstance(workers, list) or not workers or not all(isinstance(w, str) and ":" in w for w in workers):
        raise DistributionError('TF_CONFIG needs cluster.worker, a list of "host:port" (one per rank); got {!r}'
                                .format(workers))
    if not isinstance(task, dict) or task.get("type", "worker") != "worker" or not isinstance(task.get("index"), int) \
            or not 0 <= task["index"] < len(workers):
        raise DistributionError("TF_CONFIG needs task {{\"type\": \"worker\", \"index\": 0..{}}}; got {!r}".format(
            len(workers) - 1, task))
    return workers, task["index"]

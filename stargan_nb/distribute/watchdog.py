"""Stop a rank whose collective waits too long, naming the rank that did not answer.

A collective blocked on a dead peer is not cancelled by a session timeout on TF 1.15 (the step's
cancellation never reaches the collective executor), so a timer thread stops the process instead. It arms
only around session calls that hold collectives; checkpoints are written outside them, so the last
checkpoint on disk is complete when it fires. Where TensorFlow does abort the collective (TF 2.x sees the
peer's connection reset), the error it raises ends the rank the same way, with the same message.
"""
import os
import sys
import threading

EXIT_LOST_RANK = 75  # the launcher reads this exit code as "stopped because another rank was lost"


class Watchdog:
    def __init__(self, timeout, what, lost_ranks, rank):
        self.timeout, self.what, self.lost_ranks, self.rank = timeout, what, lost_ranks, rank
        self._timer = None

    def __enter__(self):
        self._timer = threading.Timer(self.timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, kind, err, trace):
        self._timer.cancel()
        if err is not None and _peer_lost(err):
            self._fire()

    def _fire(self):
        sys.stderr.write("error: " + lost_rank_message(self.rank, self.what, self.timeout, self.lost_ranks()) + "\n")
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(EXIT_LOST_RANK)  # the collective cannot be interrupted; the run lock is an flock, freed on exit


def _peer_lost(err):
    from ..runtime.tfcompat import tf
    if not isinstance(err, tf.errors.OpError) or isinstance(err, tf.errors.InvalidArgumentError):
        return False  # a bad image is the loop's to name
    return isinstance(err, (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.CancelledError,
                            tf.errors.DeadlineExceededError)) or "ollective" in str(err)


def lost_rank_message(rank, what, timeout, lost):
    if lost:
        gone = "; ".join("rank {} ({})".format(r, how) for r, how in lost)
        head = "rank {} stopped: lost {}".format(rank, gone)
    else:
        head = "rank {} stopped: another rank did not answer (every peer still accepts connections, so one may " \
               "be stuck or much slower; raise collective_timeout if it is only slow)".format(rank)
    return "{} while waiting {:.0f} s in {}. The last checkpoint written stays complete; start the job again " \
           "(all ranks) to resume from it".format(head, timeout, what)

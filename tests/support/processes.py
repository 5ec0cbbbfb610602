"""Waiting on a training process started by a test: for a condition on its files, never for a fixed time."""
import time


def wait_for(condition, proc, timeout=120, poll=0.002):
    """Return once condition() holds; fail with the process's output if it exits first, or after timeout s."""
    deadline = time.time() + timeout
    while not condition():
        assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
        assert time.time() < deadline, "condition not reached in {} s".format(timeout)
        time.sleep(poll)

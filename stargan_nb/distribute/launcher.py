"""`python -m stargan_nb train --workers N`: N training processes on this machine, joined by TensorFlow's
collectives over gRPC on 127.0.0.1, the same command line each, TF_CONFIG telling each its rank."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

from .watchdog import EXIT_LOST_RANK


def free_ports(n):
    """n ports nobody listens on now (the OS picks them; a small race with other programs remains)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def worker_environments(n, base=None):
    """The environment of each of n local ranks: TF_CONFIG naming all n addresses and this rank's index."""
    workers = ["127.0.0.1:{}".format(p) for p in free_ports(n)]
    envs = []
    for rank in range(n):
        env = dict(os.environ if base is None else base)
        env["TF_CONFIG"] = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": rank}})
        envs.append(env)
    return envs


def launch(train_argv, workers, python=None):
    """Start `workers` ranks of `python -m stargan_nb train <train_argv>`; wait for all; returns an exit code.

    Only rank 0 shows a progress bar. When a rank fails, the others stop by themselves within
    collective_timeout, naming it; this waits for them and says which rank failed first."""
    python = python or sys.executable
    procs = []
    for rank, env in enumerate(worker_environments(workers)):
        argv = list(train_argv) + ([] if rank == 0 or "--no-progress" in train_argv else ["--no-progress"])
        procs.append(subprocess.Popen([python, "-m", "stargan_nb", "train"] + argv, env=env))
    print("started {} ranks on 127.0.0.1 (process ids {})".format(workers, ", ".join(str(p.pid) for p in procs)),
          flush=True)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the ranks; they stop together
    try:
        first_failure = None
        while any(p.poll() is None for p in procs):
            for rank, p in enumerate(procs):
                if p.returncode not in (None, 0, EXIT_LOST_RANK) and first_failure is None:
                    first_failure = (rank, p.returncode)
            time.sleep(0.2)
    finally:
        signal.signal(signal.SIGINT, previous)
    codes = [p.returncode for p in procs]
    if all(c == 0 for c in codes):
        return 0
    # name the rank that failed by itself before one that stopped because it lost the other (EXIT_LOST_RANK)
    failed = [(r, c) for r, c in enumerate(codes) if c not in (0, EXIT_LOST_RANK)]
    rank, code = first_failure or (failed or [(r, c) for r, c in enumerate(codes) if c])[0]
    how = "was killed by signal {}".format(signal.Signals(-code).name) if code < 0 else "exited with {}".format(code)
    print("error: rank {} {}; exit codes of ranks 0..{}: {}. Run the same command again to resume from the last "
          "checkpoint".format(rank, how, workers - 1, codes), file=sys.stderr)
    return 1

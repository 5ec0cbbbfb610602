"""One writer per run: a lock file in the run directory, held by the training that writes there.

Why: two trainings on one run (two notebooks open on it, a papermill job started twice) interleave their
checkpoints and metrics. The lock is an flock on `<run>/training.lock`, so the kernel releases it however
its process ends (a kill included): a lock file whose flock nobody holds is stale and is taken over. The
file names the holder (host, process id, start time) for the message the second training prints.
Readers (monitoring, translation, evaluation, freezing) take no lock.
"""
import fcntl
import json
import os
import socket
import time

from .errors import RunError


class RunLockedError(RunError):
    """Another process is training into this run directory."""


class RunLock:
    def __init__(self, path):
        self.path = path
        self._fd = None

    def acquire(self):
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            except OSError as err:
                raise RunError("cannot take the training lock {} ({}); it must be a plain file this process can "
                               "write: remove or rename what is there, then run again".format(
                                   self.path, err.strerror)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_holder(fd)
                os.close(fd)
                raise self._locked(holder) from None
            if _same_file(fd, self.path):
                break
            os.close(fd)  # a holder released and removed the file between our open and our flock: open anew
        self.stale = _read_holder(fd)  # what a dead holder left, if anything: taken over
        holder = {"host": socket.gethostname(), "pid": os.getpid(),
                  "started": time.strftime("%Y-%m-%d %H:%M:%S %z")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
        self._fd = fd
        return self

    def _locked(self, holder):
        return RunLockedError(
            "{} is being trained by another process ({}); two trainings on one run would interleave its "
            "checkpoints and metrics. Wait for it to finish or stop it (its notebook's interrupt button, or "
            "kill {}), or train into another output_dir. Reading the run (04-07, accuracy, freeze) works "
            "beside it".format(os.path.dirname(self.path), describe(holder), holder.get("pid", "its process")))

    def release(self):
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # still ours: nobody else can hold the flock while we do
        except FileNotFoundError:
            pass
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def still_ours(self):
        """Whether the lock file is still the one we hold (a person may have deleted it, letting another in)."""
        return self._fd is not None and _same_file(self._fd, self.path)

    @property
    def held(self):
        return self._fd is not None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def holder_of(path):
    """The holder's record of a lock file, or None when nobody holds it (no file, or a stale one)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_holder(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def describe(holder):
    if not holder:
        return "holder unknown"
    return "process {} on host {}, started {}".format(holder.get("pid", "?"), holder.get("host", "?"),
                                                    holder.get("started", "?"))


def _same_file(fd, path):
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _read_holder(fd):
    try:
        text = os.pread(fd, 4096, 0).decode("utf-8", "replace")
        return json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}

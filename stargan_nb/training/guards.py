"""What can stop a training run between two iterations, and how each stop is reported.

- a stop request: SIGINT / SIGTERM (Ctrl-C, a notebook's interrupt button, a job scheduler) become a flag
  that the loop reads between iterations, so no iteration is half done;
- a divergence: a NaN or infinite loss stops the run with the loss named;
- a bad image: the decoder's error becomes one that names the broken files.
"""
import math
import signal


class TrainingDivergedError(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


class StopRequest:
    """Turns SIGINT/SIGTERM into `self.signal` (its name), checked between iterations."""

    def __init__(self):
        self.signal = None
        self._previous = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def _handle(self, signum, frame):
        self.signal = signal.Signals(signum).name

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def check_finite(step, values, run_dir):
    """Raise TrainingDivergedError naming every loss in `values` that is NaN or infinite."""
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if bad:
        from ..runs import latest_checkpoint
        last_checkpoint = latest_checkpoint(run_dir)
        raise TrainingDivergedError(
            "training diverged at iteration {}: {}. Nothing was saved after it; the last good checkpoint is {}. "
            "Lower init_learning_rate or check the input images.".format(
                step, ", ".join("{} = {}".format(k, v) for k, v in bad.items()),
                last_checkpoint or "none (no checkpoint was written yet)"))


def bad_image_error(dataset, decoder_error, progress=True, second=None):
    """The error to raise when the input pipeline failed to decode: one naming the broken files if found
    (in either dataset of joint training)."""
    from ..data.pipeline import unreadable_images_error
    for ds in (dataset, second):
        if ds is not None:
            found = unreadable_images_error(ds.image_root, ds.split.train_files, ds.table.path, progress)
            if found:
                return found
    return decoder_error

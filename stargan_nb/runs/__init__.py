"""What a run directory holds, and the one object through which it is read and written (`Run`).

`Run(path)` resolves the path once; training, evaluation, freezing and the notebooks go through it. The
functions below take a path or a Run, for notebooks and scripts that hold a path.
"""
import os

from .checkpoint_files import PREFIX as CHECKPOINT_PREFIX, checkpoint_step  # noqa: F401
from .compatibility import ARCHITECTURE_FIELDS, SPLIT_FIELDS, check_compatible  # noqa: F401
from .lock import RunLockedError, holder_of  # noqa: F401
from .run import (  # noqa: F401
    CHECKPOINTS, CONFIG, CONVERTED_FROM, EVAL, FROZEN_PB, JOINT_GRID, JUDGE, JUDGE_INFO, LOCK, LOGS, METRICS,
    SAMPLE_PREFIX, SAMPLE_SUFFIX, SAMPLES, SPLIT, TOY_ACCURACY, TRANSLATION_GRID, UNUSABLE, Run, RunError,
    sample_step)
from .split_record import SplitChangedError  # noqa: F401


def run_path(run_dir, *parts):
    return Run.of(run_dir).file(*parts)


def config_path(run_dir):
    return Run.of(run_dir).config_path


def load_run_config(run_dir):
    return Run.of(run_dir).load_config()


def checkpoint_dir(run_dir):
    return Run.of(run_dir).checkpoint_dir


def checkpoint_prefix(run_dir):
    return Run.of(run_dir).checkpoint_prefix


def latest_checkpoint(run_dir):
    """The newest usable checkpoint of the run (found by listing its folder), or None."""
    return Run.of(run_dir).latest_checkpoint()


def find_checkpoint(run_dir, checkpoint=None):
    return Run.of(run_dir).find_checkpoint(checkpoint)


def run_dir_of_checkpoint(prefix):
    """run_dir for run_dir/checkpoints/model-<step>."""
    return os.path.dirname(os.path.dirname(os.path.abspath(str(prefix))))


def write_json(run_dir, name, payload):
    return Run.of(run_dir).write_json(name, payload)


def metrics_path(run_dir):
    return Run.of(run_dir).metrics_path


def logs_dir(run_dir):
    return Run.of(run_dir).logs_dir


def append_metrics(run_dir, row):
    Run.of(run_dir).append_metrics(row)


def read_metrics(run_dir):
    return Run.of(run_dir).read_metrics()


def truncate_metrics(run_dir, step):
    Run.of(run_dir).truncate_metrics(step)


def sample_path(run_dir, step):
    return Run.of(run_dir).sample_path(step)


def sample_paths(run_dir):
    return Run.of(run_dir).sample_paths()


def spread_samples(run_dir, n):
    return Run.of(run_dir).spread_samples(n)

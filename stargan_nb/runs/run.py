"""A run directory as one object, made once: every file of a run is read and written through it.

    run/config.json           the Config the run was trained with (every later notebook reads it)
    run/split.json            the training and test files of each dataset it trains on (split_record)
    run/training.lock         present while a training writes here (lock)
    run/checkpoints/          model-<step>.* (the last keep_checkpoints are kept; unusable/ holds skipped ones)
    run/samples/              step_<step>.png: fixed test images x every create_labels target
    run/metrics.jsonl         one JSON line per summary step: losses, learning rate, time
    run/logs/                 TensorBoard event files
    run/toy_accuracy.json     03's oracle verdict (toy data)
    run/eval.json             06's evaluation; run/judge/ its attribute classifier (real data)
    run/translation_grid.png  05's reference grid
    run/joint_grid.png        08's grid of a joint run (the paper's Figure 1)
    run/stargan_model.pb      07's frozen generator (+ stargan_model.json beside it)
    run/converted_from.json   written instead of training when the weights came from the reference

Nothing in a run names another directory: checkpoints are found by listing run/checkpoints/, so a run
that is copied, moved or renamed resumes, freezes and evaluates from its own files.
"""
import json
import os
import uuid

from ..config import Config, ConfigError
from ..runtime.paths import resolve
from . import checkpoint_files as files
from .errors import RunError
from .lock import RunLock
from .split_record import check_unchanged, read_record, write_record

CONFIG = "config.json"
SPLIT = "split.json"
LOCK = "training.lock"
CHECKPOINTS = "checkpoints"
UNUSABLE = "unusable"               # inside checkpoints/: what a resume skipped, kept for a person to look at
SAMPLES = "samples"
SAMPLE_PREFIX, SAMPLE_SUFFIX = "step_", ".png"
METRICS = "metrics.jsonl"
LOGS = "logs"
TOY_ACCURACY = "toy_accuracy.json"
EVAL = "eval.json"
JUDGE = "judge"
JUDGE_INFO = "judge.json"           # inside judge/
TRANSLATION_GRID = "translation_grid.png"
JOINT_GRID = "joint_grid.png"
FROZEN_PB = "stargan_model.pb"
CONVERTED_FROM = "converted_from.json"


class Run(os.PathLike):
    """The run directory at `path` (relative paths are taken from the workbook root, once)."""

    def __init__(self, path):
        # normpath: "x/missing/../run" is the folder x/run, whatever exists on the way
        self.path = path.path if isinstance(path, Run) else os.path.normpath(str(resolve(path)))

    @classmethod
    def of(cls, run_or_path):
        return run_or_path if isinstance(run_or_path, Run) else cls(run_or_path)

    def __fspath__(self):
        return self.path

    def __str__(self):
        return self.path

    def __repr__(self):
        return "Run({!r})".format(self.path)

    def __eq__(self, other):
        return isinstance(other, Run) and other.path == self.path

    def __hash__(self):
        return hash(self.path)

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    def exists(self):
        return os.path.isdir(self.path)

    def make(self):
        """Create the run directory and any missing parents; returns the folders this call made (deepest last).

        os.mkdir per level, so a folder another process made first is not counted as ours."""
        missing, folder = [], self.path
        while not os.path.isdir(folder):
            missing.append(folder)
            folder = os.path.dirname(folder)
        made = []
        for folder in reversed(missing):
            try:
                os.mkdir(folder)
                made.append(folder)
            except FileExistsError:
                pass
        return made

    def unmake(self, made):
        """Undo `make` after a failed start: what that start wrote, then the folders it made, if empty.
        Never removes a folder that holds anything else."""
        if self.path in made:
            for name in (SPLIT, CONFIG):
                if os.path.isfile(self.file(name)):
                    os.unlink(self.file(name))
            if os.path.isdir(self.checkpoint_dir) and not os.listdir(self.checkpoint_dir):
                os.rmdir(self.checkpoint_dir)
        for folder in reversed(made):
            try:
                os.rmdir(folder)
            except OSError:
                break  # not empty: someone else's files are there; leave it

    # ------------------------------------------------------------------ config and split
    @property
    def config_path(self):
        return self.file(CONFIG)

    def has_config(self):
        return os.path.exists(self.config_path)

    def load_config(self) -> Config:
        if not self.has_config():
            raise RunError("{} has no config.json: it is not a training run directory (train one with "
                           "03_train.ipynb or stargan_nb.train.train)".format(self.path))
        return Config.load(self.config_path)

    def save_config(self, config):
        config.save(self.config_path)

    @property
    def split_path(self):
        return self.file(SPLIT)

    def check_split(self, datasets, allow_change=False):
        """Stop when the data would split otherwise than this run recorded (see split_record)."""
        return check_unchanged(self.split_path, datasets, allow_change)

    def record_split(self, datasets, step=0):
        previous = read_record(self.split_path)
        return write_record(self.split_path, datasets, step, previous if previous and step else None)

    def lock(self):
        """The training lock (acquire it with `with`): one writer per run."""
        return RunLock(self.file(LOCK))

    # ------------------------------------------------------------------ checkpoints
    @property
    def checkpoint_dir(self):
        return self.file(CHECKPOINTS)

    @property
    def checkpoint_prefix(self):
        """What Saver.save is given; it writes <prefix>-<step>.index and .data-*."""
        return os.path.join(self.checkpoint_dir, files.PREFIX)

    def checkpoints(self):
        """Every checkpoint of this run, oldest first, each with its problem (None: usable)."""
        return files.list_checkpoints(self.checkpoint_dir)

    def latest_checkpoint(self):
        """The newest usable checkpoint's prefix, or None."""
        return files.newest_usable(self.checkpoint_dir)

    def newest_usable(self, found=None, excluding=()):
        """(the newest checkpoint that can be restored, or None; the unusable ones newer than it): the one rule
        for training's restore and every reader. found: self.checkpoints(), where already listed; excluding:
        prefixes a reader found damaged."""
        found = self.checkpoints() if found is None else found
        usable = [c for c in found if c.usable and c.prefix not in excluding]
        newest = usable[-1] if usable else None
        return newest, [c for c in found if not c.usable and (newest is None or c.step > newest.step)]

    def find_checkpoint(self, checkpoint=None):
        """A checkpoint prefix: the newest usable, a step number, or a path; a clear error when absent."""
        if checkpoint is None or checkpoint == "latest":
            found = self.checkpoints()
            newest, _ = self.newest_usable(found)
            if newest:
                return newest.prefix
            if found:
                raise RunError("{} has no usable checkpoint: {}".format(self.checkpoint_dir, problems(found)))
            raise RunError("{} has no checkpoint yet; train first (03_train.ipynb)".format(self.checkpoint_dir))
        if isinstance(checkpoint, int) or str(checkpoint).isdigit():
            prefix = "{}-{}".format(self.checkpoint_prefix, int(checkpoint))
        else:
            prefix = str(resolve(checkpoint))
        problem = files.problem_of(prefix)
        if problem and not files.CheckpointFile(0, prefix).files():
            have = [c.name for c in self.checkpoints() if c.usable]
            raise RunError("checkpoint {} not found; available: {}".format(prefix, ", ".join(have) or "none"))
        if problem:
            have = [c.name for c in self.checkpoints() if c.usable]
            raise RunError("checkpoint {} cannot be used: {}; usable here: {}".format(
                prefix, problem, ", ".join(have) or "none"))
        return prefix

    # ------------------------------------------------------------------ metrics
    @property
    def metrics_path(self):
        return self.file(METRICS)

    @property
    def logs_dir(self):
        return self.file(LOGS)

    def append_metrics(self, row: dict):
        with open(self.metrics_path, "a") as f:
            f.write(json.dumps(row) + "\n")
            f.flush()

    def read_metrics(self):
        """Rows in step order; a line cut short by a kill is skipped, and a repeated step keeps its last row."""
        rows = {}
        if os.path.exists(self.metrics_path):
            with open(self.metrics_path) as f:
                for line in f:
                    try:
                        row = json.loads(line)
                    except ValueError:
                        continue
                    rows[row["step"]] = row
        return [rows[k] for k in sorted(rows)]

    def truncate_metrics(self, step):
        """On resume, drop rows of iterations after the checkpoint: they are about to be trained again."""
        from ..runtime.atomic import write_text_atomic
        if os.path.exists(self.metrics_path):
            rows = [r for r in self.read_metrics() if r["step"] <= step]
            write_text_atomic(self.metrics_path, "".join(json.dumps(r) + "\n" for r in rows))

    # ------------------------------------------------------------------ samples
    def sample_path(self, step):
        return self.file(SAMPLES, "{}{:06d}{}".format(SAMPLE_PREFIX, step, SAMPLE_SUFFIX))

    def sample_paths(self):
        """The run's sample grids in step order."""
        folder = self.file(SAMPLES)
        if not os.path.isdir(folder):
            return []
        found = [os.path.join(folder, f) for f in os.listdir(folder) if sample_step(f) is not None]
        return sorted(found, key=sample_step)

    def spread_samples(self, n):
        """Up to n sample grids spread evenly over the run, first and last included: [(step, path), ...]."""
        paths = self.sample_paths()
        if not paths or n < 1:
            return []
        m = min(n, len(paths))
        picks = sorted({int(round(k * (len(paths) - 1) / max(m - 1, 1))) for k in range(m)})
        return [(sample_step(paths[i]), paths[i]) for i in picks]

    # ------------------------------------------------------------------ results
    def write_json(self, name, payload):
        """A JSON result file in the run directory, written whole or not at all."""
        from ..runtime.atomic import write_text_atomic
        path = self.file(name)
        write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")
        return path

    @property
    def judge_dir(self):
        return self.file(JUDGE)

    # ------------------------------------------------------------------ before the first write
    def check_writable(self, need_bytes=0):
        """Raise RunError unless this directory (or the folder it will be made in) and its checkpoints/ take
        new files, with room for a checkpoint of need_bytes while the previous one stays. Leaves no trace."""
        import shutil
        folder = self.path
        while not os.path.isdir(folder):
            if os.path.exists(folder):
                raise RunError("{} is not writable: {} is a file, not a folder; choose another output_dir".format(
                    self.path, folder))
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
        checkpoints = self.checkpoint_dir
        if os.path.lexists(checkpoints):
            if os.path.islink(checkpoints) or not os.path.isdir(checkpoints):
                raise RunError("{} is {}: a run keeps its checkpoints in a folder of its own (rotation would delete "
                               "what the other end holds); move it away and run again".format(
                                   checkpoints, "a link to " + os.path.realpath(checkpoints)
                                   if os.path.islink(checkpoints) else "a file"))
        for where in [folder] + ([checkpoints] if os.path.isdir(checkpoints) else []):
            _probe(where, self.path)
        free = shutil.disk_usage(folder).free
        if need_bytes and free < 2 * need_bytes:
            raise RunError(
                "{} has {:.1f} MB free, and a checkpoint of this model needs {:.1f} MB (twice that while the "
                "previous one is kept); free some space or choose another output_dir".format(
                    folder, free / 1e6, need_bytes / 1e6, ))


def problems(found):
    return "; ".join("{} ({})".format(c.name, c.problem) for c in found if c.problem)


def sample_step(path):
    """The iteration of a sample grid's file, or None for any other file."""
    name = os.path.basename(str(path))
    digits = name[len(SAMPLE_PREFIX):-len(SAMPLE_SUFFIX)]
    if name.startswith(SAMPLE_PREFIX) and name.endswith(SAMPLE_SUFFIX) and digits.isdigit():
        return int(digits)
    return None


def _probe(folder, run_path):
    probe = os.path.join(folder, ".write-test-" + uuid.uuid4().hex)
    try:
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as err:
        raise RunError("{} is not writable ({}), so the run {} could not save its work; choose another output_dir "
                       "or fix its permissions".format(folder, err.strerror, run_path)) from None


__all__ = ["Run", "RunError", "ConfigError"]

"""A run directory: where training keeps everything, so that any notebook can pick a run up.

This module is the only place that knows the names inside a run directory; everything else asks it.

    run_dir/config.json           the Config the run was trained with (every later notebook reads it)
    run_dir/checkpoints/          model-<step>.* (TensorFlow checkpoints; the last few are kept)
    run_dir/samples/              step_<step>.png: fixed test images x every create_labels target
    run_dir/metrics.jsonl         one JSON line per summary step: losses, learning rate, time
    run_dir/logs/                 TensorBoard event files
    run_dir/toy_accuracy.json     03's oracle verdict (toy data)
    run_dir/eval.json             06's evaluation; run_dir/judge/ its attribute classifier (real data)
    run_dir/translation_grid.png  05's reference grid
    run_dir/joint_grid.png        08's grid of a joint run (the paper's Figure 1)
    run_dir/stargan_model.pb      07's frozen generator (+ stargan_model.json beside it)
    run_dir/converted_from.json   written instead of training when the weights came from the reference
"""
import json
import os
import re
import uuid

from .config import Config, ConfigError
from .runtime.paths import resolve
from .runtime.tfcompat import tf

CONFIG = "config.json"
CHECKPOINTS = "checkpoints"
CHECKPOINT_PREFIX = "model"           # TensorFlow's Saver appends -<step>
SAMPLES = "samples"
SAMPLE_PREFIX, SAMPLE_SUFFIX = "step_", ".png"
METRICS = "metrics.jsonl"
LOGS = "logs"
TOY_ACCURACY = "toy_accuracy.json"
EVAL = "eval.json"
JUDGE = "judge"
TRANSLATION_GRID = "translation_grid.png"
JOINT_GRID = "joint_grid.png"          # 08's grid: CelebA faces x CelebA attributes and RaFD expressions
FROZEN_PB = "stargan_model.pb"
CONVERTED_FROM = "converted_from.json"

ARCHITECTURE_FIELDS = ("image_size", "g_conv_dim", "d_conv_dim", "g_repeat_num", "d_repeat_num",
                       "dataset", "c_dim", "selected_attrs", "c2_dim", "rafd_domains")
# The fields that decide which rows are test images (data.attributes.split): changing one on resume would
# let test images into training. (selected_attrs, which also selects the labels, is an architecture field.)
SPLIT_FIELDS = ("metadata_path", "n_test", "seed", "rafd_image_root", "rafd_n_test")


class RunError(RuntimeError):
    """A run directory that cannot be used as asked; the message says what to do."""


def run_path(run_dir, *parts):
    return os.path.join(str(resolve(run_dir)), *parts)


def ensure_writable(run_dir):
    path = str(resolve(run_dir))
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".write-test-" + uuid.uuid4().hex)
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as err:
        raise RunError("run directory {} is not writable ({}); choose another output_dir or fix its "
                       "permissions".format(path, err.strerror)) from None
    return path


def _differences(saved, requested, fields):
    def value(config, name):  # the same files, however their paths are written
        if name == "metadata_path" and config.dataset == "folders":
            name = "image_root"  # a folder dataset's rows are the files under its root
        v = getattr(config, name)
        return str(resolve(v)) if name in ("metadata_path", "image_root", "rafd_image_root") else v
    return ["{} (saved {!r}, requested {!r})".format(f, getattr(saved, f), getattr(requested, f))
            for f in fields if value(saved, f) != value(requested, f)]


def check_compatible(saved: Config, requested: Config, where, trained=True, allow_split_change=False):
    """Refuse to resume into a different network, or (once something was trained) with a different split.

    Every differing field is named. allow_split_change resumes with the new split all the same.
    """
    diffs = _differences(saved, requested, ARCHITECTURE_FIELDS)
    if diffs:
        raise ConfigError(
            "{} holds a run with a different architecture: {}. Use a new output_dir for the new "
            "architecture, or the saved values to resume it".format(where, "; ".join(diffs)))
    diffs = _differences(saved, requested, SPLIT_FIELDS)
    if diffs and trained and not allow_split_change:
        raise ConfigError(
            "{} was trained on another train/test split: {}. Resuming would train on images that the run "
            "tests on. Use the saved values to resume, or a new output_dir; allow_split_change=True "
            "(--allow-split-change) resumes anyway, and the test figures of the run then include images it "
            "was trained on".format(where, "; ".join(diffs)))


def config_path(run_dir):
    return run_path(run_dir, CONFIG)


def load_run_config(run_dir) -> Config:
    path = config_path(run_dir)
    if not os.path.exists(path):
        raise RunError("{} has no config.json: it is not a training run directory (train one with "
                       "03_train.ipynb or stargan_nb.train.train)".format(resolve(run_dir)))
    return Config.load(path)


def checkpoint_dir(run_dir):
    return run_path(run_dir, CHECKPOINTS)


def checkpoint_prefix(run_dir):
    """What tf.train.Saver.save is given; it writes <prefix>-<step>.index and .data-*."""
    return os.path.join(checkpoint_dir(run_dir), CHECKPOINT_PREFIX)


def latest_checkpoint(run_dir):
    return tf.train.latest_checkpoint(checkpoint_dir(run_dir))


def run_dir_of_checkpoint(prefix):
    """run_dir for run_dir/checkpoints/model-<step>."""
    return os.path.dirname(os.path.dirname(os.path.abspath(str(prefix))))


def checkpoint_step(prefix):
    m = re.search(re.escape(CHECKPOINT_PREFIX) + r"-(\d+)$", prefix or "")
    return int(m.group(1)) if m else None


def find_checkpoint(run_dir, checkpoint=None):
    """A checkpoint prefix: the latest, a step number, or a path; a clear error when absent."""
    if checkpoint is None or checkpoint == "latest":
        prefix = latest_checkpoint(run_dir)
        if prefix is None:
            raise RunError("{} has no checkpoint yet; train first (03_train.ipynb)".format(checkpoint_dir(run_dir)))
        return prefix
    if isinstance(checkpoint, int) or str(checkpoint).isdigit():
        prefix = "{}-{}".format(checkpoint_prefix(run_dir), int(checkpoint))
    else:
        prefix = str(resolve(checkpoint))
    if not os.path.exists(prefix + ".index"):
        state = tf.train.get_checkpoint_state(checkpoint_dir(run_dir))
        have = [os.path.basename(p) for p in (state.all_model_checkpoint_paths if state else [])]
        raise RunError("checkpoint {} not found; available: {}".format(prefix, ", ".join(have) or "none"))
    return prefix


def write_json(run_dir, name, payload):
    """A JSON result file in the run directory, written whole or not at all."""
    from .runtime.atomic import write_text_atomic
    path = run_path(run_dir, name)
    write_text_atomic(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path


def remove_partial_checkpoints(run_dir):
    """Delete what a write cut short left behind (TensorFlow's *_temp* files); complete checkpoints stay."""
    import shutil
    folder = checkpoint_dir(run_dir)
    if not os.path.isdir(folder):
        return []
    removed = []
    for name in os.listdir(folder):
        if "_temp" in name or ".tempstate" in name:
            path = os.path.join(folder, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
            removed.append(name)
    return removed


# ----------------------------------------------------------------------------- metrics
def metrics_path(run_dir):
    return run_path(run_dir, METRICS)


def logs_dir(run_dir):
    return run_path(run_dir, LOGS)


def append_metrics(run_dir, row: dict):
    with open(metrics_path(run_dir), "a") as f:
        f.write(json.dumps(row) + "\n")
        f.flush()


def read_metrics(run_dir):
    """Rows in step order; a line cut short by a kill is skipped, and a repeated step keeps its last row."""
    path = metrics_path(run_dir)
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                rows[row["step"]] = row
    return [rows[k] for k in sorted(rows)]


def truncate_metrics(run_dir, step):
    """On resume, drop rows of iterations after the checkpoint: they are about to be trained again."""
    from .runtime.atomic import write_text_atomic
    rows = [r for r in read_metrics(run_dir) if r["step"] <= step]
    if os.path.exists(metrics_path(run_dir)):
        write_text_atomic(metrics_path(run_dir), "".join(json.dumps(r) + "\n" for r in rows))


# ----------------------------------------------------------------------------- samples
def sample_path(run_dir, step):
    return run_path(run_dir, SAMPLES, "{}{:06d}{}".format(SAMPLE_PREFIX, step, SAMPLE_SUFFIX))


def sample_step(path):
    """The iteration of a sample grid's file, or None for any other file."""
    name = os.path.basename(str(path))
    digits = name[len(SAMPLE_PREFIX):-len(SAMPLE_SUFFIX)]
    if name.startswith(SAMPLE_PREFIX) and name.endswith(SAMPLE_SUFFIX) and digits.isdigit():
        return int(digits)
    return None


def sample_paths(run_dir):
    """The run's sample grids in step order."""
    folder = run_path(run_dir, SAMPLES)
    if not os.path.isdir(folder):
        return []
    found = [os.path.join(folder, f) for f in os.listdir(folder) if sample_step(f) is not None]
    return sorted(found, key=sample_step)


def spread_samples(run_dir, n):
    """Up to n sample grids spread evenly over the run, first and last included: [(step, path), ...]."""
    paths = sample_paths(run_dir)
    if not paths or n < 1:
        return []
    m = min(n, len(paths))
    picks = sorted({int(round(k * (len(paths) - 1) / max(m - 1, 1))) for k in range(m)})
    return [(sample_step(paths[i]), paths[i]) for i in picks]

"""A run directory: where training keeps everything, so that any notebook can pick a run up.

    run_dir/config.json         the Config the run was trained with
    run_dir/checkpoints/        model-<step>.* (TensorFlow checkpoints; the last few are kept)
    run_dir/samples/            step_<step>.png: fixed test images x every create_labels target
    run_dir/metrics.jsonl       one JSON line per summary step: losses, learning rate, time
    run_dir/logs/               TensorBoard event files
"""
import json
import os
import re
import uuid

from .config import Config, ConfigError
from .paths import resolve
from .tfcompat import tf

ARCHITECTURE_FIELDS = ("image_size", "g_conv_dim", "d_conv_dim", "g_repeat_num", "d_repeat_num",
                       "c_dim", "selected_attrs")


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


def check_compatible(saved: Config, requested: Config, where):
    """Refuse to resume a checkpoint into a different network: name every differing field."""
    diffs = ["{} (saved {!r}, requested {!r})".format(f, getattr(saved, f), getattr(requested, f))
             for f in ARCHITECTURE_FIELDS if getattr(saved, f) != getattr(requested, f)]
    if diffs:
        raise ConfigError(
            "{} holds a run with a different architecture: {}. Use a new output_dir for the new "
            "architecture, or the saved values to resume it".format(where, "; ".join(diffs)))


def load_run_config(run_dir) -> Config:
    path = run_path(run_dir, "config.json")
    if not os.path.exists(path):
        raise RunError("{} has no config.json: it is not a training run directory (train one with "
                       "03_train.ipynb or stargan_nb.train.train)".format(resolve(run_dir)))
    return Config.load(path)


def checkpoint_dir(run_dir):
    return run_path(run_dir, "checkpoints")


def latest_checkpoint(run_dir):
    return tf.train.latest_checkpoint(checkpoint_dir(run_dir))


def checkpoint_step(prefix):
    m = re.search(r"model-(\d+)$", prefix or "")
    return int(m.group(1)) if m else None


def find_checkpoint(run_dir, checkpoint=None):
    """A checkpoint prefix: the latest, a step number, or a path; a clear error when absent."""
    if checkpoint is None or checkpoint == "latest":
        prefix = latest_checkpoint(run_dir)
        if prefix is None:
            raise RunError("{} has no checkpoint yet; train first (03_train.ipynb)".format(checkpoint_dir(run_dir)))
        return prefix
    if isinstance(checkpoint, int) or str(checkpoint).isdigit():
        prefix = os.path.join(checkpoint_dir(run_dir), "model-{}".format(int(checkpoint)))
    else:
        prefix = str(resolve(checkpoint))
    if not os.path.exists(prefix + ".index"):
        state = tf.train.get_checkpoint_state(checkpoint_dir(run_dir))
        have = [os.path.basename(p) for p in (state.all_model_checkpoint_paths if state else [])]
        raise RunError("checkpoint {} not found; available: {}".format(prefix, ", ".join(have) or "none"))
    return prefix


def write_json(run_dir, name, payload):
    """A JSON result file in the run directory, written whole or not at all."""
    from .atomic import write_text_atomic
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
    return run_path(run_dir, "metrics.jsonl")


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
    from .atomic import write_text_atomic
    rows = [r for r in read_metrics(run_dir) if r["step"] <= step]
    if os.path.exists(metrics_path(run_dir)):
        write_text_atomic(metrics_path(run_dir), "".join(json.dumps(r) + "\n" for r in rows))


def sample_paths(run_dir):
    folder = run_path(run_dir, "samples")
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if re.match(r"step_\d+\.png$", f))

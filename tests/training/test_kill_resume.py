"""Training killed with SIGKILL at random moments (once in the middle of a checkpoint write) and resumed.

Each resume must start from the latest complete checkpoint, with a consistent global step and learning
rate; no checkpoint may be unreadable; a kill may cost at most checkpoint_steps iterations.
The generator is full width (8.4M parameters; ~100 MB per checkpoint with Adam) so that writes take
long enough to be caught in the middle.
"""
import os
import random
import signal
import subprocess
import sys

import numpy as np

from stargan_nb import runs
from stargan_nb.config import Config
from stargan_nb.model.schedule import learning_rate_at
from stargan_nb.runtime.tfcompat import tf
from processes import wait_for

SETTINGS = dict(image_size=16, g_conv_dim=64, g_repeat_num=6, d_conv_dim=8, d_repeat_num=2, batch_size=4, n_test=8,
                training_iterations=80, num_step_decay=40, lr_update_step=5, checkpoint_steps=5, summary_steps=1,
                save_steps=1000, keep_checkpoints=3)


def start(run, toy_root):
    args = [sys.executable, "-m", "stargan_nb", "train", "--preset", "toy", "--run-dir", str(run), "--no-progress",
            "--set", "image_root={}".format(toy_root / "images"),
            "--set", "metadata_path={}".format(toy_root / "list_attr_celeba.txt")]
    for k, v in SETTINGS.items():
        args += ["--set", "{}={}".format(k, v)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def logged_step(run):
    rows = runs.read_metrics(str(run)) if (run / "metrics.jsonl").exists() else []
    return rows[-1]["step"] if rows else 0


def temp_entries(run):
    folder = run / "checkpoints"
    return [f for f in os.listdir(str(folder)) if "temp" in f] if folder.exists() else []


def check_checkpoints(run):
    """Every checkpoint the state file lists is complete and readable; returns the latest step."""
    state = tf.train.get_checkpoint_state(str(run / "checkpoints"))
    for prefix in state.all_model_checkpoint_paths:
        assert os.path.exists(prefix + ".index") and os.path.exists(prefix + ".data-00000-of-00001")
        assert tf.train.load_variable(prefix, "global_step") == runs.checkpoint_step(prefix)
    return runs.checkpoint_step(state.model_checkpoint_path)


def test_sigkill_five_times_then_finish(toy_root, tmp_path):
    run = tmp_path / "run"
    rng = random.Random(1234)
    report = []
    caught_mid_write = False
    kill = 0
    while kill < 6:
        proc = start(run, toy_root)
        before = check_checkpoints(run) if (run / "checkpoints" / "checkpoint").exists() else 0
        mid_write = kill == 2 and not caught_mid_write
        if mid_write:
            wait_for(lambda: temp_entries(run), proc)
        else:
            target = before + rng.randint(2, 14)
            wait_for(lambda: logged_step(run) >= target, proc)
        progress = logged_step(run)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        leftovers = temp_entries(run)
        if mid_write:
            if not leftovers:  # the write finished before the signal landed: try that kill again
                continue
            caught_mid_write = True
        latest = check_checkpoints(run)
        lost = progress - latest
        report.append(dict(kill=kill, resumed_from=before, progress=progress, latest=latest, lost=lost,
                           mid_write=bool(mid_write)))
        assert 0 <= lost <= SETTINGS["checkpoint_steps"] + 1, report  # +1: the row logged as the kill landed
        kill += 1
    assert caught_mid_write

    proc = start(run, toy_root)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode()[-2000:]
    assert check_checkpoints(run) == SETTINGS["training_iterations"]
    assert not temp_entries(run)  # the resume cleared what the mid-write kill left
    rows = runs.read_metrics(str(run))
    cfg = Config.preset("toy", **SETTINGS)
    np.testing.assert_allclose([r["lr"] for r in rows], learning_rate_at([r["step"] - 1 for r in rows], cfg), rtol=1e-6)
    assert [r["step"] for r in rows] == list(range(1, SETTINGS["training_iterations"] + 1))
    print("\n".join(str(r) for r in report))

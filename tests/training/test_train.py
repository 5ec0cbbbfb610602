import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.config import ConfigError
from stargan_nb.model.schedule import learning_rate_at
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.training.loop import TrainingDivergedError, train
from tiny_runs import TINY_NETWORKS


@pytest.fixture
def short_run(toy_config):
    """Tiny networks, 12 iterations with the decay, summaries, samples and checkpoints all inside them."""
    return toy_config.replace(**TINY_NETWORKS, batch_size=4, d_train_repeat=5, training_iterations=12,
                              num_step_decay=6, lr_update_step=2,
                              summary_steps=2, save_steps=4, checkpoint_steps=4, n_test=8)


def files_in(run_dir):
    return {f: os.path.getmtime(os.path.join(run_dir, "checkpoints", f))
            for f in os.listdir(os.path.join(run_dir, "checkpoints"))}


def test_train_writes_checkpoints_samples_metrics_and_summaries(short_run, tmp_path):
    run = str(tmp_path / "run")
    result = train(short_run, run, progress=False, max_iterations=6)
    assert result["step"] == 6 and not result["finished"] and result["interrupted_by"] is None
    assert result["checkpoint"].endswith("model-6")
    assert tf.train.load_variable(result["checkpoint"], "global_step") == 6
    assert sorted(f for f in os.listdir(tmp_path / "run" / "samples")) == ["step_000004.png", "step_000006.png"]
    rows = runs.read_metrics(run)
    assert [r["step"] for r in rows] == [2, 4, 6]
    assert {"D/loss_real", "D/loss_fake", "D/loss_cls", "D/loss_gp", "D/loss", "G/loss_rec", "lr"} <= set(rows[-1])
    assert os.listdir(tmp_path / "run" / "logs")  # TensorBoard events
    assert runs.load_run_config(run) == short_run


def test_resume_continues_step_schedule_and_adam_state(short_run, tmp_path):
    run = str(tmp_path / "run")
    train(short_run, run, progress=False, max_iterations=6)
    ck6 = runs.find_checkpoint(run, 6)
    result = train(short_run, run, progress=False, max_iterations=1)
    assert result["start_step"] == 6 and result["step"] == 7
    ck7 = result["checkpoint"]
    # Adam's bias-correction powers count all 7 D steps (and G's 1 step), not just this call's.
    powers = sorted(float(tf.train.load_variable(ck7, n)) for n in ["beta1_power", "beta1_power_1"])
    np.testing.assert_allclose(powers, [0.5 ** 8, 0.5 ** 2])
    # The first and second moments of a D weight follow Adam's update from the restored values.
    name = "discriminator/conv0/weight/d_adam"
    m6, v6 = tf.train.load_variable(ck6, name), tf.train.load_variable(ck6, name + "_1")
    m7, v7 = tf.train.load_variable(ck7, name), tf.train.load_variable(ck7, name + "_1")
    grad = (m7 - 0.5 * m6) / 0.5
    np.testing.assert_allclose(v7, 0.999 * v6 + 0.001 * grad ** 2, rtol=1e-3, atol=1e-12)
    assert np.abs(m6).max() > 0
    # Train to the end: the logged rates are the paper's schedule, across the resume.
    result = train(short_run, run, progress=False)
    assert result["finished"] and result["step"] == 12
    rows = runs.read_metrics(run)
    assert [r["step"] for r in rows] == [2, 4, 6, 7, 8, 10, 12]
    np.testing.assert_allclose([r["lr"] for r in rows], learning_rate_at([r["step"] - 1 for r in rows], short_run), rtol=1e-6)
    kept = {f for f in files_in(run) if f.endswith(".index")}
    assert kept == {"model-7.index", "model-8.index", "model-12.index"}  # the last three, across sessions


def test_resume_refuses_another_architecture_and_touches_nothing(short_run, tmp_path):
    run = str(tmp_path / "run")
    train(short_run, run, progress=False, max_iterations=4)
    before = files_in(run)
    config_before = (tmp_path / "run" / "config.json").read_text()
    with pytest.raises(ConfigError, match=r"different architecture: g_conv_dim \(saved 8, requested 16\).*new output_dir"):
        train(short_run.replace(g_conv_dim=16), run, progress=False)
    assert files_in(run) == before
    assert (tmp_path / "run" / "config.json").read_text() == config_before


@pytest.mark.parametrize("change, named", [
    (dict(seed=7), r"seed \(saved 1234, requested 7\)"),
    (dict(n_test=12), r"n_test \(saved 8, requested 12\)"),
])
def test_resume_refuses_another_split_unless_allowed(short_run, tmp_path, change, named):
    run = str(tmp_path / "run")
    train(short_run, run, progress=False, max_iterations=2)
    before = files_in(run)
    with pytest.raises(ConfigError, match=named + r".*train on images that the run tests on.*allow_split_change"):
        train(short_run.replace(**change), run, progress=False)
    assert files_in(run) == before
    result = train(short_run.replace(**change), run, progress=False, max_iterations=1, allow_split_change=True)
    assert (result["start_step"], result["step"]) == (2, 3)


def test_resume_takes_the_same_attribute_file_however_its_path_is_written(short_run, tmp_path, monkeypatch):
    run = str(tmp_path / "run")
    train(short_run, run, progress=False, max_iterations=1)
    monkeypatch.chdir(os.path.dirname(short_run.metadata_path))
    monkeypatch.setenv("STARGAN_NB_ROOT", os.path.dirname(short_run.metadata_path))
    same_file = short_run.replace(metadata_path=os.path.basename(short_run.metadata_path))
    assert train(same_file, run, progress=False, max_iterations=1)["step"] == 2
    with pytest.raises(ConfigError, match=r"metadata_path \(saved"):
        train(short_run.replace(metadata_path=str(tmp_path / "other" / "list_attr_celeba.txt")), run, progress=False)


def test_nan_stops_training_and_keeps_the_last_good_checkpoint(short_run, tmp_path):
    run = str(tmp_path / "run")
    train(short_run, run, progress=False, max_iterations=4)
    before = files_in(run)
    with pytest.raises(TrainingDivergedError, match=r"diverged at iteration 5: .*G/loss = (inf|nan).*last good checkpoint is .*model-4"):
        train(short_run.replace(lambda_rec=1e39), run, progress=False)  # finite in Python, infinite in float32
    assert files_in(run) == before


def test_unwritable_run_dir_is_reported(short_run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(runs.RunError, match="is not writable"):
        train(short_run, str(blocker / "run"), progress=False)


def test_sigint_finishes_the_iteration_and_writes_a_checkpoint(short_run, tmp_path):
    run = tmp_path / "run"
    args = [sys.executable, "-m", "stargan_nb", "train", "--preset", "toy", "--run-dir", str(run), "--no-progress"]
    for key in ["image_root", "metadata_path"]:
        args += ["--set", "{}={}".format(key, getattr(short_run, key))]
    for key, value in dict(TINY_NETWORKS, batch_size=4, n_test=8, training_iterations=100000, num_step_decay=0,
                           summary_steps=1, checkpoint_steps=100000, save_steps=100000).items():
        args += ["--set", "{}={}".format(key, value)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    deadline = time.time() + 120
    while not (run / "metrics.jsonl").exists() or len(runs.read_metrics(str(run))) < 3:
        assert proc.poll() is None, proc.stdout.read()
        assert time.time() < deadline, "training never logged"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert "Stopped by SIGINT at iteration" in out
    step = int(out.split("Stopped by SIGINT at iteration ")[1].split(";")[0])
    assert runs.latest_checkpoint(str(run)).endswith("model-{}".format(step))
    assert tf.train.load_variable(runs.latest_checkpoint(str(run)), "global_step") == step

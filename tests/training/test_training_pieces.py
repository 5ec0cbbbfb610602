"""The pieces train() is made of, each on its own: stop requests, divergence, checkpoints, monitoring, samples."""
import json
import os
import signal

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.training.checkpoints import Checkpointer
from stargan_nb.training.guards import StopRequest, TrainingDivergedError, check_finite
from stargan_nb.training.monitor import Monitor, sample_grid
from tiny_runs import tiny_config


def test_stop_request_turns_a_signal_into_a_flag_and_restores_the_handler():
    before = signal.getsignal(signal.SIGTERM)
    with StopRequest() as stop:
        assert stop.signal is None
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.signal == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is before


def test_check_finite_names_each_bad_loss_and_the_last_checkpoint(tmp_path):
    check_finite(3, {"D/loss": 1.0, "G/loss": -2.0}, str(tmp_path))
    with pytest.raises(TrainingDivergedError, match=r"iteration 7: G/loss_rec = nan, D/loss = inf.*none \(no checkpoint"):
        check_finite(7, {"G/loss_rec": float("nan"), "D/loss": float("inf"), "G/loss": 1.0}, str(tmp_path))


def _graph():
    graph = tf.Graph()
    with graph.as_default():
        v = tf.get_variable("v", initializer=tf.constant([1.0, 2.0]))
        step = tf.train.get_or_create_global_step()
        bump = tf.group(tf.assign_add(v, [1.0, 1.0]), tf.assign_add(step, 1))
        saver = tf.train.Saver(max_to_keep=2)
        init = tf.global_variables_initializer()
    return graph, v, bump, saver, init


def test_checkpointer_initialises_saves_and_resumes_removing_partial_writes(tmp_path):
    run = str(tmp_path)
    os.makedirs(runs.checkpoint_dir(run))
    graph, v, bump, saver, init = _graph()
    with tf.Session(graph=graph) as sess:
        ckpt = Checkpointer(sess, saver, run)
        assert ckpt.restore_or_initialise(init) is None and ckpt.last_saved is None
        sess.run(bump)
        assert ckpt.save(1).endswith("model-1") and ckpt.last_saved == 1
    leftover = os.path.join(runs.checkpoint_dir(run), "model-2_temp_abc")
    os.makedirs(leftover)  # what a kill during a checkpoint write leaves behind
    graph, v, bump, saver, init = _graph()
    with tf.Session(graph=graph) as sess:
        ckpt = Checkpointer(sess, saver, run)
        assert ckpt.restore_or_initialise(init).endswith("model-1")
        assert ckpt.last_saved == 1 and sess.run(v).tolist() == [2.0, 3.0]
    assert not os.path.exists(leftover)


def test_monitor_logs_summary_steps_and_the_last_one_and_truncates_on_resume(toy_root, tmp_path):
    run = str(tmp_path)
    config = tiny_config(toy_root, summary_steps=2)
    monitor = Monitor(run, tf.Graph(), 0, config, progress=False)
    for step in range(1, 6):
        monitor.iteration_done(step, 1e-4, {"D/loss": float(step)}, {"G/loss": -float(step)}, last=(step == 5))
    monitor.close()
    rows = runs.read_metrics(run)
    assert [r["step"] for r in rows] == [2, 4, 5] and rows[-1]["G/loss"] == -5.0
    assert os.listdir(runs.logs_dir(run)), "TensorBoard events written"
    Monitor(run, tf.Graph(), 4, config, progress=False).close()  # resuming from the checkpoint of step 4
    assert [r["step"] for r in runs.read_metrics(run)] == [2, 4]
    assert all(json.loads(line) for line in open(runs.metrics_path(run)))


def test_sample_grid_puts_each_input_beside_its_translations():
    x = np.full((2, 4, 4, 3), -1.0, np.float32)
    fakes = [np.ones((2, 4, 4, 3), np.float32)] * 3
    grid = sample_grid(x, fakes, min_cell=4)
    assert grid.shape == (8, 16, 3) and grid.dtype == np.uint8
    assert (grid[:, :4] == 0).all() and (grid[:, 4:] == 255).all()


def test_sample_grid_enlarges_small_images_and_names_its_columns():
    x = np.full((2, 32, 32, 3), -1.0, np.float32)
    x[:, 0, 0] = 1.0  # one white pixel per input: enlarged, it must stay one 3 x 3 block
    fakes = [np.ones((2, 32, 32, 3), np.float32)] * 2
    plain = sample_grid(x, fakes)
    assert plain.shape == (2 * 96, 3 * 96, 3)
    assert (plain[:3, :3] == 255).all() and (plain[3, 0] == 0).all() and (plain[0, 3] == 0).all()
    titled = sample_grid(x, fakes, ["input", "to Blond_Hair", "Male flipped"], "iteration 250")
    top = titled.shape[0] - plain.shape[0]
    assert top > 20 and (titled[top:] == plain).all()
    header = titled[:top]
    assert (header < 128).any(), "the heading and titles are drawn in dark text above the images"
    first_col, third_col = header[:, :96], header[:, 192:]
    assert (first_col < 128).any() and (third_col < 128).any(), "every column has a title"


def test_run_directory_names_have_one_owner(tmp_path):
    run = str(tmp_path)
    path = runs.sample_path(run, 250)
    assert path.endswith(os.path.join("samples", "step_000250.png")) and runs.sample_step(path) == 250
    assert runs.sample_step("notes.png") is None and runs.sample_step("step_x.png") is None
    os.makedirs(os.path.dirname(path))
    for step in (1000, 250, 500, 750):
        open(runs.sample_path(run, step), "wb").close()
    open(os.path.join(os.path.dirname(path), "notes.txt"), "w").close()
    assert [s for s, _ in runs.spread_samples(run, 2)] == [250, 1000]  # the first and the last
    assert [s for s, _ in runs.spread_samples(run, 10)] == [250, 500, 750, 1000]
    assert runs.spread_samples(str(tmp_path / "none"), 3) == []
    assert runs.checkpoint_step(runs.checkpoint_prefix(run) + "-1200") == 1200
    assert runs.run_dir_of_checkpoint(runs.checkpoint_prefix(run) + "-1200") == os.path.abspath(run)

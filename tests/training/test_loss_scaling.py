"""Loss scaling keeps the iteration count: an update skipped for an overflow still counts as an iteration.

Forced overflows: an absurd initial loss scale makes the first updates' scaled gradients infinite. The GPU
path runs TensorFlow's own loss-scale optimizer end to end through train() (the automatic mixed precision
rewrite itself does nothing on a CPU); the NPU path runs the graph with the stand-in npu_bridge
(tests/support/npu_stand_in.py) for every precision mode, since the NPU session cannot start here.
"""
import pytest

from stargan_nb import runs
from stargan_nb.config import PRECISION_MODES
from stargan_nb.model.training_graph import build_training_graph, run_iteration
from stargan_nb.runtime import device
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.training.loop import train
import npu_stand_in
from tiny_runs import tiny_config

ABSURD = 1e38  # any gradient above about 3.4 overflows float32 once multiplied by it


def test_overflow_skips_updates_but_not_iterations_on_the_gpu_path(toy_root, tmp_path, monkeypatch):
    monkeypatch.setattr(device, "gpu_available", lambda: True)  # a GPU stand-in: its loss scaling, run on the CPU
    run = str(tmp_path / "run")
    config = tiny_config(toy_root, device="gpu", precision_mode="allow_mix_precision", initial_loss_scale=ABSURD,
                         training_iterations=12, num_step_decay=6, lr_update_step=2, summary_steps=3,
                         checkpoint_steps=6, save_steps=6)
    first = train(config, run, progress=False, max_iterations=6)
    assert first["step"] == 6 and runs.latest_checkpoint(run).endswith("model-6")
    result = train(config, run, progress=False)  # resumes at 6, as the checkpoint's name says
    assert (result["start_step"], result["step"]) == (6, 12)
    rows = runs.read_metrics(run)
    assert [r["step"] for r in rows] == [3, 6, 9, 12]
    # The learning-rate schedule follows the iteration count, skipped updates or not.
    from stargan_nb.model.schedule import learning_rate_at
    assert [r["lr"] for r in rows] == pytest.approx([float(learning_rate_at(r["step"] - 1, config)) for r in rows])
    skipped = [r["skipped_updates/D"] for r in rows]
    assert skipped[0] >= 1, "the absurd scale overflowed"
    assert skipped == sorted(skipped) and skipped[-1] <= 12, "a running count, carried across the resume"
    assert rows[0]["loss_scale/D"] < ABSURD, "each overflow lowered the scale"
    assert all(r["skipped_updates/G"] >= 0 and r["loss_scale/G"] > 0 for r in rows)


@pytest.mark.parametrize("mode", [m for m in PRECISION_MODES if device.needs_loss_scaling("npu", m)])
def test_every_fp16_npu_mode_scales_the_loss_and_keeps_the_step(mode, toy_root, tmp_path, monkeypatch):
    npu_stand_in.install(tmp_path, monkeypatch)
    try:
        config = tiny_config(toy_root, precision_mode=mode, initial_loss_scale=ABSURD)
        with tf.Graph().as_default():
            x = tf.random.uniform([config.batch_size, 16, 16, 3], -1, 1)
            c = tf.cast(tf.random.uniform([config.batch_size, config.c_dim]) > 0.5, tf.float32)
            g = build_training_graph(x, c, config, device="npu")
            with tf.Session() as sess:  # a CPU session: the NpuOptimizer exists only on an Ascend host
                sess.run(tf.global_variables_initializer())
                flags = [run_iteration(sess, g, step, config)[3] for step in range(4)]
                assert sess.run(g.global_step) == 4
        assert set(flags[0]) == {"loss_scale/D", "skipped/D", "loss_scale/G", "skipped/G"}
        assert flags[0]["skipped/D"] == 1.0 and flags[0]["loss_scale/D"] == pytest.approx(ABSURD, rel=1e-6)
    finally:
        npu_stand_in.forget()

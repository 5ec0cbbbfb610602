"""Notebooks 00, 02, 03 and 04 executed headless through papermill, as `make demo` runs them, at tiny sizes."""
import json

from notebook_runner import outputs_of, run
from tiny_runs import TINY_NETWORKS

from stargan_nb import runs

TINY = dict(TINY_NETWORKS, batch_size=4, n_test=8)


def test_00_npu_session_on_this_cpu():
    text, _ = outputs_of(run("00_npu_session.ipynb"))
    assert "chosen device: cpu" in text
    assert "intra_op_parallelism_threads" in text
    assert "[[12. 12.]" in text
    assert "training can start" in text and "free disk" in text  # doctor's table, at the top
    assert "npu-smi: npu-smi is not on PATH (expected off an Ascend host)" in text


def test_02_model_building(toy_root):
    text, images = outputs_of(run("02_model_building.ipynb", image_root=str(toy_root / "images"),
                                  metadata_path=str(toy_root / "list_attr_celeba.txt"), n_images=2,
                                  config_overrides=dict(TINY, n_test=40)))
    assert "paper config: G = 8,430,528  D = 44,762,048" in text
    assert "conv_out 7x7 + tanh" in text and "cls head" in text
    assert images == 4  # G and D drawn at this config, with attention=true and at the paper's; the untrained grid


def test_03_train_then_resume_then_04_monitor(toy_root, tmp_path):
    run_dir = str(tmp_path / "run")
    common = dict(image_root=str(toy_root / "images"), metadata_path=str(toy_root / "list_attr_celeba.txt"),
                  output_dir=run_dir, training_iterations=10, summary_steps=2, save_steps=5,
                  checkpoint_steps=5, num_step_decay=4, lr_update_step=2, config_overrides=TINY)
    text, images = outputs_of(run("03_train.ipynb", max_iterations=6, **common))
    assert "resuming from scratch" in text
    assert runs.latest_checkpoint(run_dir).endswith("model-6")
    text, _ = outputs_of(run("03_train.ipynb", **common))
    assert "resuming from" in text and "model-6" in text
    assert '"step": 10' in text and '"finished": true' in text
    accuracy = json.loads((tmp_path / "run" / "toy_accuracy.json").read_text())
    assert set(accuracy["target"]) == {"Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"}

    text, images = outputs_of(run("04_training_monitor.ipynb", run_dir=run_dir, sample_steps=[5]))
    assert "logged iterations: 2 to 10 of 10" in text
    assert images == 3  # losses, learning rate, sample grids

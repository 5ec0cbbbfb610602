"""Folder-per-domain runs through notebooks 01, 03, 05, 06 and 07, and joint training through 08, headless."""
import json
import os
import re

from notebook_runner import outputs_of, run
from tiny_runs import TINY_NETWORKS

from stargan_nb import runs

TINY = dict(TINY_NETWORKS, batch_size=4)


def test_01_inspects_a_folder_dataset(toy_rafd_root):
    text, images = outputs_of(run("01_data_inspection.ipynb", preset="toy_rafd", image_root=str(toy_rafd_root),
                                  config_overrides={"n_test": 16}))
    assert "the folder each image is in" in text and "96 images: 80 for training, 16 for testing" in text
    assert "oracle reads surprised    right on 100.0% of 16 test images" in text
    assert images >= 4  # frequencies, co-occurrence, raw vs processed, the oracle's regions


def test_a_folder_run_through_03_05_06_07(toy_rafd_root, tmp_path):
    run_dir = str(tmp_path / "run")
    text, _ = outputs_of(run("03_train.ipynb", preset="toy_rafd", image_root=str(toy_rafd_root), output_dir=run_dir,
                             training_iterations=6, save_steps=3, checkpoint_steps=3, num_step_decay=0,
                             config_overrides=dict(TINY, n_test=16)))
    assert re.search(r"^dataset +folders$", text, re.M) and '"finished": true' in text
    accuracy = json.loads((tmp_path / "run" / "toy_accuracy.json").read_text())
    assert set(accuracy["target"]) == {"angry", "contemptuous", "disgusted", "fearful", "happy", "neutral", "sad",
                                       "surprised"}
    assert accuracy["titles"]["happy"] == "to happy"
    text, images = outputs_of(run("05_translate.ipynb", run_dir=run_dir, n_images=3, interpolation_steps=3))
    assert "labels ['angry', 'contemptuous'" in text and images == 6  # the label rows, the grid, the cycle's labels and images, targets by name, the interpolation
    run("06_fid_evaluation.ipynb", run_dir=run_dir, n_images=8, download_inception=False)
    with open(os.path.join(run_dir, "eval.json")) as f:
        result = json.load(f)
    assert result["judge"] == "toy oracle" and set(result["transfer"]["target"]) == set(accuracy["target"])
    text, _ = outputs_of(run("07_freeze_pb.ipynb", run_dir=run_dir, n_images=2))
    assert "max |pb - checkpoint|" in text and '"dataset": "folders"' in text


def test_08_trains_a_joint_run_and_draws_figure_1(toy_root, toy_rafd_root, tmp_path):
    run_dir = str(tmp_path / "joint")
    overrides = dict(TINY, image_root=str(toy_root / "images"), metadata_path=str(toy_root / "list_attr_celeba.txt"),
                     rafd_image_root=str(toy_rafd_root), n_test=8, rafd_n_test=16, training_iterations=4,
                     save_steps=4, checkpoint_steps=4, num_step_decay=0)
    text, images = outputs_of(run("08_multi_dataset.ipynb", run_dir=run_dir, n_images=3, config_overrides=overrides))
    assert "generator labels: 15 columns; discriminator classifies 13" in text
    assert "happy/" in text and "iteration 4 in" in text
    assert os.path.exists(runs.run_path(run_dir, runs.JOINT_GRID))
    accuracy = json.loads((tmp_path / "joint" / "toy_accuracy.json").read_text())
    assert len(accuracy["target"]) == 13 and accuracy["titles"]["Male"] == "Male flipped"
    assert images == 6  # one image per folder, the label rows, the samples, Figure 1, its right answers, the judged bars
    text, _ = outputs_of(run("08_multi_dataset.ipynb", run_dir=run_dir, n_images=2, train=False,
                             config_overrides=overrides))
    assert "iteration 4 - saved" in text
    run("06_fid_evaluation.ipynb", run_dir=run_dir, n_images=8, download_inception=False)  # 06 takes joint runs
    with open(os.path.join(run_dir, "eval.json")) as f:
        result = json.load(f)
    assert list(result["judge_accuracy_on_real_test_images"]) == ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male",
                                                                  "Young"]
    assert len(result["transfer"]["target"]) == 13

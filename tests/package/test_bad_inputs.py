"""Messy inputs: each either works or stops with a message naming the file, line or parameter, and
nothing already written is lost. (More cases live beside their modules: attribute-file errors in
test_attributes.py, config errors in test_config.py, checkpoints in test_train.py, .pb files in
test_freeze.py, the Inception file in test_fid.py, image formats in test_pipeline.py.)"""
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from stargan_nb import data, runs
from stargan_nb.data.attributes import DataFormatError
from stargan_nb.training.loop import train
from tiny_runs import tiny_config


@pytest.fixture
def messy_copy(toy_root, tmp_path):
    root = tmp_path / "toy"
    shutil.copytree(str(toy_root), str(root))
    return root


def long_run_config(root, **changes):
    """400 iterations with a checkpoint every 2: a run that is still going when the test breaks something."""
    return tiny_config(root, **dict(dict(training_iterations=400, checkpoint_steps=2, save_steps=1000,
                                         summary_steps=1000), **changes))


def break_training_image(root, cfg, how):
    """Damage one image of the training split; return its name."""
    ds = data.load_dataset(cfg)
    name = ds.split.train_files[5]
    path = root / "images" / name
    content = path.read_bytes()
    if how == "truncated":
        path.write_bytes(content[:len(content) // 3])
    else:
        path.write_bytes(b"\xff\xd8 this is not an image " * 20)
    return name


@pytest.mark.parametrize("how", ["truncated", "corrupt"])
def test_broken_image_stops_training_with_its_name_and_keeps_the_checkpoint(messy_copy, tmp_path, how):
    cfg = long_run_config(messy_copy)
    run = str(tmp_path / "run")
    train(cfg, run, progress=False, max_iterations=2)
    name = break_training_image(messy_copy, cfg, how)
    with pytest.raises(DataFormatError, match=r"1 of \d+ images listed in .* cannot be decoded \(first: {}".format(name)):
        train(cfg, run, progress=False)
    step = runs.checkpoint_step(runs.latest_checkpoint(run))
    assert step >= 2  # what was trained before the bad image came up was saved
    assert runs.load_run_config(run) == cfg


def test_broken_test_image_is_named_when_previewing(messy_copy):
    cfg = long_run_config(messy_copy)
    ds = data.load_dataset(cfg)
    bad = messy_copy / "images" / ds.split.test_files[1]
    bad.write_bytes(b"not an image at all")
    with pytest.raises(DataFormatError, match=r"cannot be decoded \(first: {}: .*remove their rows from .*"
                                              r"list_attr_celeba.txt".format(ds.split.test_files[1])):
        data.preview(cfg, ds, n=4)


def test_cmyk_jpeg_is_converted(messy_copy):
    cfg = long_run_config(messy_copy)
    ds = data.load_dataset(cfg)
    name = ds.split.test_files[0]
    rgb = Image.open(messy_copy / "images" / name).convert("RGB")
    rgb.convert("CMYK").save(messy_copy / "images" / name, quality=95)
    _, images, _ = data.preview(cfg, ds, n=1)
    want = np.asarray(rgb.crop((0, 20, 178, 198)).resize((16, 16), Image.BILINEAR), np.float32) / 127.5 - 1
    assert np.abs(images[0] - want).mean() < 0.05


def test_papermill_parameter_of_the_wrong_type_names_it(messy_copy, tmp_path):
    import papermill
    from notebook_runner import run
    with pytest.raises(papermill.PapermillExecutionError) as err:
        run("03_train.ipynb", image_root=str(messy_copy / "images"),
            metadata_path=str(messy_copy / "list_attr_celeba.txt"), output_dir=str(tmp_path / "run"),
            batch_size="sixteen")
    assert "batch_size must be a whole number, got 'sixteen'" in str(err.value)
    assert not os.path.exists(str(tmp_path / "run" / "checkpoints"))


def test_attribute_file_in_a_folder_without_images(messy_copy, tmp_path):
    cfg = long_run_config(messy_copy, image_root=str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match=r"240 of 240 images listed in .* are missing from .*empty"):
        data.load_dataset(cfg)

"""Issue #31, what a careful user tried in order to break the workbook: each case is refused with a named error
that says what to do, before anything is trained, written or scored.

non-finite parameters; a device this machine lacks; a folder domain with no training image; the toy oracle
asked to judge other data; the command line's errors (a message, not a traceback); images PIL reads but the
pipeline's decoder does not.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import types

import pytest
from PIL import Image

from stargan_nb import __main__ as cli
from stargan_nb import data
from stargan_nb.config import Config, ConfigError, parse_overrides
from stargan_nb.data.attributes import DataFormatError
from stargan_nb.data.domain_folders import read_domain_folders
from stargan_nb.runtime import device
from stargan_nb.training.loop import train
import npu_stand_in
from tiny_runs import tiny_config, tiny_folder_config, tiny_joint_config


# ---------------------------------------------------------------- 1. parameters that are not finite numbers
@pytest.mark.parametrize("changes, message", [
    ({"lambda_cls": float("nan")}, "lambda_cls must be a finite number, got nan"),
    ({"init_learning_rate": float("inf")}, "init_learning_rate must be a finite number, got inf"),
    ({"initial_loss_scale": float("inf")}, "initial_loss_scale must be a finite number, got inf"),
    (parse_overrides(["lambda_rec=NaN"]), "lambda_rec must be a finite number, got nan"),  # JSON's NaN via --set
    (parse_overrides(["cross_dataset_targets=-Infinity"]), "cross_dataset_targets must be a finite number"),
])
def test_non_finite_parameters_are_refused_by_name(changes, message):
    with pytest.raises(ConfigError, match=message):
        Config.preset("toy", **changes)


def test_non_finite_values_in_a_config_file_or_set_later_are_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(dict(Config.preset("toy").to_dict(), lambda_gp=float("nan"))))  # json writes NaN
    with pytest.raises(ConfigError, match=r"config.json: lambda_gp must be a finite number, got nan"):
        Config.load(path)
    config = Config.preset("toy")
    config.beta2 = float("nan")  # a notebook assigning after the preset: train() validates again
    with pytest.raises(ConfigError, match="beta2 must be a finite number, got nan"):
        config.validate()


# ---------------------------------------------------------------- 2. a device this machine lacks
@pytest.mark.skipif(device.gpu_available(), reason="this machine has a GPU")
def test_gpu_asked_for_without_one_is_refused_before_anything_is_written(toy_root, tmp_path):
    run = tmp_path / "run"
    with pytest.raises(ConfigError, match=r'device is "gpu" but .*Set device="auto" .* or "cpu".*GPU build'):
        train(tiny_config(toy_root, device="gpu"), str(run), progress=False)
    assert not run.exists()
    assert device.resolve_device("auto") in ("cpu", "npu")  # auto still picks what is here


def test_npu_asked_for_without_npu_bridge_is_refused(toy_root, tmp_path):
    run = tmp_path / "run"
    with pytest.raises(ConfigError, match=r'device is "npu" but npu_bridge does not import here.*Ascend host'):
        train(tiny_config(toy_root, device="npu"), str(run), progress=False)
    assert not run.exists()


def test_a_device_that_is_there_resolves_and_graphs_for_absent_ones_still_build(tmp_path, monkeypatch):
    assert device.resolve_device("cpu") == "cpu"
    npu_stand_in.install(tmp_path, monkeypatch)
    try:
        assert device.resolve_device("npu") == "npu"
    finally:
        npu_stand_in.forget()
    monkeypatch.setattr(device, "gpu_available", lambda: True)
    assert device.resolve_device("gpu") == "gpu"
    monkeypatch.undo()
    # Building for a device is not running on it: the session configs of every device are made anywhere.
    assert device.session_config("gpu").gpu_options.allow_growth
    assert device.session_config("npu").graph_options.rewrite_options.custom_optimizers[0].name == "NpuOptimizer"


# ---------------------------------------------------------------- 3. a folder domain with no training image
def domains(root, counts):
    for domain, n in counts.items():
        (root / domain).mkdir(parents=True)
        for i in range(n):
            Image.new("RGB", (24, 24), (40 * i % 255, 90, 160)).save(str(root / domain / "{:03d}.png".format(i)))
    return root


def shuffled(table, seed):
    """The seeded order the split takes its test images from (the first n_test), as file names."""
    from stargan_nb.data.attributes import split
    parts = split(table, len(table) - 1, seed)
    return parts.test_files + parts.train_files


def test_a_domain_whose_images_all_fall_in_the_test_split_is_refused(tmp_path):
    root = domains(tmp_path / "faces", {"calm": 12, "rare": 2})
    table = read_domain_folders(root)
    for seed in range(100):  # a seed whose order has a calm image first and one last
        order = shuffled(table, seed)
        rare = [order.index(f) for f in order if f.startswith("rare/")]
        if 0 < min(rare) and max(rare) < len(order) - 1:
            break
    config = tiny_folder_config(root, selected_attrs=["calm", "rare"], seed=seed)
    with pytest.raises(DataFormatError, match=r"every image of domain 'rare' \(2 in all\) falls in the test split "
                                              r"\(n_test={} of 14 images\).*lower n_test or add images to .*rare"
                                              .format(max(rare) + 1)):
        data.load_dataset(config.replace(n_test=max(rare) + 1))
    # No test image of a domain is fine: it trains, and the test split simply has none of it.
    ds = data.load_dataset(config.replace(n_test=min(rare)))
    assert not any(f.startswith("rare/") for f in ds.split.test_files)
    assert sum(f.startswith("rare/") for f in ds.split.train_files) == 2


def test_joint_trainings_folders_are_checked_the_same_way(toy_root, tmp_path):
    root = domains(tmp_path / "faces", {"calm": 6, "rare": 1})
    config = tiny_joint_config(toy_root, root, rafd_domains=["calm", "rare"], rafd_n_test=1)
    table = read_domain_folders(root)
    seed = next(s for s in range(100) if shuffled(table, s)[-1] != "rare/000.png")  # not the last: n_test < 7
    n_test = shuffled(table, seed).index("rare/000.png") + 1
    with pytest.raises(DataFormatError, match=r"every image of domain 'rare' \(1 in all\) falls in the test split "
                                              r"\(rafd_n_test={} of 7 images\).*lower rafd_n_test".format(n_test)):
        data.load_second_dataset(config.replace(rafd_n_test=n_test, seed=seed))


# ---------------------------------------------------------------- 4. the toy oracle asked to judge other data
@pytest.fixture
def real_data_run(toy_root, tmp_path):
    """A run directory whose data is not the toy faces (their copy without its marker): config.json is all the
    refusal reads, so nothing is trained."""
    real = tmp_path / "real"
    shutil.copytree(str(toy_root), str(real))
    os.remove(str(real / "TOY_FACES.txt"))
    run = tmp_path / "run"
    run.mkdir()
    tiny_config(real).save(str(run / "config.json"))
    return str(run)


def test_accuracy_refuses_a_run_its_oracle_cannot_read_and_names_the_classifier(real_data_run, capsys):
    from stargan_nb.evaluation.accuracy import evaluate_toy_run
    from stargan_nb.evaluation.evaluate import evaluate_run
    from stargan_nb.runs import RunError
    with pytest.raises(RunError, match=r"toy pixel oracle cannot judge this run: .*real is not a folder of the toy "
                                       r"faces.*notebook 06.*AttributeJudge"):
        evaluate_toy_run(real_data_run)
    with pytest.raises(RunError, match="toy pixel oracle cannot judge"):  # 06 with judge="oracle"
        evaluate_run(real_data_run, judge="oracle", progress=False)
    assert cli.main(["accuracy", real_data_run]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "notebook 06" in err and "Traceback" not in err


def test_attributes_the_oracle_does_not_read_are_named(toy_root):
    from stargan_nb.data.dataset import oracle_problem
    config = tiny_config(toy_root, selected_attrs=["Male", "Smiling"])
    assert oracle_problem(config) == ("selected_attrs has Smiling, which the oracle does not read (it reads "
                                           "Black_Hair, Blond_Hair, Brown_Hair, Male, Young)")
    assert oracle_problem(tiny_config(toy_root)) == "" and data.oracle_can_judge(tiny_config(toy_root))


# ---------------------------------------------------------------- 5. the command line: a message, not a traceback
@pytest.fixture
def fake_command(monkeypatch):
    """`python -m stargan_nb boom`, whose main raises what the test puts in `raised`."""
    raised = []

    def main(argv):
        raise raised[0]
    monkeypatch.setitem(sys.modules, "fake_boom", types.SimpleNamespace(main=main))
    monkeypatch.setitem(cli.COMMANDS, "boom", "fake_boom")
    return raised


def test_the_workbooks_errors_print_one_line_and_exit_1(capsys, tmp_path):
    assert cli.main(["train", "--set", "lambda_cls=NaN", "--run-dir", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err == "error: preset 'toy': lambda_cls must be a finite number, got nan\n"
    with pytest.raises(ConfigError):  # --debug, before the command: the traceback
        cli.main(["--debug", "train", "--set", "lambda_cls=NaN", "--run-dir", str(tmp_path / "r")])
    with pytest.raises(SystemExit) as usage:  # argparse's own usage errors keep their status
        cli.main(["train", "--no-such-flag"])
    assert usage.value.code == 2
    assert "--debug" in cli.__doc__


def test_other_errors_say_how_to_see_the_traceback_and_ctrl_c_is_quiet(fake_command, capsys):
    fake_command.append(RuntimeError("the disk is on fire"))
    assert cli.main(["boom"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: RuntimeError: the disk is on fire\n") and "--debug boom" in err
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "boom"])
    fake_command[0] = KeyboardInterrupt()
    assert cli.main(["boom"]) == 130
    assert capsys.readouterr().err == ""


def test_the_real_command_line_prints_no_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "stargan_nb", "train", "--set", "device=gpu" if not
                           device.gpu_available() else "lambda_cls=NaN", "--run-dir", str(tmp_path / "r")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("error: ")


# ---------------------------------------------------------------- 6. images PIL reads and the decoder does not
def resave(path, fmt):
    Image.open(str(path)).convert("RGB").save(str(path), format=fmt)  # its .jpg name kept


def test_a_tiff_named_jpg_is_named_with_the_attribute_files_fix(toy_root, tmp_path):
    root = tmp_path / "toy"
    shutil.copytree(str(toy_root), str(root))
    config = tiny_config(root)
    ds = data.load_dataset(config)
    name = ds.split.test_files[2]
    resave(root / "images" / name, "TIFF")
    with pytest.raises(DataFormatError, match=r"1 of 4 images listed in .*list_attr_celeba.txt cannot be decoded "
                                              r"\(first: {}: a TIFF file, which PIL reads but TensorFlow .* decoder "
                                              r"does not .*remove their rows from .*list_attr_celeba.txt".format(name)):
        data.preview(config, ds, n=4)


@pytest.fixture(scope="module")
def rafd_copy(toy_rafd_root, tmp_path_factory):
    root = tmp_path_factory.mktemp("refusals") / "rafd"
    shutil.copytree(str(toy_rafd_root), str(root))
    return root


@pytest.mark.parametrize("how", ["WEBP", "truncated"])
def test_a_folder_datasets_broken_test_image_is_named_with_the_folders_fix(rafd_copy, how):
    from stargan_nb.runtime.tfcompat import tf
    config = tiny_folder_config(rafd_copy)
    ds = data.load_dataset(config)
    name = ds.split.test_files[1]
    path = rafd_copy / name
    original = path.read_bytes()
    try:
        if how == "truncated":
            path.write_bytes(original[:len(original) // 2])
            why = "OSError: image file is truncated"
        else:
            resave(path, "WEBP")
            why = "a WEBP file, which PIL reads but TensorFlow .* decoder does not"
            with tf.Graph().as_default(), tf.Session() as sess:
                from stargan_nb.data.pipeline import decode
                try:
                    sess.run(decode(tf.constant(path.read_bytes())))
                    reads_webp = True
                except tf.errors.InvalidArgumentError:
                    reads_webp = False
            if reads_webp:  # TF 2.x: the image is fine, and nothing is refused
                assert data.preview(config, ds, n=4)[1].shape == (4, 16, 16, 3)
                return
        with pytest.raises(DataFormatError) as err:
            data.preview(config, ds, n=4)
        message = str(err.value)
        assert "(first: {}: ".format(name) in message and name.count("/") == 1, "named relative to image_root"
        assert re.search(why, message), message
        assert "move them out of {}".format(os.path.join(str(rafd_copy), name.split("/")[0])) in message
        assert "convert them to PNG or JPEG" in message and "rows" not in message
    finally:
        path.write_bytes(original)


def test_training_names_an_image_only_pil_reads_in_a_folder_dataset(rafd_copy, tmp_path):
    config = tiny_folder_config(rafd_copy, training_iterations=400, checkpoint_steps=1000, save_steps=1000,
                                summary_steps=1000)
    name = data.load_dataset(config).split.train_files[3]
    path = rafd_copy / name
    original = path.read_bytes()
    try:
        resave(path, "TIFF")
        with pytest.raises(DataFormatError, match=r"1 of \d+ images read from the domain folders of .* cannot be "
                                                  r"decoded \(first: {}: a TIFF file.*move them out of .*{}".format(
                                                      name, name.split("/")[0])):
            train(config, str(tmp_path / "run"), progress=False)
    finally:
        path.write_bytes(original)

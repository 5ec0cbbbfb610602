import json

import pytest

from stargan_nb.config import Config, ConfigError


def test_defaults_are_the_model_cards():
    c = Config()
    assert (c.image_size, c.g_conv_dim, c.d_conv_dim, c.g_repeat_num, c.d_repeat_num) == (128, 64, 64, 6, 6)
    assert (c.lambda_cls, c.lambda_rec, c.lambda_gp) == (1, 10, 10)
    assert c.lambda_id == 0  # the identity term is not in the paper
    assert (c.batch_size, c.c_dim, c.d_train_repeat) == (16, 5, 5)
    assert c.selected_attrs == ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
    assert (c.init_learning_rate, c.lr_update_step, c.num_step_decay) == (1e-4, 1000, 100000)
    assert (c.beta1, c.beta2, c.training_iterations) == (0.5, 0.999, 200000)
    assert (c.crop_size, c.n_test, c.seed) == (178, 2000, 1234)
    assert Config.preset("celeba") == c


def test_toy_preset_is_small_and_valid():
    toy = Config.preset("toy")
    assert toy.image_size <= 64 and toy.image_root.startswith("data/toy")
    assert Config.preset("toy", batch_size=4).batch_size == 4


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="both, celeba, rafd, toy, toy_both, toy_rafd"):
        Config.preset("imagenet")


@pytest.mark.parametrize("changes, message", [
    ({"c_dim": 4}, r"c_dim is 4 but selected_attrs names 5 attributes.*set c_dim=5"),
    ({"image_size": 100}, r"image_size 100 is not divisible by 2\*\*d_repeat_num = 64.*use image_size 64 or 128"),
    ({"batch_size": 0}, r"batch_size must be a positive"),
    ({"training_iterations": -5}, r"training_iterations must be a positive"),
    ({"num_step_decay": 300000}, r"num_step_decay \(300000\) is longer than training_iterations"),
    ({"beta1": 1.0}, r"beta1 must be in \[0, 1\)"),
    ({"init_learning_rate": 0.0}, r"init_learning_rate must be > 0"),
    ({"batch_size": "16"}, r"batch_size must be a whole number, got '16' \(str\)"),
    ({"batch_size": 2.5}, r"batch_size must be a whole number"),
    ({"lambda_gp": "ten"}, r"lambda_gp must be a number"),
    ({"lambda_id": -1}, r"lambda_id must not be negative"),
    ({"id_batch_size": 17}, r"id_batch_size must be between 0 \(the whole batch\) and batch_size \(16\), got 17"),
    ({"selected_attrs": ["Male", "Male", "Young", "Blond_Hair", "Bald"]}, r"selected_attrs lists Male more than once"),
    ({"device": "tpu"}, r"device must be one of"),
    ({"precision_mode": "fp8"}, r"precision_mode must be one of"),
])
def test_validation_names_the_parameter(changes, message):
    with pytest.raises(ConfigError, match=message):
        Config().replace(**changes)


def test_whole_floats_and_attribute_strings_are_accepted():
    c = Config().replace(batch_size=8.0, selected_attrs="Black_Hair, Blond_Hair Brown_Hair,Male Young")
    assert c.batch_size == 8 and isinstance(c.batch_size, int)
    assert c.selected_attrs == ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]


def test_save_load_round_trip(tmp_path):
    c = Config.preset("toy", seed=99, selected_attrs=["Male", "Young"], c_dim=2)
    path = tmp_path / "run" / "config.json"
    c.save(path)
    assert Config.load(path) == c
    assert json.loads(path.read_text())["seed"] == 99
    assert [p.name for p in path.parent.iterdir()] == ["config.json"]  # no temporary files left


def test_load_errors_name_the_file_and_key(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text('{"image_size": 128, "batch_sise": 4}')
    with pytest.raises(ConfigError, match=r"config.json: unknown parameter 'batch_sise' \(did you mean 'batch_size'\?\)"):
        Config.load(bad)
    bad.write_text('{"image_size": 128,\n "batch_size": }')
    with pytest.raises(ConfigError, match=r"config.json: line 2: not valid JSON"):
        Config.load(bad)
    with pytest.raises(ConfigError, match="no such config file"):
        Config.load(tmp_path / "missing.json")

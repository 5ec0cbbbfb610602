"""The weight converter's mapping and its errors, without torch (an .npz stands in for the export)."""
import os

import numpy as np
import pytest

from stargan_nb.config import DEFAULT_ATTRS
from stargan_nb.deploy import convert as conv
from stargan_nb.runs import RunError
from stargan_nb.runtime.tfcompat import tf


def reference_like_state(conv_dim=4, c_dim=2, repeat=1, rng=np.random.RandomState(0)):
    """A state_dict laid out like the reference's Generator (keys and PyTorch shapes)."""
    s, dim = {}, conv_dim

    def conv_w(key, out, inp, k):
        s[key] = rng.randn(out, inp, k, k).astype(np.float32)

    def norm(prefix, ch):
        s[prefix + ".weight"], s[prefix + ".bias"] = rng.randn(ch).astype(np.float32), rng.randn(ch).astype(np.float32)
        s[prefix + ".running_mean"], s[prefix + ".running_var"] = np.zeros(ch, np.float32), np.ones(ch, np.float32)
    conv_w("main.0.weight", dim, 3 + c_dim, 7)
    norm("main.1", dim)
    for i, (c_idx, n_idx) in enumerate(((3, 4), (6, 7))):
        conv_w("main.%d.weight" % c_idx, dim * 2, dim, 4)
        norm("main.%d" % n_idx, dim * 2)
        dim *= 2
    for b in range(9, 9 + repeat):
        conv_w("main.%d.main.0.weight" % b, dim, dim, 3)
        norm("main.%d.main.1" % b, dim)
        conv_w("main.%d.main.3.weight" % b, dim, dim, 3)
        norm("main.%d.main.4" % b, dim)
    j = 9 + repeat
    for i in range(2):
        s["main.%d.weight" % (j + 3 * i)] = rng.randn(dim, dim // 2, 4, 4).astype(np.float32)  # (in, out, k, k)
        norm("main.%d" % (j + 3 * i + 1), dim // 2)
        dim //= 2
    conv_w("main.%d.weight" % (j + 6), 3, dim, 7)
    return s


def save_npz(path, state):
    np.savez(str(path), **state)
    return str(path)


def test_mapping_puts_each_weight_where_the_network_reads_it(tmp_path):
    state = reference_like_state()
    run = tmp_path / "run"
    conv.convert(save_npz(tmp_path / "500-G.npz", state), str(run), selected_attrs=["Male", "Young"], image_size=16)
    ckpt = tf.train.latest_checkpoint(str(run / "checkpoints"))
    assert ckpt.endswith("model-500")
    reader = tf.train.load_checkpoint(ckpt)
    np.testing.assert_array_equal(reader.get_tensor("generator/conv_in/weight"),
                                  state["main.0.weight"].transpose(2, 3, 1, 0))
    np.testing.assert_array_equal(reader.get_tensor("generator/res0/in2/gamma"), state["main.9.main.4.weight"])
    # ConvTranspose2d (in, out, k, k) -> conv2d_transpose filter (k, k, out, in)
    np.testing.assert_array_equal(reader.get_tensor("generator/up0/weight"), state["main.10.weight"].transpose(2, 3, 1, 0))
    assert reader.get_tensor("global_step") == 500


def test_missing_and_foreign_keys_are_named(tmp_path):
    state = reference_like_state()
    del state["main.3.weight"]
    with pytest.raises(conv.ConversionError, match=r"missing 'main.3.weight'"):
        conv.convert(save_npz(tmp_path / "a.npz", state), str(tmp_path / "r1"), selected_attrs=["Male", "Young"])
    state = reference_like_state()
    state["fc.weight"] = np.zeros(3, np.float32)
    with pytest.raises(conv.ConversionError, match="fc.weight"):
        conv.convert(save_npz(tmp_path / "b.npz", state), str(tmp_path / "r2"), selected_attrs=["Male", "Young"])
    assert not os.path.exists(str(tmp_path / "r1" / "config.json"))


def test_attribute_names_are_required_unless_c_dim_is_the_references_five(tmp_path):
    path = save_npz(tmp_path / "g.npz", reference_like_state(c_dim=2))
    with pytest.raises(conv.ConversionError, match="--selected-attrs"):
        conv.convert(path, str(tmp_path / "run"))
    five = save_npz(tmp_path / "g5.npz", reference_like_state(c_dim=5))
    summary = conv.convert(five, str(tmp_path / "run5"), image_size=16)
    assert summary["selected_attrs"] == list(DEFAULT_ATTRS)


def test_an_existing_run_is_never_overwritten(tmp_path):
    path = save_npz(tmp_path / "g.npz", reference_like_state())
    run = tmp_path / "run"
    conv.convert(path, str(run), selected_attrs=["Male", "Young"], image_size=16)
    before = (run / "config.json").read_bytes()
    with pytest.raises(RunError, match="already holds a run"):
        conv.convert(path, str(run), selected_attrs=["Black_Hair", "Young"], image_size=16)
    assert (run / "config.json").read_bytes() == before


def test_a_pytorch_file_without_torch_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(conv, "torch_python", lambda explicit=None: None)
    ckpt = tmp_path / "200000-G.ckpt"
    ckpt.write_bytes(b"not read")
    with pytest.raises(conv.ConversionError, match="scripts/setup-torch"):
        conv.convert(str(ckpt), str(tmp_path / "run"))


def test_cli_reports_errors_without_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        conv.main(["--generator", str(tmp_path / "nope-G.ckpt"), "--out", str(tmp_path / "run")])
    assert "no such weight file" in str(exit_info.value)


def test_architecture_cannot_be_overridden_but_other_fields_can(tmp_path):
    path = save_npz(tmp_path / "g.npz", reference_like_state())
    with pytest.raises(conv.ConversionError, match="g_conv_dim cannot be set"):
        conv.convert(path, str(tmp_path / "r1"), selected_attrs=["Male", "Young"], overrides={"g_conv_dim": 64})
    conv.main(["--generator", path, "--out", str(tmp_path / "r2"), "--selected-attrs", "Male", "Young",
               "--image-size", "16", "--set", "n_test=40"])
    from stargan_nb.runs import load_run_config
    assert load_run_config(str(tmp_path / "r2")).n_test == 40


def test_training_on_a_converted_run_is_refused_with_the_reason(tmp_path, toy_root):
    from stargan_nb.config import Config
    from stargan_nb.training.loop import train
    run = tmp_path / "run"
    conv.convert(save_npz(tmp_path / "g.npz", reference_like_state()), str(run), selected_attrs=["Male", "Young"],
                 image_size=16, image_root=str(toy_root / "images"),
                 metadata_path=str(toy_root / "list_attr_celeba.txt"), overrides={"n_test": 40, "batch_size": 2})
    before = sorted(p.name for p in (run / "checkpoints").iterdir())
    with pytest.raises(RunError, match="holds only the networks"):
        train(Config.load(str(run / "config.json")), str(run), progress=False)
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == before

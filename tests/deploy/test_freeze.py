import json
import os
import subprocess
import sys

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.deploy import freeze
from stargan_nb.deploy.inference import Generator
from stargan_nb.runtime.tfcompat import tf


def test_frozen_graph_matches_the_checkpoint_any_batch_size(trained_tiny_run, tmp_path):
    pb = tmp_path / "stargan_model.pb"
    info = freeze.freeze_generator(trained_tiny_run, str(pb))
    assert oct(os.stat(pb).st_mode & 0o777) == oct(0o666 & ~_umask())
    side = json.loads((tmp_path / "stargan_model.json").read_text())
    assert side == info and side["inputs"]["x_real"]["shape"] == [-1, 16, 16, 3] and side["step"] == 10
    assert side["selected_attrs"] == ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
    f = freeze.load_frozen(str(pb))
    g = Generator(trained_tiny_run)
    rng = np.random.RandomState(0)
    for n in (1, 3, 7):
        x = rng.uniform(-1, 1, (n, 16, 16, 3)).astype(np.float32)
        c = (rng.rand(n, 5) > 0.5).astype(np.float32)
        out = f(x, c)
        assert out.shape == (n, 16, 16, 3)
        np.testing.assert_allclose(out, g(x, c), atol=1e-5)
    # Each image is translated on its own: a batch gives what single images give.
    np.testing.assert_allclose(f(x, c)[2:3], f(x[2:3], c[2:3]), atol=1e-5)
    g.close()


def _umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_frozen_graph_has_only_the_named_inputs_output_and_no_training_nodes(trained_tiny_run, tmp_path):
    pb = tmp_path / "g.pb"
    freeze.freeze_generator(trained_tiny_run, str(pb), checkpoint=5)
    graph_def = freeze.read_graph_def(str(pb))
    ops = {n.op for n in graph_def.node}
    names = {n.name for n in graph_def.node}
    assert {"x_real", "c_trg", "x_fake"} <= names
    assert [n.name for n in graph_def.node if n.op == "Placeholder"] == ["x_real", "c_trg"] or \
        sorted(n.name for n in graph_def.node if n.op == "Placeholder") == ["c_trg", "x_real"]
    assert not ops & {"VariableV2", "VarHandleOp", "ApplyAdam", "SaveV2", "RestoreV2", "Assign"}
    assert not any("discriminator" in n or "adam" in n.lower() for n in names)
    assert json.loads((tmp_path / "g.json").read_text())["step"] == 5


def test_atc_command_from_the_sidecar_is_quoted(trained_tiny_run, tmp_path):
    pb = tmp_path / "my model.pb"
    freeze.freeze_generator(trained_tiny_run, str(pb))
    cmd = freeze.atc_command(str(pb))
    assert "--framework=3" in cmd and "--soc_version=Ascend310" in cmd and "--input_format=NHWC" in cmd
    assert "'--input_shape=x_real:1,16,16,3;c_trg:1,5'" in cmd and "--out_nodes=x_fake:0" in cmd
    assert "'--model={}'".format(pb) in cmd  # the space is quoted


def test_clear_errors_for_missing_or_mismatched_inputs(trained_tiny_run, tmp_path):
    with pytest.raises(runs.RunError, match=r"checkpoint .*model-7 not found; available: model-5, model-10"):
        freeze.freeze_generator(trained_tiny_run, str(tmp_path / "x.pb"), checkpoint=7)
    with pytest.raises(runs.RunError, match="has no config.json"):
        freeze.freeze_generator(str(tmp_path), str(tmp_path / "x.pb"))
    # A run whose config.json says wider layers than its checkpoint holds.
    import shutil
    other = tmp_path / "other"
    shutil.copytree(trained_tiny_run, str(other))
    cfg = json.loads((other / "config.json").read_text())
    cfg["g_conv_dim"] = 16
    (other / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(runs.RunError, match="does not hold this run's generator"):
        freeze.freeze_generator(str(other), str(tmp_path / "x.pb"))
    assert not (tmp_path / "x.pb").exists()
    with pytest.raises(freeze.FrozenGraphError, match="no such .pb file"):
        freeze.load_frozen(str(tmp_path / "missing.pb"))
    (tmp_path / "junk.pb").write_bytes(b"\x00\xffnot a graph" * 10)
    with pytest.raises(freeze.FrozenGraphError, match="junk.pb: not a TensorFlow GraphDef"):
        freeze.load_frozen(str(tmp_path / "junk.pb"))


def test_command_line_like_the_model_cards(trained_tiny_run, tmp_path):
    pb = tmp_path / "stargan_model.pb"
    out = subprocess.run([sys.executable, "-m", "stargan_nb", "freeze", "--input_checkpoint",
                          os.path.join(trained_tiny_run, "checkpoints", "model-10"), "--out_pb_path", str(pb)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert out.returncode == 0, out.stdout
    assert pb.exists() and "atc --model=" in out.stdout
    assert tf.train.load_variable(os.path.join(trained_tiny_run, "checkpoints", "model-10"), "global_step") == 10


def test_07_freeze_pb_notebook(trained_tiny_run, tmp_path):
    from notebook_runner import outputs_of, run
    pb = tmp_path / "nb.pb"
    text, images = outputs_of(run("07_freeze_pb.ipynb", run_dir=trained_tiny_run, pb_path=str(pb), n_images=3))
    assert pb.exists() and (tmp_path / "nb.json").exists()
    assert "max |pb - checkpoint| over 3 images x 5 targets" in text
    assert "atc --model=" in text and "--out_nodes=x_fake:0" in text
    assert images == 1

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.deploy import freeze, half_precision, msame_io
from stargan_nb.deploy.inference import Generator, open_run
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
    """07 end to end, its last step given an msame output folder made by the stand-in msame (below) from the
    x.bin and c.bin 07 writes for the same first test image and target."""
    from notebook_runner import outputs_of, run
    from stargan_nb.model.labels import create_labels, space
    pb = tmp_path / "nb.pb"
    freeze.freeze_generator(trained_tiny_run, str(pb))
    G, config, _, x, c_org = open_run(trained_tiny_run, None, 3)
    G.close()
    inputs = msame_io.write_inputs(tmp_path, str(pb), x[:1], create_labels(c_org, space(config))[0][:1])
    stand_in_msame(freeze.atc_command(str(pb)), inputs, tmp_path / "device")
    text, images = outputs_of(run("07_freeze_pb.ipynb", run_dir=trained_tiny_run, pb_path=str(pb), n_images=3,
                                  om_output_dir=str(tmp_path / "device"),
                                  om_precision_mode="must_keep_origin_dtype"))
    assert pb.exists() and (tmp_path / "nb.json").exists()
    assert "max |pb - checkpoint| over 3 images x 5 targets" in text
    assert "atc --model=" in text and "--out_nodes=x_fake:0" in text and "--precision_mode=force_fp16" in text
    assert "msame --model " + str(tmp_path / "nb.om") in text and "x.bin,".format() in text
    assert re.search(r"fp16 throughout: +max [0-9.]+, mean [0-9.]+ pixel levels \(3 images", text)
    assert re.search(r"max \|om - pb\| 0\.00, mean 0\.000 pixel levels", text), text[-2000:]
    assert images == 2


# msame and ATC cannot run here: `stand_in_msame` is a STAND-IN that does what msame does with the files (reads
# each input as raw float32 in the shape of ATC's --input_shape, runs the model, writes
# <output>/<date_time>/<model>_output_0.bin or .txt), with the frozen .pb in place of the .om.
@pytest.fixture(scope="module")
def frozen(trained_tiny_run, tmp_path_factory):
    run = trained_tiny_run
    pb = tmp_path_factory.mktemp("pb") / "stargan_model.pb"
    freeze.freeze_generator(run, str(pb))
    G, config, _, x, c_org = open_run(run, None, 4)
    G.close()
    return str(pb), x, c_org


def stand_in_msame(atc, inputs, output_dir, outfmt="BIN"):
    shapes = re.search(r"--input_shape=([^' ]+)", atc).group(1)
    arrays = [np.fromfile(path, dtype="<f4").reshape([int(v) for v in spec.split(":")[1].split(",")])
              for path, spec in zip(inputs, shapes.split(";"))]
    model = re.search(r"--model=(\S+)", atc).group(1)
    result = freeze.load_frozen(model)(*arrays)
    folder = output_dir / "20261201_031500"
    folder.mkdir(parents=True)
    if outfmt == "BIN":
        result.astype("<f4").tofile(str(folder / "stargan_model_output_0.bin"))
    else:
        np.savetxt(str(folder / "stargan_model_output_0.txt"), result.reshape(-1, result.shape[-1]), fmt="%.7g")
    return result


@pytest.mark.parametrize("outfmt", ["BIN", "TXT"])
def test_inputs_written_for_msame_and_its_output_read_back(frozen, tmp_path, outfmt):
    pb, x, c_org = frozen
    atc = freeze.atc_command(pb, batch_size=2, precision_mode="must_keep_origin_dtype")
    paths = msame_io.write_inputs(tmp_path, pb, x[:2], c_org[:2], batch_size=2)
    assert [p.rsplit("/", 1)[1] for p in paths] == ["x.bin", "c.bin"]
    expected = stand_in_msame(atc, paths, tmp_path / "out", outfmt)
    back = msame_io.read_output(msame_io.find_output(tmp_path / "out"), pb, batch_size=2)
    assert back.shape == x[:2].shape
    assert np.abs(back - freeze.load_frozen(pb)(x[:2], c_org[:2])).max() < 1e-5
    assert np.abs(back - expected).max() < 1e-5
    pixels = msame_io.to_pixels(back)
    assert pixels.dtype == np.uint8 and pixels.shape == x[:2].shape


def test_a_wrong_batch_or_an_fp16_output_is_named(frozen, tmp_path):
    pb, x, c_org = frozen
    with pytest.raises(msame_io.MsameFileError, match="batch size 1 takes x_real"):
        msame_io.write_inputs(tmp_path, pb, x[:2], c_org[:2])
    half = tmp_path / "m_output_0.bin"
    np.zeros(x[:1].size, np.float16).tofile(str(half))
    with pytest.raises(msame_io.MsameFileError, match="half the size"):
        msame_io.read_output(half, pb)
    with pytest.raises(msame_io.MsameFileError, match="no \\*_output_0"):
        msame_io.find_output(tmp_path / "nothing")


def test_the_atc_command_names_precision_and_chip(frozen):
    pb, _, _ = frozen
    for soc in freeze.SOC_VERSIONS:
        cmd = freeze.atc_command(pb, soc_version=soc)
        assert "--soc_version=" + soc in cmd and "--precision_mode=force_fp16" in cmd
    with pytest.raises(ValueError, match="precision_mode must be one of"):
        freeze.atc_command(pb, precision_mode="fp16")
    with pytest.raises(ValueError, match="npu-smi info"):
        freeze.atc_command(pb, soc_version="910B4")


def test_fp16_weights_and_activations_move_pixels_a_little(frozen):
    pb, x, c_org = frozen
    f32 = freeze.load_frozen(pb)(x, c_org)
    rounded = msame_io.pixel_difference(f32, half_precision.load_rounded_fp16(pb)(x, c_org))
    computed = msame_io.pixel_difference(f32[:2], half_precision.load_fp16(pb)(x[:2], c_org[:2]))
    assert 0 < rounded[1] <= rounded[0] < 4   # fp16 storage moves pixels, by less than a few levels
    assert 0 < computed[1] <= computed[0] < 40 and np.isfinite(computed[0])

"""The workbook's networks are the PyTorch reference's, number for number (issue 10).

The reference's own model.py (in $STARGAN_REFERENCE_DIR) is built with random weights in a torch
venv; its state_dicts go through `stargan_nb.convert` exactly as the pretrained files would.
"""
import json
import os
import subprocess

import numpy as np
import pytest

from stargan_nb.deploy import convert as conv
from stargan_nb.deploy.inference import Generator
from stargan_nb.model.losses import discriminator_losses, generator_losses
from stargan_nb.model.networks import discriminator, generator
from stargan_nb.runs import load_run_config
from stargan_nb.runtime.tfcompat import tf
from repo_paths import REPO

ATTRS = ["Black_Hair", "Male", "Young"]


def _reference_outputs(tmp_path):
    ref_dir = os.environ.get("STARGAN_REFERENCE_DIR")
    if not ref_dir:
        pytest.skip("STARGAN_REFERENCE_DIR is not set: point it at the folder holding the reference's model.py "
                    "(.ci/run uses ../shared/peer/stargan_pytorch)")
    if not os.path.isfile(os.path.join(ref_dir, "model.py")):
        pytest.fail("STARGAN_REFERENCE_DIR={} has no model.py".format(ref_dir))
    exe = conv.torch_python()
    if exe is None:
        message = "no Python with torch: run scripts/setup-torch (or set STARGAN_TORCH_PYTHON)"
        if os.environ.get("CI"):
            pytest.fail(message + " -- CI must run this test")
        pytest.skip(message)
    out = subprocess.run([exe, str(REPO / "reference" / "run_reference.py"), ref_dir, str(tmp_path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode == 0, out.stderr[-3000:]
    with open(str(tmp_path / "arch.json")) as f:
        arch = json.load(f)
    return dict(np.load(str(tmp_path / "io.npz"))), arch


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reference")
    io, arch = _reference_outputs(tmp)
    run = tmp / "run"
    summary = conv.convert(str(tmp / "1000-G.ckpt"), str(run), str(tmp / "1000-D.ckpt"), selected_attrs=ATTRS)
    return io, arch, str(run), summary, tmp


def test_converter_reads_the_architecture_from_the_files(converted):
    _, arch, run, summary, _ = converted
    cfg = load_run_config(run)
    assert (cfg.image_size, cfg.g_conv_dim, cfg.d_conv_dim) == (arch["image_size"], arch["conv_dim"], arch["conv_dim"])
    assert (cfg.g_repeat_num, cfg.d_repeat_num, cfg.c_dim) == (arch["g_repeat"], arch["d_repeat"], arch["c_dim"])
    assert cfg.selected_attrs == ATTRS and summary["step"] == 1000
    assert os.path.exists(os.path.join(run, "converted_from.json"))


def test_networks_and_losses_match_the_reference(converted):
    io, _, run, _, _ = converted
    cfg = load_run_config(run)
    with tf.Graph().as_default():
        x, c_org, c_trg = tf.constant(io["x"]), tf.constant(io["c_org"]), tf.constant(io["c_trg"])
        x_fake = generator(x, c_trg, cfg)
        d_src, d_cls = discriminator(x, cfg)
        d_loss, parts = discriminator_losses(x, x_fake, c_org, cfg, alpha=tf.constant(io["alpha"]))
        g_loss, _ = generator_losses(x, x_fake, c_org, c_trg, cfg)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(os.path.join(run, "checkpoints")))
            got = sess.run(dict(x_fake=x_fake, d_src=d_src, d_cls=d_cls, d_loss=d_loss, g_loss=g_loss,
                                d_loss_gp=parts["D/loss_gp"]))
    for name in ("x_fake", "d_src", "d_cls"):
        assert got[name].shape == io[name].shape
        assert np.abs(got[name] - io[name]).max() <= 1e-4, name
    for name in ("d_loss", "g_loss", "d_loss_gp"):
        assert abs(got[name] - float(io[name])) <= 1e-3 * abs(float(io[name])), (name, got[name], io[name])


def test_the_notebooks_generator_loads_the_converted_run(converted):
    io, _, run, _, _ = converted
    gen = Generator(run)
    assert gen.step == 1000
    np.testing.assert_allclose(gen(io["x"], io["c_trg"]), io["x_fake"], atol=1e-4)
    gen.close()


def test_notebooks_05_06_07_accept_the_converted_run(converted, toy_root, tmp_path):
    """The reference's weights, converted with --image-root/--metadata-path, go through 05, 06 and 07."""
    from notebook_runner import outputs_of, run
    _, _, _, _, exported = converted
    run_dir = str(tmp_path / "converted")
    conv.main(["--generator", str(exported / "1000-G.ckpt"), "--discriminator", str(exported / "1000-D.ckpt"),
               "--out", run_dir, "--selected-attrs"] + ATTRS +
              ["--image-root", str(toy_root / "images"), "--metadata-path", str(toy_root / "list_attr_celeba.txt"),
               "--set", "n_test=40"])
    text, images = outputs_of(run("05_translate.ipynb", run_dir=run_dir, n_images=3, interpolation_steps=3,
                                  targets=["Male", "-Young"], interpolate_attr="Male"))
    assert "at iteration 1000" in text and images == 6
    run("06_fid_evaluation.ipynb", run_dir=run_dir, n_images=8, download_inception=False)
    with open(os.path.join(run_dir, "eval.json")) as f:
        assert json.load(f)["step"] == 1000
    pb = tmp_path / "converted.pb"
    text, _ = outputs_of(run("07_freeze_pb.ipynb", run_dir=run_dir, pb_path=str(pb), n_images=3))
    assert pb.exists() and "max |pb - checkpoint|" in text


JOINT_ATTRS, JOINT_DOMAINS = ["Black_Hair", "Male", "Young"], ["angry", "happy", "neutral", "sad"]


@pytest.fixture(scope="module")
def joint_run(converted):
    """The reference's --dataset Both weights (tiny), converted with --dataset both."""
    _, _, _, _, tmp = converted
    run = tmp / "joint_run"
    conv.main(["--generator", str(tmp / "joint-G.ckpt"), "--discriminator", str(tmp / "joint-D.ckpt"),
               "--out", str(run), "--dataset", "both", "--selected-attrs"] + JOINT_ATTRS +
              ["--rafd-domains"] + JOINT_DOMAINS)
    return dict(np.load(str(tmp / "joint.npz"))), str(run)


def test_the_joint_models_parameters_match_the_references_at_full_size(joint_run):
    from stargan_nb.config import Config
    from stargan_nb.model.networks import count_parameters
    ref, _ = joint_run
    config = Config.preset("both")
    assert (3 + config.label_dim, config.cls_dim) == (int(ref["full_G_in_channels"]), int(ref["full_D_cls_outputs"]))
    assert (3 + config.label_dim, config.cls_dim) == (3 + 5 + 8 + 2, 13)
    assert count_parameters(config) == {"generator": int(ref["full_params_G"]),
                                        "discriminator": int(ref["full_params_D"])}


@pytest.mark.parametrize("part", ["celeba", "rafd"])
def test_joint_training_losses_match_the_references_train_multi(joint_run, part):
    """One batch of each dataset: train_multi's label rows, D's slice of the classification, both losses."""
    from stargan_nb.model.losses import label_loss
    ref, run = joint_run
    cfg = load_run_config(run)
    assert (cfg.dataset, cfg.c_dim, cfg.c2_dim, cfg.label_dim) == ("both", 3, 4, 9)
    io = {k[len(part) + 1:]: v for k, v in ref.items() if k.startswith(part + "_")}
    with tf.Graph().as_default():
        x, c_org, c_trg = tf.constant(io["x"]), tf.constant(io["c_org"]), tf.constant(io["c_trg"])
        x_fake = generator(x, c_trg, cfg)
        _, d_cls = discriminator(x, cfg)
        d_loss, d_parts = discriminator_losses(x, x_fake, c_org, cfg, alpha=tf.constant(io["alpha"]), part=part)
        g_loss, g_parts = generator_losses(x, x_fake, c_org, c_trg, cfg, part=part)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, tf.train.latest_checkpoint(os.path.join(run, "checkpoints")))
            got = sess.run(dict(x_fake=x_fake, d_cls=d_cls, d_loss=d_loss, g_loss=g_loss,
                                d_loss_cls=d_parts["D/loss_cls"], g_loss_cls=g_parts["G/loss_cls"]))
    for name in ("x_fake", "d_cls"):
        assert np.abs(got[name] - io[name]).max() <= 1e-4, name
    for name in ("d_loss", "g_loss", "d_loss_cls", "g_loss_cls"):
        assert abs(got[name] - float(io[name])) <= 1e-3 * abs(float(io[name])), (name, got[name], io[name])
    with pytest.raises(ValueError, match="part must be 'celeba', 'rafd' or 'rows'"):
        label_loss(tf.zeros([4, 7]), tf.zeros([4, 9]), cfg)

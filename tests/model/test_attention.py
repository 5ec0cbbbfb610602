"""The attention-mask generator (Config.attention, not in the paper): G returns A*C + (1-A)*x, the losses keep A
small and smooth, and a run with it trains, resumes, is frozen with the mask as a second output and draws it."""
import json

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.config import Config, ConfigError
from stargan_nb.model.losses import attention_penalties, generator_losses
from stargan_nb.model.networks import count_parameters, generator_inputs, generator_parts
from stargan_nb.runtime.tfcompat import tf
from tiny_runs import tiny_config, tiny_joint_config, train_tiny


@pytest.mark.parametrize("name", ["celeba", "rafd", "both"])
def test_off_in_the_papers_presets(name):
    assert Config.preset(name).attention is False


def test_the_field_takes_true_or_false_and_names_what_is_not():
    assert Config(attention="true").attention is True and Config(attention=0).attention is False
    with pytest.raises(ConfigError, match="attention must be true or false, got 'maybe'"):
        Config(attention="maybe")
    with pytest.raises(ConfigError, match="lambda_att_tv must not be negative"):
        Config(lambda_att_tv=-1)


def test_the_head_adds_one_7x7_conv_and_nothing_else():
    plain = Config.preset("toy")
    masked = plain.replace(attention=True)
    counts, with_mask = count_parameters(plain), count_parameters(masked)
    assert with_mask["discriminator"] == counts["discriminator"]
    assert with_mask["generator"] - counts["generator"] == 7 * 7 * plain.g_conv_dim * 1


def test_the_output_is_the_masks_blend_of_colour_and_input():
    config = Config.preset("toy", image_size=16, d_repeat_num=2, g_conv_dim=8, attention=True)
    seen = {}

    def trace(name, tensor):
        seen[name] = tensor
        return tensor
    with tf.Graph().as_default():
        x, c = generator_inputs(config, batch=3)
        out, mask = generator_parts(x, c, config, trace=trace)
        colour = seen["conv_out 7x7 + tanh (colour C)"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            rng = np.random.RandomState(0)
            feed = {x: rng.uniform(-1, 1, (3, 16, 16, 3)), c: (rng.rand(3, 5) > 0.5).astype(np.float32)}
            o, a, col, xs = sess.run([out, mask, colour, x], feed)
    assert a.shape == (3, 16, 16, 1) and 0 < a.min() and a.max() < 1
    np.testing.assert_allclose(o, a * col + (1 - a) * xs, atol=1e-6)
    assert np.abs(o - xs).max() > 0.01  # an untrained mask is about 0.5: the colour image shows through


def test_the_penalties_are_the_masks_mean_and_its_summed_differences():
    mask = np.zeros((2, 4, 4, 1), np.float32)
    mask[0, 1:3, 1:3] = 1.0  # a 2x2 square: 8 unit steps across its edges
    mask[1, :, 2:] = 0.5     # a half-plane at 0.5: 4 steps of 0.5
    with tf.Graph().as_default(), tf.Session() as sess:
        mean, tv = sess.run(attention_penalties(tf.constant(mask)))
    assert mean == pytest.approx((4 + 8 * 0.5) / 32)
    assert tv == pytest.approx((8 + 4 * 0.5) / 2)


def test_the_g_loss_adds_both_masks_penalties_with_their_weights(toy_root):
    config = tiny_config(toy_root, attention=True, lambda_att_mean=0.3, lambda_att_tv=0.01, lambda_id=0)
    with tf.Graph().as_default():
        rng = np.random.RandomState(1)
        x_real = tf.constant(rng.uniform(-1, 1, (4, 16, 16, 3)), tf.float32)
        c_org = tf.constant((rng.rand(4, 5) > 0.5).astype(np.float32))
        c_trg = 1 - c_org
        x_fake, mask = generator_parts(x_real, c_trg, config)
        total, parts = generator_losses(x_real, x_fake, c_org, c_trg, config, attention=mask)
        _, rec_mask = generator_parts(x_fake, c_org, config)
        expected = [attention_penalties(mask), attention_penalties(rec_mask)]
        with pytest.raises(ValueError, match="pass x_fake's mask"):
            generator_losses(x_real, x_fake, c_org, c_trg, config)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            t, p, ((m1, v1), (m2, v2)) = sess.run([total, dict(parts), expected])
    assert p["G/loss_att_mean"] == pytest.approx(m1 + m2, rel=1e-5)
    assert p["G/loss_att_tv"] == pytest.approx(v1 + v2, rel=1e-5)
    paper = p["G/loss_fake"] + 10 * p["G/loss_rec"] + p["G/loss_cls"]
    assert t == pytest.approx(paper + 0.3 * p["G/loss_att_mean"] + 0.01 * p["G/loss_att_tv"], rel=1e-5)


def test_the_warm_up_ramps_the_penalties_from_zero_and_needs_a_mask(toy_root):
    from stargan_nb.model.schedule import attention_weight_tensor
    config = tiny_config(toy_root, attention=True, attention_warmup=400, lambda_id=0)
    steps = [0, 1, 100, 399, 400, 401, 5000]
    with tf.Graph().as_default():
        step = tf.placeholder(tf.int64, [])
        weight = attention_weight_tensor(step, config)
        no_warm_up = attention_weight_tensor(step, config.replace(attention_warmup=0))
        rng = np.random.RandomState(3)
        x_real = tf.constant(rng.uniform(-1, 1, (2, 16, 16, 3)), tf.float32)
        c_org = tf.constant((rng.rand(2, 5) > 0.5).astype(np.float32))
        x_fake, mask = generator_parts(x_real, 1 - c_org, config)
        ramped, parts = generator_losses(x_real, x_fake, c_org, 1 - c_org, config, attention=mask,
                                         attention_weight=weight)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            graph_weights = [sess.run(weight, {step: s}) for s in steps]
            full_weights = [sess.run(no_warm_up, {step: s}) for s in steps]
            t0, p0 = sess.run([ramped, dict(parts)], {step: 0})
            t1 = sess.run(ramped, {step: 100})
    np.testing.assert_allclose(graph_weights, [0, 1 / 400, 0.25, 399 / 400, 1, 1, 1], rtol=1e-6)
    assert full_weights == [1.0] * len(steps)
    penalty = 0.1 * p0["G/loss_att_mean"] + 2.5e-4 * p0["G/loss_att_tv"]
    assert penalty > 0 and t1 - t0 == pytest.approx(0.25 * penalty, rel=1e-4)
    with pytest.raises(ConfigError, match="attention_warmup ramps the attention mask's penalties.*attention=true"):
        Config(attention_warmup=100)
    with pytest.raises(ConfigError, match="attention_warmup must not be negative"):
        Config(attention=True, attention_warmup=-1)


@pytest.fixture(scope="module")
def attention_run(toy_root, tmp_path_factory):
    return train_tiny(toy_root, tmp_path_factory.mktemp("attention") / "run", attention=True)


def test_a_run_trains_resumes_and_refuses_to_lose_its_head(attention_run, toy_root):
    from stargan_nb.training.loop import train
    rows = runs.read_metrics(attention_run)
    assert all(np.isfinite(r["G/loss_att_mean"]) and r["G/loss_att_tv"] > 0 for r in rows if "G/loss" in r)
    result = train(tiny_config(toy_root, attention=True, training_iterations=12, num_step_decay=0), attention_run,
                   progress=False)
    assert (result["start_step"], result["step"]) == (10, 12)
    with pytest.raises(ConfigError, match=r"attention \(saved True, requested False\)"):
        train(tiny_config(toy_root, training_iterations=14), attention_run, progress=False)


def test_the_generator_gives_its_masks_and_the_frozen_graph_both_outputs(attention_run, tmp_path):
    from stargan_nb.deploy import freeze
    from stargan_nb.deploy.inference import Generator
    from stargan_nb.deploy.translate import reference_grid, reference_masks
    from stargan_nb.model.labels import space
    from stargan_nb import viz
    pb = tmp_path / "g.pb"
    info = freeze.freeze_generator(attention_run, str(pb))
    assert info["attention"] and info["output"]["attention"]["shape"] == [-1, 16, 16, 1]
    assert json.loads((tmp_path / "g.json").read_text())["output"]["x_fake"]["shape"] == [-1, 16, 16, 3]
    assert "'--out_nodes=x_fake:0;attention:0'" in freeze.atc_command(str(pb))
    frozen = freeze.load_frozen(str(pb))
    rng = np.random.RandomState(2)
    x = rng.uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    c = (rng.rand(3, 5) > 0.5).astype(np.float32)
    with Generator(attention_run) as gen:
        np.testing.assert_allclose(frozen(x, c), gen(x, c), atol=1e-5)
        np.testing.assert_allclose(frozen.attention(x, c), gen.mask(x, c), atol=1e-5)
        masks = reference_masks(gen, x, c)
        fakes = reference_grid(gen, x, c)
        assert len(masks) == len(fakes) == 5 and masks[0].shape == (3, 16, 16, 1)
        fig = viz.translation_grid_with_masks(x, fakes, masks, space(gen.config))
        assert len(fig.axes) == 2 * 3 * 6  # per input, a row of translations and a row of masks
        white = viz.mask_image(np.ones((2, 2, 1)))
        assert viz.to_uint8(white).min() == 255 and viz.to_uint8(viz.mask_image(np.zeros((2, 2, 1)))).max() == 0


def test_a_plain_run_has_no_mask_and_says_so(trained_tiny_run, tmp_path):
    from stargan_nb.deploy import freeze
    from stargan_nb.deploy.inference import Generator
    from stargan_nb.deploy.translate import reference_masks
    run = trained_tiny_run
    with Generator(run) as gen:
        assert gen.attention is None and reference_masks(gen, np.zeros((1, 16, 16, 3)), np.zeros((1, 5))) is None
        with pytest.raises(ValueError, match="no attention mask"):
            gen.mask(np.zeros((1, 16, 16, 3)), np.zeros((1, 5)))
    info = freeze.freeze_generator(run, str(tmp_path / "p.pb"))
    assert not info["attention"] and list(info["output"]) == ["x_fake"]
    assert "--out_nodes=x_fake:0 " in freeze.atc_command(str(tmp_path / "p.pb")) + " "
    with pytest.raises(freeze.FrozenGraphError, match="no attention mask"):
        freeze.load_frozen(str(tmp_path / "p.pb")).attention(np.zeros((1, 16, 16, 3)), np.zeros((1, 5)))


def test_converting_the_references_weights_into_an_attention_model_is_refused(tmp_path):
    from stargan_nb.deploy.convert import ConversionError, convert
    with pytest.raises(ConversionError, match="the reference's generator has no attention head"):
        convert(str(tmp_path / "200000-G.ckpt"), str(tmp_path / "out"), overrides={"attention": True})
    assert not (tmp_path / "out").exists()


def test_joint_training_with_the_npu_stand_in_and_loss_scaling_builds_and_steps(toy_root, toy_rafd_root, tmp_path,
                                                                                 monkeypatch):
    """The NPU's fp16 path through the stand-in npu_bridge (tests/support/npu_stand_in.py; the real one cannot be installed
    here), on a joint run, the case with the most graph around the mask."""
    import npu_stand_in
    from stargan_nb.model.training_graph import build_training_graph, run_iteration
    npu_stand_in.install(tmp_path, monkeypatch)
    try:
        config = tiny_joint_config(toy_root, toy_rafd_root, attention=True, precision_mode="allow_mix_precision",
                                   d_train_repeat=1)  # every iteration has its G step
        with tf.Graph().as_default():
            def batch(dim):
                x = tf.random.uniform([config.batch_size, 16, 16, 3], -1, 1)
                return x, tf.one_hot(tf.random.uniform([config.batch_size], 0, dim, tf.int32), dim)
            xa, ca = batch(config.c_dim)
            xb, cb = batch(config.c2_dim)
            mask_a = tf.tile([[1.0, 0.0]], [config.batch_size, 1])
            mask_b = tf.tile([[0.0, 1.0]], [config.batch_size, 1])
            labels_a = tf.concat([ca, tf.zeros([config.batch_size, config.c2_dim]), mask_a], 1)
            labels_b = tf.concat([tf.zeros([config.batch_size, config.c_dim]), cb, mask_b], 1)
            g = build_training_graph(xa, labels_a, config, device="npu", second=(xb, labels_b))
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                outs = [run_iteration(sess, g, step, config) for step in range(config.d_train_repeat)]
                assert sess.run(g.global_step) == config.d_train_repeat
        g_parts, scaling = outs[-1][2], outs[-1][3]
        assert np.isfinite(g_parts["G/loss_att_mean"]) and np.isfinite(g_parts["G/loss_att_tv"])
        assert {"loss_scale/D", "loss_scale/G"} <= set(scaling)
    finally:
        npu_stand_in.forget()


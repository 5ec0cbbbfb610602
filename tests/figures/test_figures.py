"""The pictures of StarGAN's ideas (stargan_nb.figures), drawn from a tiny trained run: each must show what
the networks and the losses compute, not a look-alike."""
import numpy as np
import pytest

from tiny_runs import tiny_config


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts + [ax.title, ax.yaxis.label]]


def test_network_diagram_is_read_from_the_layers_the_config_builds(toy_root):
    from stargan_nb.figures.network_diagram import network_blocks, network_diagram, outputs, traced_blocks
    from stargan_nb.model.networks import count_parameters
    config = tiny_config(toy_root)
    nets = network_blocks(config)
    g, d = nets["G"], nets["D"]
    assert [b.name for b in g[:2]] == ["x: image", "c: target labels"]
    assert g[2].inputs == ("x: image", "c: target labels") and g[2].shape == (16, 16, 3 + config.label_dim)
    assert [b.shape for b in outputs(g)] == [(16, 16, 3)]
    heads = outputs(d)
    assert len(heads) == 2 and heads[0].inputs == heads[1].inputs == (d[config.d_repeat_num].name,)
    assert heads[1].shape == (config.cls_dim,)
    counts = count_parameters(config)
    assert sum(b.params for b in g) == counts["generator"] and sum(b.params for b in d) == counts["discriminator"]
    drawn = " ".join(texts(network_diagram(config)))
    assert all("({})".format(", ".join(map(str, b.shape))) in drawn for b in g + d)

    # A network with a second output (as an attention mask would add) shows it as a second output block.
    from stargan_nb.runtime.tfcompat import tf
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1, 4, 4, 3])

        def build(trace):
            h = trace("body", tf.nn.relu(x))
            trace("image", tf.tanh(h))
            trace("mask", tf.sigmoid(h[..., :1]))
        blocks = traced_blocks(build, {"x": x}, "none")
    assert [(b.name, b.inputs) for b in outputs(blocks)] == [("image", ("body",)), ("mask", ("body",))]


def test_the_cycle_picture_is_g_applied_twice_and_the_label_changes_are_the_batch_s(trained_tiny_run):
    from stargan_nb.figures import cycle
    from stargan_nb.deploy.inference import open_run
    from stargan_nb.model.labels import space
    run = open_run(trained_tiny_run, n_images=4)
    try:
        x, c_org = run.images, run.labels
        c_trg = cycle.batch_targets(c_org, seed=3)
        assert sorted(map(tuple, c_trg)) == sorted(map(tuple, c_org))   # another image's labels, none invented
        images = cycle.cycle(run.gen, x, c_org, c_trg)
        fake = run.gen(x, c_trg)
        np.testing.assert_allclose(images["G(G(x, c_trg), c_org)"], run.gen(fake, c_org), atol=1e-5)
        np.testing.assert_allclose(images["G(x, c_org)"], run.gen(x, c_org), atol=1e-5)
        assert not np.allclose(images["G(G(x, c_trg), c_org)"], images["G(x, c_org)"], atol=1e-3)
        changes = cycle.flips(c_org, c_trg, list(space(run.config)))
        drawn = texts(cycle.cycle_figure(images, changes))
        for i in range(len(x)):
            mean = cycle.difference(images["G(x, c_trg)"][i], x[i]).mean()
            assert any("mean {:.3f}".format(mean) in t for t in drawn)
        fig = cycle.label_change_figure(c_org, c_trg, list(space(run.config)))
        red = [p for p in fig.axes[1].patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
        assert len(red) == int((c_org != c_trg).sum())
    finally:
        run.gen.close()


def test_the_penalty_picture_shows_the_norm_the_loss_penalises(trained_tiny_run):
    from stargan_nb.figures.critic import Critic, gradient_penalty_figure, interpolates
    from stargan_nb.deploy.inference import open_run
    from stargan_nb.model.losses import gradient_penalty
    from stargan_nb.model.networks import discriminator
    from stargan_nb.runtime.tfcompat import tf
    run = open_run(trained_tiny_run, n_images=4)
    critic = Critic(trained_tiny_run)
    try:
        fake = run.gen(run.images, run.labels[::-1])
        alpha = np.array([0.0, 0.3, 0.7, 1.0], np.float32)
        x_hat = interpolates(run.images, fake, alpha)
        np.testing.assert_allclose(x_hat[3], run.images[3])
        np.testing.assert_allclose(x_hat[0], fake[0])
        norms, maps = critic.gradient(x_hat)
        assert maps.shape == run.images.shape[:3] and (norms > 0).all()
        with critic.graph.as_default():   # the training loss, on the same restored D
            penalty = gradient_penalty(lambda h: discriminator(h, critic.config)[0], tf.constant(run.images),
                                       tf.constant(fake), alpha=tf.constant(alpha.reshape(-1, 1, 1, 1)))
        assert critic.session.run(penalty) == pytest.approx(np.mean((norms - 1) ** 2), rel=1e-4)
        drawn = texts(gradient_penalty_figure(run.images, fake, alpha, norms, maps))
        assert all(any("norm {:.3f}".format(n) in t for t in drawn) for n in norms)
    finally:
        critic.close()
        run.gen.close()


def test_d_s_classifier_beside_the_oracle(trained_tiny_run):
    from stargan_nb import data
    from stargan_nb.figures.critic import Critic, classifier_figure, classifier_verdicts
    from stargan_nb.deploy.inference import open_run
    run = open_run(trained_tiny_run, n_images=3)
    oracle, _ = data.toy_reader(run.config)
    with Critic(trained_tiny_run) as critic:
        fakes, probs, verdicts, titles = classifier_verdicts(critic, run.gen, run.images, run.labels, oracle,
                                                             list(run.config.selected_attrs))
        raw = critic.probabilities(fakes[1])[:, 1]
    run.gen.close()
    assert probs.shape == verdicts.shape == (run.config.c_dim, 3) and ((probs >= 0) & (probs <= 1)).all()
    # Column 1 (Blond_Hair) is switched on in every target of create_labels: the probability is D's own.
    np.testing.assert_allclose(probs[1], raw, rtol=1e-5)
    np.testing.assert_array_equal(verdicts[1], oracle(fakes[1])[:, 1] == 1)
    drawn = texts(classifier_figure(run.images, fakes, probs, verdicts, titles))
    assert any("D {:.2f} · oracle {}".format(probs[1, 0], "yes" if verdicts[1, 0] else "no") in t for t in drawn)


def test_sample_grids_are_picked_near_the_asked_steps_and_stacked(trained_tiny_run):
    from stargan_nb.figures.samples import pick_samples, stacked_sample_grids
    picked = pick_samples(trained_tiny_run, steps=(1, 6))
    assert [s for s, _ in picked] == [5, 10]   # the grids nearest 1 and 6, then the last (10): no repeats
    from PIL import Image
    fig = stacked_sample_grids(picked)
    assert [ax.images[0].get_array().shape for ax in fig.axes] == [
        Image.open(path).convert("RGB").size[::-1] + (3,) for _, path in picked]

"""The fused D-then-G iteration must be the reference's two separate steps, number for number."""
import numpy as np

from stargan_nb.config import Config
from stargan_nb.model.losses import generator_losses
from stargan_nb.model.networks import D_SCOPE, G_SCOPE, generator, variables
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.model.training_graph import build_training_graph, run_iteration

CFG = Config(image_size=16, g_conv_dim=4, d_conv_dim=4, g_repeat_num=1, d_repeat_num=2, c_dim=3,
             selected_attrs=["Black_Hair", "Male", "Young"], batch_size=2, d_train_repeat=1,
             training_iterations=10, num_step_decay=5)
# Every row has the same labels, so the random permutation of targets cannot differ between graphs.
X = np.random.RandomState(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
C = np.array([[1, 0, 1], [1, 0, 1]], np.float32)


def _trained_weights(reference_order):
    with tf.Graph().as_default():
        tf.set_random_seed(7)
        g = build_training_graph(tf.constant(X), tf.constant(C), CFG)
        if reference_order:  # the reference: a D step, then a fresh G forward pass for the G step
            x, c = tf.constant(X), tf.constant(C)
            # the convolutions in the form the CPU training graph runs them
            g_loss, _ = generator_losses(x, generator(x, c, CFG, pixel_blocks=True), c, c, CFG, pixel_blocks=True)
            ref_g_step = tf.train.AdamOptimizer(g.learning_rate, CFG.beta1, CFG.beta2, 1e-8,
                                                name="ref").minimize(g_loss, var_list=variables(G_SCOPE))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(variables(G_SCOPE))
            if reference_order:
                sess.run(g.d_iteration["step"])
                sess.run(ref_g_step)
            else:
                _, _, g_parts, _ = run_iteration(sess, g, 0, CFG)
                assert set(g_parts) >= {"G/loss", "G/loss_rec", "G/loss_cls", "G/loss_fake"}
            return before, sess.run(variables(G_SCOPE)), sess.run(variables(D_SCOPE))


def test_fused_g_iteration_equals_separate_d_and_g_steps():
    g_before, g_fused, d_fused = _trained_weights(reference_order=False)
    _, g_ref, d_ref = _trained_weights(reference_order=True)
    for a, b in zip(d_fused, d_ref):
        np.testing.assert_allclose(a, b, atol=1e-6)
    moved = max(float(np.abs(a - b).max()) for a, b in zip(g_fused, g_before))
    assert moved > 1e-5  # G really was updated
    for a, b in zip(g_fused, g_ref):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_d_iteration_leaves_the_generator_alone():
    cfg = CFG.replace(d_train_repeat=5)
    with tf.Graph().as_default():
        g = build_training_graph(tf.constant(X), tf.constant(C), cfg)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(variables(G_SCOPE))
            lr, d_parts, g_parts, scaling = run_iteration(sess, g, 0, cfg)
            after = sess.run(variables(G_SCOPE))
            assert g_parts is None and scaling == {} and np.isfinite(d_parts["D/loss"]) and lr > 0
            assert sess.run(g.global_step) == 1
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_every_tensor_of_the_training_graph_has_a_static_shape(toy_root):
    """Graph compilers (the NPU's above all) then compile one graph, with no dynamic-input options."""
    from stargan_nb.data import dataset as datasets
    from stargan_nb.training.loop import build_graph, fixed_test_batch
    from tiny_runs import tiny_config
    config = tiny_config(toy_root, d_train_repeat=5)
    dataset = datasets.load_dataset(config)
    x_fixed, _ = fixed_test_batch(config, dataset)
    graph, g, _, _ = build_graph(config, dataset, "cpu", sample_batch=len(x_fixed))
    fetches = [g.d_iteration, g.g_iteration, g.fake_sample]
    flat = []
    for f in fetches:
        flat += list(f.values()) if isinstance(f, dict) else [f]
    stack = [getattr(t, "op", t) for t in flat for t in (t.values() if isinstance(t, dict) else [t])]
    seen, unknown = set(), []
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack += [i.op for i in op.inputs] + list(op.control_inputs)
        unknown += [t.name for t in op.outputs if t.dtype not in (tf.resource, tf.variant, tf.string)
                    and not t.shape.is_fully_defined()]
    assert len(seen) > 1000, "the whole training graph was walked"
    assert unknown == []

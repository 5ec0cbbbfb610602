import numpy as np
import pytest

from stargan_nb.config import Config
from stargan_nb.model.networks import count_parameters, discriminator, generator
from stargan_nb.model.ops import deconv4x4_s2, instance_norm
from stargan_nb.runtime.tfcompat import tf


def test_parameter_counts_are_the_references():
    assert count_parameters(Config.preset("celeba")) == {"generator": 8430528, "discriminator": 44762048}


def small_network_config(image_size, c_dim, d_repeat):
    attrs = ["A%d" % i for i in range(c_dim)]
    return Config(image_size=image_size, g_conv_dim=4, d_conv_dim=4, g_repeat_num=1, d_repeat_num=d_repeat,
                  c_dim=c_dim, selected_attrs=attrs)


@pytest.mark.parametrize("size, c_dim, d_repeat", [(16, 1, 2), (32, 5, 4), (64, 3, 6), (48, 2, 4)])
def test_output_shapes(size, c_dim, d_repeat):
    cfg = small_network_config(size, c_dim, d_repeat)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, size, size, 3])
        c = tf.placeholder(tf.float32, [None, c_dim])
        fake = generator(x, c, cfg)
        src, cls = discriminator(fake, cfg)
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            xs = np.random.uniform(-1, 1, (3, size, size, 3))
            f, sr, cl = s.run([fake, src, cls], {x: xs, c: np.ones((3, c_dim))})
    patch = size // 2 ** d_repeat
    assert f.shape == (3, size, size, 3) and np.abs(f).max() <= 1
    assert sr.shape == (3, patch, patch, 1) and cl.shape == (3, c_dim)


def test_transposed_conv_is_pytorchs_padding_1():
    """Scatter each input pixel's kernel onto a (2H+2) canvas, crop 1 each side: PyTorch's definition."""
    rng = np.random.RandomState(0)
    x = rng.randn(1, 3, 3, 2).astype(np.float32)
    with tf.Graph().as_default():
        y = deconv4x4_s2(tf.constant(x), 5, "up")
        w = [v for v in tf.global_variables() if v.name == "up/weight:0"][0]
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            got, kernel = s.run([y, w])  # kernel: [4, 4, out, in]
    canvas = np.zeros((1, 8, 8, 5), np.float32)
    for i in range(3):
        for j in range(3):
            canvas[0, 2 * i:2 * i + 4, 2 * j:2 * j + 4] += np.einsum("abon,n->abo", kernel, x[0, i, j])
    assert got.shape == (1, 6, 6, 5)
    np.testing.assert_allclose(got, canvas[:, 1:-1, 1:-1], atol=1e-5)


def test_instance_norm_uses_each_images_own_statistics():
    rng = np.random.RandomState(1)
    x = np.concatenate([rng.randn(1, 5, 5, 2) * 3 + 7, rng.randn(1, 5, 5, 2) * 0.1 - 2]).astype(np.float32)
    with tf.Graph().as_default():
        y = instance_norm(tf.constant(x), "norm")
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            out = s.run(y)
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1, atol=1e-2)


def test_instance_norm_gradient_in_closed_form_matches_the_derived_one():
    """instance_norm's hand-written gradient against TensorFlow's own derivation through tf.nn.moments."""
    from stargan_nb.model import ops
    rng = np.random.RandomState(2)
    x = (rng.randn(3, 6, 5, 4) * rng.uniform(0.1, 4, size=(3, 1, 1, 4)) + rng.randn(3, 1, 1, 4) * 5).astype(np.float32)
    with tf.Graph().as_default():
        xt = tf.constant(x)
        gamma, beta = tf.constant(rng.randn(4).astype(np.float32)), tf.constant(rng.randn(4).astype(np.float32))
        weights = tf.constant(rng.randn(3, 6, 5, 4).astype(np.float32))

        def derived(x, gamma, beta):
            mean, var = tf.nn.moments(x, axes=[1, 2], keep_dims=True)
            return gamma * (x - mean) / tf.sqrt(var + 1e-5) + beta

        grads = []
        for norm in (derived, lambda *a: ops._normalize(*a, eps=1e-5)):
            y = norm(xt, gamma, beta)
            grads.append([y] + tf.gradients(tf.reduce_sum(tf.sin(y) * weights), [xt, gamma, beta]))
        with tf.Session() as s:
            want, got = s.run(grads)
    for w, g in zip(want, got):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4 * np.abs(w).max())


@pytest.mark.parametrize("cin,cout,kernel,size", [(64, 3, 7, 10), (8, 64, 7, 8), (5, 20, 5, 6)])
def test_thin_convolutions_on_pixel_blocks_match_conv2d(cin, cout, kernel, size):
    """G's 7x7 layers with few channels on one side run on 2x2 blocks (space_to_depth); the outputs and both
    gradients must be the plain convolution's."""
    from stargan_nb.model import ops
    rng = np.random.RandomState(3)
    x = rng.randn(2, size, size, cin).astype(np.float32)
    with tf.Graph().as_default():
        xt = tf.constant(x)
        y = ops.conv2d(xt, cout, kernel, 1, kernel // 2, False, "thin", pixel_blocks=True)
        assert any(op.type == "SpaceToDepth" for op in tf.get_default_graph().get_operations())
        w = tf.get_default_graph().get_tensor_by_name("thin/weight:0")
        plain = tf.nn.conv2d(xt, w, [1, 1, 1, 1], "SAME")
        weights = tf.constant(rng.randn(2, size, size, cout).astype(np.float32))
        grads = [[out] + tf.gradients(tf.reduce_sum(out * weights), [xt, w]) for out in (plain, y)]
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            want, got = s.run(grads)
    for wv, gv in zip(want, got):
        np.testing.assert_allclose(gv, wv, rtol=1e-4, atol=1e-5 * np.abs(wv).max())


def test_thin_convolutions_on_odd_sizes_run_as_one_convolution():
    from stargan_nb.model import ops
    with tf.Graph().as_default():
        ops.conv2d(tf.zeros([1, 7, 8, 3]), 16, 7, 1, 3, False, "odd", pixel_blocks=True)
        assert not any(op.type == "SpaceToDepth" for op in tf.get_default_graph().get_operations())


@pytest.mark.parametrize("device", ["cpu", "gpu", "npu"])
def test_only_the_cpu_training_graph_uses_pixel_blocks(device):
    """A oneDNN measure: accelerators and frozen graphs keep the plain convolutions."""
    from stargan_nb.model.training_graph import build_training_graph
    cfg = Config(image_size=16, g_conv_dim=8, d_conv_dim=8, g_repeat_num=1, d_repeat_num=2, c_dim=2,
                 selected_attrs=["Male", "Young"], batch_size=2, precision_mode="must_keep_origin_dtype")
    with tf.Graph().as_default() as graph:
        build_training_graph(tf.zeros([2, 16, 16, 3]), tf.zeros([2, 2]), cfg, device)
        blocks = any(op.type == "SpaceToDepth" for op in graph.get_operations())
    with tf.Graph().as_default() as graph:
        generator(tf.zeros([2, 16, 16, 3]), tf.zeros([2, 2]), cfg)
        assert not any(op.type == "SpaceToDepth" for op in graph.get_operations())
    assert blocks == (device == "cpu")


def test_small_convolutions_as_matrix_products_match_conv2d_to_second_order():
    """The discriminator's last layers run as patches x weights; values and the gradient penalty's
    second derivatives must be those of the convolution."""
    from stargan_nb.model import ops
    rng = np.random.RandomState(0)
    for size, cin, cout, k, stride, pad in [(4, 8, 6, 4, 2, 1), (2, 8, 1, 3, 1, 1), (2, 8, 5, 2, 1, 0), (1, 4, 2, 3, 1, 1)]:
        x = rng.randn(3, size, size, cin).astype(np.float32)
        with tf.Graph().as_default():
            xt = tf.constant(x)
            ys = []
            for as_matmul in (False, True):
                with tf.variable_scope("", reuse=as_matmul):
                    ys.append(ops.conv2d(xt, cout, k, stride, pad, True, "c", as_matmul))
            grads = [tf.gradients(tf.reduce_sum(tf.square(tf.gradients(tf.reduce_sum(y * y), xt)[0])),
                                  tf.trainable_variables()) for y in ys]
            assert any(op.type == "MatMul" for op in tf.get_default_graph().get_operations())
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                (a, b), (ga, gb) = sess.run([ys, grads])
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=1e-5)
        for p, q in zip(ga, gb):
            np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-4)

import numpy as np

from stargan_nb.config import Config
from stargan_nb.model.schedule import learning_rate_at, learning_rate_tensor
from stargan_nb.runtime.tfcompat import tf


def test_paper_schedule_constant_then_linear_to_zero():
    cfg = Config()  # 200k iterations, decay over the last 100k, every 1000
    lr = learning_rate_at([0, 99999, 100000, 100999, 101000, 150000, 199999], cfg)
    np.testing.assert_allclose(lr, [1e-4, 1e-4, 1e-4, 1e-4, 1e-4 * 0.99, 0.5e-4, 1e-4 * 0.01], rtol=1e-9)
    steps = np.arange(0, 200000, 1000)
    assert np.all(np.diff(learning_rate_at(steps, cfg)) <= 0)


def test_graph_schedule_agrees_with_numpy():
    cfg = Config.preset("toy")
    steps = [0, 999, 1000, 1099, 1100, 1500, 1999]
    with tf.Graph().as_default():
        s = tf.placeholder(tf.int64, [])
        lr = learning_rate_tensor(s, cfg)
        with tf.Session() as sess:
            got = [sess.run(lr, {s: k}) for k in steps]
    np.testing.assert_allclose(got, learning_rate_at(steps, cfg), rtol=1e-6)


def test_no_decay_is_constant():
    cfg = Config.preset("toy", num_step_decay=0)
    assert set(learning_rate_at([0, 500, 1999], cfg)) == {cfg.init_learning_rate}

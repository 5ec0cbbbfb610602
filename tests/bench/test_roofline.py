"""The benchmark's FLOP count (bench/roofline.py): exact for the ops it counts, over exactly the ops a fetch runs."""

from stargan_nb.runtime.tfcompat import tf

from bench import roofline


def test_a_convolution_and_its_two_gradients_each_cost_the_forward_flops():
    with tf.Graph().as_default():
        x = tf.zeros([2, 8, 8, 3])
        w = tf.Variable(tf.zeros([3, 3, 3, 4]))
        y = tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME")  # (2, 4, 4, 4)
        forward = 2 * 2 * 4 * 4 * 4 * 3 * 3 * 3
        assert roofline.fetch_flops(y) == (forward, {"Conv2D": forward})
        gx, gw = tf.gradients(tf.reduce_sum(y), [x, w])
        # d sum(y) / dy is all ones of a static shape: the backward ops do not need y, and are counted alone.
        assert roofline.fetch_flops([gx, gw]) == (2 * forward, {"Conv2DBackpropInput": forward,
                                                               "Conv2DBackpropFilter": forward})
        assert roofline.fetch_flops([y, gx, gw])[0] == 3 * forward


def test_matrix_products_with_transposes_and_only_the_ops_a_fetch_runs():
    with tf.Graph().as_default():
        a, b = tf.zeros([5, 7]), tf.zeros([3, 7])
        used = tf.matmul(a, b, transpose_b=True)  # 5 x 7 times 7 x 3
        unused = tf.matmul(tf.zeros([100, 100]), tf.zeros([100, 100]))  # noqa: F841 (not fetched: not counted)
        batched = tf.matmul(tf.zeros([4, 2, 6]), tf.zeros([4, 6, 9]))
        assert roofline.fetch_flops(used)[0] == 2 * 5 * 7 * 3
        assert roofline.fetch_flops(batched)[0] == 2 * 4 * 2 * 6 * 9
        with tf.control_dependencies([used]):
            after = tf.identity(batched)
        assert roofline.fetch_flops(after)[0] == 2 * 5 * 7 * 3 + 2 * 4 * 2 * 6 * 9


def test_peak_is_measured_for_each_kernel(monkeypatch):
    monkeypatch.setattr(roofline, "PEAK_KERNELS", {"matmul": ([64, 32], [32, 16], None),
                                                    "conv": ([2, 8, 8, 4], [3, 3, 4, 6], "conv")})
    rates = roofline.compute_peak("float32", seconds=0.05)
    assert set(rates) == {"matmul", "conv"} and all(r > 0 for r in rates.values())
    assert roofline._kernel_flops([64, 32], [32, 16], None) == 2 * 64 * 32 * 16
    assert roofline._kernel_flops([2, 8, 8, 4], [3, 3, 4, 6], "conv") == 2 * 2 * 8 * 8 * 6 * 9 * 4
    with tf.Graph().as_default():
        assert roofline.op_flops(tf.constant(1.0).op) == 0  # element-wise and constant ops are not counted


def test_bench_summary_compares_each_precision_with_the_reference_in_the_same_precision():
    from bench import compare_reference
    ours = dict(gflop_per_iter=100.0, peak_fp32_gflops=200.0, peak_bf16_gflops=400.0, cpu="Example CPU")
    slower_bf16 = dict(ours, peak_bf16_gflops=150.0)  # TF 1.15's own bf16 kernels: the best build's peak counts
    rows = [dict(run="tf1", s_per_iter=0.8, **slower_bf16), dict(run="tf2-bf16", s_per_iter=0.5, **ours),
            dict(run="torch", s_per_iter=1.0), dict(run="torch-bf16", s_per_iter=0.4)]
    line = compare_reference.summarise(128, 16, rows)
    assert line["ratio"] == {"tf1": 0.8, "tf2-bf16": 1.25}
    assert line["met"] == {"tf1": True, "tf2-bf16": False} and line["target_ratio"] == 0.85
    # fp32 runs against the fp32 peak, bf16 runs against the bf16 peak, the reference at the workbook's FLOP count
    assert line["fraction_of_peak"] == {"tf1": 0.625, "tf2-bf16": 0.5, "torch": 0.5, "torch-bf16": 0.625}
    assert compare_reference.summarise(64, 8, rows[:1] + rows[2:3])["met"] == {"tf1": False}  # 0.8 > 0.5

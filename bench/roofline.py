"""How far a training iteration is from what the CPU can do: its FLOPs, counted from the graph, and the
machine's matrix-multiply peak, measured in the same process (the best of a matrix product and two
convolutions, the forms in which this CPU's fastest kernels run).

FLOPs are counted for the ops that do the arithmetic (convolutions, their two backward ops, which also
carry the transposed convolutions and the gradient penalty's double backward, and matrix products), from
their static shapes, over exactly the ops a fetch runs. Element-wise ops (norms, activations, Adam) are left
out: they are memory-bound and small in count, so the fraction of peak is for the arithmetic that could reach it.
"""
import time

from stargan_nb.runtime.tfcompat import tf


def _dims(shape):
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    if dims is None or any(d is None for d in dims):
        raise ValueError("FLOP counting needs static shapes, got {}".format(shape))
    return dims


def op_flops(op):
    """Multiply-adds x 2 of one op (0 for ops that are not convolutions or matrix products)."""
    if op.type == "Conv2D":  # output N,H,W,Co; filter Kh,Kw,Ci,Co
        n, h, w, co = _dims(op.outputs[0].shape)
        kh, kw, ci, _ = _dims(op.inputs[1].shape)
        return 2 * n * h * w * co * kh * kw * ci
    if op.type in ("Conv2DBackpropInput", "Conv2DBackpropFilter"):
        # Both cost what the forward convolution costs: every output gradient meets every kernel tap once.
        n, h, w, co = _dims(op.inputs[2].shape)
        if op.type == "Conv2DBackpropInput":
            kh, kw, ci, _ = _dims(op.inputs[1].shape)
        else:
            kh, kw, ci, _ = _dims(op.outputs[0].shape)
        return 2 * n * h * w * co * kh * kw * ci
    if op.type in ("MatMul", "BatchMatMul", "BatchMatMulV2"):
        a, b = _dims(op.inputs[0].shape), _dims(op.inputs[1].shape)
        if op.type == "MatMul":
            m, k = (a[1], a[0]) if op.get_attr("transpose_a") else (a[0], a[1])
            n = b[0] if op.get_attr("transpose_b") else b[1]
            return 2 * m * k * n
        adj_a = op.get_attr("adj_x")
        m, k = (a[-1], a[-2]) if adj_a else (a[-2], a[-1])
        n = b[-2] if op.get_attr("adj_y") else b[-1]
        batch = 1
        for d in a[:-2]:
            batch *= d
        return 2 * batch * m * k * n
    return 0


def ops_run_by(fetches):
    """Every op that sess.run(fetches) executes: the fetches and what they depend on, control inputs too."""
    seen, stack = set(), [t.op if hasattr(t, "op") else t for t in tf.nest.flatten(fetches)]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return seen


def fetch_flops(fetches):
    """FLOPs of one sess.run(fetches), and the same by op type."""
    by_type = {}
    for op in ops_run_by(fetches):
        f = op_flops(op)
        if f:
            by_type[op.type] = by_type.get(op.type, 0) + f
    return sum(by_type.values()), by_type


def iteration_flops(graph, d_train_repeat):
    """Mean FLOPs of one training iteration over a D:G cycle (d_train_repeat - 1 D-only iterations, one fused
    D-then-G iteration), for a TrainingGraph built with the fused step."""
    d_only, _ = fetch_flops(graph.d_iteration)
    with_g, by_type = fetch_flops(graph.g_iteration)
    return ((d_train_repeat - 1) * d_only + with_g) / d_train_repeat, by_type


# The kernels the peak is measured with: one plain matrix product, and two convolutions, which oneDNN runs as
# matrix products with its own JIT kernels (on intel-tensorflow 1.15 these beat its MatMul by 2-2.5x here).
PEAK_KERNELS = {
    "matmul 2048^3": ([2048, 2048], [2048, 2048], None),
    "conv 1x1 (GEMM), 16x64x64x512 -> 512": ([16, 64, 64, 512], [1, 1, 512, 512], "conv"),
    "conv 3x3, 16x32x32x256 -> 256": ([16, 32, 32, 256], [3, 3, 256, 256], "conv"),
}


def _kernel_flops(x_shape, w_shape, kind):
    if kind is None:
        return 2 * x_shape[0] * x_shape[1] * w_shape[1]
    n, h, w, ci = x_shape
    kh, kw, _, co = w_shape
    return 2 * n * h * w * co * kh * kw * ci


def compute_peak(dtype="float32", seconds=1.5, session_config=None):
    """GFLOP/s of each PEAK_KERNELS entry in a TensorFlow session (best of repeated runs), and their maximum:
    the practical peak of this CPU with this build. {} when the build has no CPU kernel for the dtype."""
    rates = {}
    for name, (x_shape, w_shape, kind) in PEAK_KERNELS.items():
        with tf.Graph().as_default():
            # Variables of the dtype itself: a cast inside the timed run would be counted against the kernel.
            x = tf.Variable(tf.cast(tf.random.uniform(x_shape), dtype))
            w = tf.Variable(tf.cast(tf.random.uniform(w_shape), dtype))
            out = tf.matmul(x, w) if kind is None else tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
            # Reduce one element to a scalar: the timing is the product, not copying its result to Python.
            result = tf.reduce_sum(tf.cast(tf.reshape(out, [-1])[:1], tf.float32))
            with tf.Session(config=session_config) as sess:
                sess.run(tf.global_variables_initializer())
                try:
                    sess.run(result)
                except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError, tf.errors.UnimplementedError):
                    return {}
                best, start = float("inf"), time.perf_counter()
                while time.perf_counter() - start < seconds:
                    t0 = time.perf_counter()
                    sess.run(result)
                    best = min(best, time.perf_counter() - t0)
        rates[name] = _kernel_flops(x_shape, w_shape, kind) / best / 1e9
    return rates

"""Time real training iterations of the workbook on the CPU; print one JSON line.

The graph, the optimizers and the input pipeline are the ones `stargan_nb.training.loop` uses, reading
toy faces (CelebA's file format, 178x218 JPEGs) from disk. Warm-up iterations are excluded, and
the timed iterations are a whole number of D:G cycles (d_train_repeat), as in the reference's
bench_peer.py, so both count one G update per d_train_repeat iterations.

It also counts the iteration's FLOPs from the graph (bench/roofline.py) and measures the CPU's matrix-multiply
peak in the same process, so the JSON line says what fraction of the peak the iteration reaches.

Usage: .venv/bin/python -m bench.bench_train --image-size 128 --batch-size 16 --iters 10
"""
import argparse
import json
import os
import tempfile
import time

from stargan_nb import data
from stargan_nb.runtime import device as devices
from stargan_nb.runtime.cpu import cpu_model
from stargan_nb.config import Config, parse_overrides
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.model.training_graph import build_training_graph, run_iteration

from bench.roofline import compute_peak, iteration_flops


def pipeline_rate(config, dataset, batches=60):
    """Images per second of the input pipeline alone (decode, crop, flip, resize, batch)."""
    with tf.Graph().as_default():
        batch = tf.data.make_one_shot_iterator(data.make_input(config, dataset, "train")).get_next()
        with tf.Session(config=devices.session_config("cpu")) as sess:  # decoding is fp32 in every mode
            for _ in range(5):
                sess.run(batch)
            t0 = time.perf_counter()
            for _ in range(batches):
                sess.run(batch)
            return batches * config.batch_size / (time.perf_counter() - t0)


def training_rate(config, dataset, iters, warmup, intra=None, inter=None):
    """Seconds per training iteration, after `warmup` untimed iterations."""
    with tf.Graph().as_default():
        tf.set_random_seed(config.seed)
        images, labels = tf.data.make_one_shot_iterator(data.make_input(config, dataset, "train")).get_next()
        g = build_training_graph(images, labels, config, "cpu")
        flops, flops_by_type = iteration_flops(g, config.d_train_repeat)
        session_config = devices.session_config("cpu", config.precision_mode)
        if intra:
            session_config.intra_op_parallelism_threads = intra
        if inter:
            session_config.inter_op_parallelism_threads = inter
        with tf.Session(config=session_config) as sess:
            sess.run(tf.global_variables_initializer())
            for step in range(warmup):
                run_iteration(sess, g, step, config)
            t0 = time.perf_counter()
            for step in range(warmup, warmup + iters):
                run_iteration(sess, g, step, config)
            return (time.perf_counter() - t0) / iters, session_config, flops, flops_by_type


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--iters", type=int, default=10, help="timed iterations (rounded up to whole D:G cycles)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--preset", default="celeba", help="network size: celeba (the paper's) or toy")
    p.add_argument("--intra-threads", type=int, default=None)
    p.add_argument("--inter-threads", type=int, default=None)
    p.add_argument("--bf16", action="store_true",
                   help="train in bf16 (precision_mode allow_mix_precision on the CPU: TF 2.x, a CPU with bf16)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a Config field (JSON value), e.g. --set lambda_id=5")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as root:
        meta = data.make_toy_celeba(root, max(200, 4 * a.batch_size), seed=0, progress=False)
        config = Config.preset(a.preset, image_root=os.path.join(root, "images"), metadata_path=meta,
                               image_size=a.image_size, batch_size=a.batch_size, n_test=16,
                               training_iterations=100000, **parse_overrides(a.set))
        if a.bf16:
            config = config.replace(precision_mode="allow_mix_precision")
        dataset = data.load_dataset(config)
        cycle = config.d_train_repeat
        iters = -(-a.iters // cycle) * cycle
        warmup = -(-a.warmup // cycle) * cycle
        s_per_iter, session_config, flops, flops_by_type = training_rate(
            config, dataset, iters, warmup, a.intra_threads, a.inter_threads)
        pipe = pipeline_rate(config, dataset)
    # The peaks in plain sessions with the same threads: under the bf16 rewrite an fp32 kernel would run in bf16.
    peak_config = devices.session_config("cpu")
    peak_config.intra_op_parallelism_threads = session_config.intra_op_parallelism_threads
    peak_config.inter_op_parallelism_threads = session_config.inter_op_parallelism_threads
    kernels = compute_peak("float32", session_config=peak_config)
    kernels_bf16 = compute_peak("bfloat16", session_config=peak_config)
    peak, peak_bf16 = max(kernels.values()), max(kernels_bf16.values(), default=None)
    achieved = flops / s_per_iter / 1e9
    print(json.dumps(dict(
        bench="train", impl="stargan_nb", **devices.tensorflow_build(), cpus=os.cpu_count(),
        preset=a.preset, overrides=parse_overrides(a.set),
        compute_dtype=devices.compute_dtype("cpu", config.precision_mode), image_size=a.image_size, batch_size=a.batch_size,
        d_train_repeat=config.d_train_repeat, iters=iters, warmup=warmup,
        intra_threads=session_config.intra_op_parallelism_threads,
        inter_threads=session_config.inter_op_parallelism_threads,
        s_per_iter=round(s_per_iter, 4), images_per_s=round(a.batch_size / s_per_iter, 3),
        pipeline_images_per_s=round(pipe, 1), pipeline_margin=round(pipe * s_per_iter / a.batch_size, 1),
        cpu=cpu_model(), gflop_per_iter=round(flops / 1e9, 2),
        gflop_by_op={k: round(v / 1e9, 2) for k, v in sorted(flops_by_type.items())},
        achieved_gflops=round(achieved, 1), peak_fp32_gflops=round(peak, 1),
        fraction_of_fp32_peak=round(achieved / peak, 3),
        peak_fp32_by_kernel={k: round(v, 1) for k, v in kernels.items()},
        peak_bf16_gflops=round(peak_bf16, 1) if peak_bf16 else None,
        fraction_of_bf16_peak=round(achieved / peak_bf16, 3) if peak_bf16 else None,
        peak_bf16_by_kernel={k: round(v, 1) for k, v in kernels_bf16.items()})))


if __name__ == "__main__":
    main()

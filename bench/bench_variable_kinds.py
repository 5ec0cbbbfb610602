"""What resource variables cost the training step: the same iteration with resource and with TF1's ref variables.

Both graphs live in one process and take turns, a block of iterations each, so that the machine's drift (other
tenants, clock changes) falls on both alike; the result is the median of the per-block ratios. Ref variables are
TF1's default, which accelerator rewrites can leave wrong (model/training_graph.py builds resource variables).

Usage: .venv/bin/python -m bench.bench_variable_kinds [--preset toy --image-size 32 --batch-size 8] [--rounds 8]
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np

from stargan_nb import data
from stargan_nb.config import Config
from stargan_nb.model import training_graph
from stargan_nb.runtime import device as devices
from stargan_nb.runtime.tfcompat import tf


def session_for(config, dataset, resource):
    graph = tf.Graph()
    with graph.as_default():
        images, labels = tf.data.make_one_shot_iterator(data.make_input(config, dataset, "train")).get_next()
        g = training_graph.build_training_graph(images, labels, config, resource_variables=resource)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=devices.session_config("cpu"))
    sess.run(init)
    return sess, g


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--preset", default="toy")
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--block", type=int, default=20, help="iterations per turn (a whole number of D:G cycles)")
    p.add_argument("--rounds", type=int, default=8)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as root:
        meta = data.make_toy_celeba(root, max(200, 4 * a.batch_size), seed=0, progress=False)
        config = Config.preset(a.preset, image_size=a.image_size, batch_size=a.batch_size, n_test=8,
                               image_root=os.path.join(root, "images"), metadata_path=meta)
        dataset = data.load_dataset(config)
        block = -(-a.block // config.d_train_repeat) * config.d_train_repeat
        runs = {kind: session_for(config, dataset, kind == "resource") for kind in ("resource", "ref")}
        step = {kind: 0 for kind in runs}

        def turn(kind):
            sess, g = runs[kind]
            t0 = time.perf_counter()
            for _ in range(block):
                training_graph.run_iteration(sess, g, step[kind], config)
                step[kind] += 1
            return (time.perf_counter() - t0) / block

        for kind in runs:  # warm-up
            turn(kind)
        times = {kind: [] for kind in runs}
        for r in range(a.rounds):
            for kind in (("resource", "ref") if r % 2 == 0 else ("ref", "resource")):
                times[kind].append(turn(kind))
    ratios = np.array(times["resource"]) / np.array(times["ref"])
    print(json.dumps(dict(bench="variable_kinds", **devices.tensorflow_build(), cpus=os.cpu_count(),
                          preset=a.preset, image_size=a.image_size, batch_size=a.batch_size, block=block,
                          rounds=a.rounds, s_per_iter_resource=round(float(np.median(times["resource"])), 4),
                          s_per_iter_ref=round(float(np.median(times["ref"])), 4),
                          median_ratio_resource_to_ref=round(float(np.median(ratios)), 4),
                          ratio_range=[round(float(ratios.min()), 4), round(float(ratios.max()), 4)])))


if __name__ == "__main__":
    main()

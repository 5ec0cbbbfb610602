"""Time the toy-faces generator and the tf.data input pipeline; print one JSON line.

Usage: .venv/bin/python -m bench.bench_data [--num-images 5000] [--image-size 128] [--batches 40]
"""
import argparse
import json
import os
import tempfile
import time

from stargan_nb.config import Config
from stargan_nb import data
from stargan_nb.runtime.tfcompat import TF_VERSION

from bench.bench_train import pipeline_rate  # the same timing as `make bench`


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--num-images", type=int, default=5000)
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--batches", type=int, default=100)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as root:
        t0 = time.perf_counter()
        meta = data.make_toy_celeba(root, a.num_images, seed=0, progress=False)
        gen_s = time.perf_counter() - t0
        cfg = Config.preset("toy", image_root=os.path.join(root, "images"), metadata_path=meta,
                            image_size=a.image_size, d_repeat_num=4, batch_size=a.batch_size)
        pipe_rate = pipeline_rate(cfg, data.load_dataset(cfg), a.batches)
    print(json.dumps({
        "bench": "data", "tensorflow": TF_VERSION, "cpus": os.cpu_count(),
        "toy_images": a.num_images, "toy_generate_s": round(gen_s, 2),
        "toy_images_per_s": round(a.num_images / gen_s, 1),
        "image_size": a.image_size, "batch_size": a.batch_size,
        "pipeline_images_per_s": round(pipe_rate, 1),
    }))


if __name__ == "__main__":
    main()

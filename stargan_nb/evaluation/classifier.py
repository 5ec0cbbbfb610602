"""A small attribute classifier, trained on the training split, to judge translations of real faces.

The paper judges attribute transfer with a classifier trained on real CelebA images; on the toy
faces the pixel oracle does that job. Its own accuracy on real test images is reported first, so
you know how far to trust it as a judge.
"""
import json
import os

import numpy as np

from ..runtime.atomic import write_text_atomic
from ..model.ops import conv2d, lrelu
from ..data.pipeline import make_dataset
from ..runs.checkpoint_files import newest_usable
from ..runs.run import JUDGE_INFO
from ..runtime.tfcompat import tf

SCOPE = "judge"


def _logits(x, c_dim):
    with tf.variable_scope(SCOPE, reuse=tf.AUTO_REUSE):
        h = x
        for i, width in enumerate((32, 64, 128, 256)):
            h = lrelu(conv2d(h, width, 4, 2, 1, True, "conv%d" % i))
        h = tf.reduce_mean(h, axis=[1, 2])
        w = tf.get_variable("dense/weight", [256, c_dim])
        b = tf.get_variable("dense/bias", [c_dim], initializer=tf.zeros_initializer())
        return tf.matmul(h, w) + b


class AttributeJudge:
    """judge(images in [-1, 1]) -> (N, c_dim) of 0/1 predictions."""

    def __init__(self, directory, config):
        self.directory, self.config = os.fspath(directory), config
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.x = tf.placeholder(tf.float32, [None, config.image_size, config.image_size, 3])
            self.prob = tf.sigmoid(_logits(self.x, config.c_dim))
            saver = tf.train.Saver(tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope=SCOPE + "/"))
        self.session = tf.Session(graph=self.graph)
        prefix = newest_usable(self.directory, SCOPE)  # its own folder's files, wherever the run was copied
        if prefix is None:
            raise FileNotFoundError("{}: no trained attribute classifier; train one with "
                                    "AttributeJudge.train".format(self.directory))
        saver.restore(self.session, prefix)

    def __call__(self, images, batch_size=128):
        images = np.asarray(images, np.float32)
        out = [self.session.run(self.prob, {self.x: images[i:i + batch_size]}) for i in range(0, len(images), batch_size)]
        return (np.concatenate(out) > 0.5).astype(np.float32)

    def accuracy(self, images, labels):
        hits = (self(images) == np.asarray(labels)).mean(axis=0)
        return dict(zip(self.config.selected_attrs, hits.tolist()))

    def close(self):
        self.session.close()

    @classmethod
    def train(cls, config, dataset, directory, iterations=2000, batch_size=32, learning_rate=1e-3, progress=True):
        """Train on the training split (flipped at random), save to `directory`, and load it back."""
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(config.seed)
            ds = make_dataset(dataset.paths("train"), dataset.labels("train"), config.image_size, config.crop_size,
                              batch_size, training=True, seed=config.seed)
            x, y = tf.data.make_one_shot_iterator(ds).get_next()
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=_logits(x, config.c_dim)))
            step = tf.train.AdamOptimizer(learning_rate).minimize(loss)
            saver = tf.train.Saver(save_relative_paths=True)
            with tf.Session(graph=graph) as sess:
                sess.run(tf.global_variables_initializer())
                it = range(iterations)
                if progress:
                    from ..runtime.progress import progress
                    it = progress(it, desc="attribute classifier", unit="it")
                for _ in it:
                    _, value = sess.run([step, loss])
                saver.save(sess, os.path.join(directory, SCOPE), global_step=iterations, write_meta_graph=False)
        write_text_atomic(os.path.join(directory, JUDGE_INFO), json.dumps(
            {"iterations": iterations, "batch_size": batch_size, "final_loss": float(value),
             "selected_attrs": list(config.selected_attrs)}, indent=2) + "\n")
        return cls(directory, config)

"""A trained generator in an inference-only graph: numpy images and labels in, numpy images out.

Only the generator's variables are restored, so the graph is small and takes any batch size.
"""
import numpy as np

from . import runs
from .networks import G_SCOPE, generator, variables
from .tfcompat import tf


class Generator:
    """G(x, c) of a run: x (N, H, W, 3) in [-1, 1], c (N, c_dim) -> (N, H, W, 3) in [-1, 1]."""

    def __init__(self, run_dir, checkpoint=None, session_config=None):
        """Restore G from run_dir's latest checkpoint, or `checkpoint` (a step number or a path)."""
        self.config = runs.load_run_config(run_dir)
        self.checkpoint = runs.find_checkpoint(run_dir, checkpoint)
        self.step = runs.checkpoint_step(self.checkpoint)
        self._build()
        with self.graph.as_default():
            saver = tf.train.Saver(var_list=variables(G_SCOPE))
        self.session = tf.Session(graph=self.graph, config=session_config)
        saver.restore(self.session, self.checkpoint)

    def _build(self, seed=None):
        self.graph = tf.Graph()
        s, c_dim = self.config.image_size, self.config.c_dim
        with self.graph.as_default():
            if seed is not None:
                tf.set_random_seed(seed)
            self.x = tf.placeholder(tf.float32, [None, s, s, 3], name="x_real")
            self.c = tf.placeholder(tf.float32, [None, c_dim], name="c_trg")
            self.out = generator(self.x, self.c, self.config)

    @classmethod
    def untrained(cls, config, seed=0):
        """A freshly initialised generator, for looking at what training starts from."""
        self = cls.__new__(cls)
        self.config, self.checkpoint, self.step = config, None, 0
        self._build(seed)
        with self.graph.as_default():
            init = tf.global_variables_initializer()
        self.session = tf.Session(graph=self.graph)
        self.session.run(init)
        return self

    def __call__(self, x, c, batch_size=64):
        x = np.asarray(x, np.float32)
        c = np.asarray(c, np.float32)
        if x.ndim == 3:
            x, c = x[None], c.reshape(1, -1)
        if len(x) != len(c):
            raise ValueError("got {} images but {} label rows".format(len(x), len(c)))
        if c.shape[1] != self.config.c_dim:
            raise ValueError("labels have {} columns but the model has c_dim={} ({})".format(
                c.shape[1], self.config.c_dim, ", ".join(self.config.selected_attrs)))
        out = [self.session.run(self.out, {self.x: x[i:i + batch_size], self.c: c[i:i + batch_size]})
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros_like(x)

    def close(self):
        self.session.close()

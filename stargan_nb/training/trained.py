"""A trained generator in an inference-only graph, and a run opened for looking at its translations.

What evaluation and deployment both start from, so it lives in the stage below them (training's output).
Only the generator's variables are restored, so the graph is small and takes any batch size. The
graph is `networks.generator_on_placeholders`, the same one `freeze` writes to a .pb.
"""
import sys
from collections import namedtuple

import numpy as np

from .. import runs
from ..runs import checkpoint_files as files
from ..runs.run import problems
from ..model.networks import G_SCOPE, attention_of, generator_on_placeholders, variables
from ..runtime.sessions import OwnsSession
from ..runtime.tfcompat import tf


class Generator(OwnsSession):
    """G(x, c) of a run: x (N, H, W, 3) in [-1, 1], c (N, label_dim) -> (N, H, W, 3) in [-1, 1]."""

    def __init__(self, run_dir, checkpoint=None, session_config=None):
        """Restore G from run_dir's latest checkpoint, or `checkpoint` (a step number or a path)."""
        self.run = runs.Run.of(run_dir)
        self.config = self.run.load_config()
        self._build()
        with self.graph.as_default():
            saver = tf.train.Saver(var_list=variables(G_SCOPE))
        self.session = tf.Session(graph=self.graph, config=session_config)
        damaged = []
        for attempt in range(5):
            self.checkpoint = self._pick(checkpoint, damaged)
            self.step = runs.checkpoint_step(self.checkpoint)
            try:
                saver.restore(self.session, self.checkpoint)
                return
            except tf.errors.DataLossError as err:
                damaged.append(self.checkpoint)  # its bytes are damaged: the latest asked for, so take the one before
                if checkpoint is None and attempt < 4:
                    print("{} is damaged ({}); trying the checkpoint before it".format(
                        self.checkpoint, err.message.splitlines()[0][:120]), file=sys.stderr)
                    continue
                self.session.close()
                raise runs.RunError("checkpoint {} is damaged ({}); choose another step".format(
                    self.checkpoint, err.message.splitlines()[0])) from None
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as err:
                # A training beside us may have rotated the latest checkpoint away mid-read: take the new latest.
                if checkpoint is None and files.problem_of(self.checkpoint) and attempt < 4:
                    continue
                self.session.close()
                raise runs.RunError(
                    "checkpoint {} does not hold this run's generator ({}); it was written by another "
                    "configuration than {}".format(self.checkpoint, err.message.splitlines()[0],
                                                   self.run.config_path)) from None

    def _pick(self, checkpoint, damaged):
        """The checkpoint asked for; for the latest, the newest usable one not found damaged, saying what it
        passed over (a reader should not silently show an older step)."""
        if checkpoint is not None and checkpoint != "latest":
            return self.run.find_checkpoint(checkpoint)
        newest, newer = self.run.newest_usable(excluding=damaged)
        if newest is None:
            return self.run.find_checkpoint(None)  # its error says why
        if newer:
            print("using {}: newer checkpoints cannot be restored: {}".format(newest.name, problems(newer)),
                  file=sys.stderr)
        return newest.prefix

    def _build(self, seed=None):
        self.graph = tf.Graph()
        with self.graph.as_default():
            if seed is not None:
                tf.set_random_seed(seed)
            self.x, self.c, self.out = generator_on_placeholders(self.config)
            self.attention = attention_of(self.graph)  # None: the paper's G, which has no mask

    @classmethod
    def untrained(cls, config, seed=0):
        """A freshly initialised generator, for looking at what training starts from."""
        self = cls.__new__(cls)
        self.config, self.checkpoint, self.step, self.run = config, None, 0, None
        self._build(seed)
        with self.graph.as_default():
            init = tf.global_variables_initializer()
        self.session = tf.Session(graph=self.graph)
        self.session.run(init)
        return self

    def __call__(self, x, c, batch_size=64):
        return self._run(self.out, x, c, batch_size)

    def mask(self, x, c, batch_size=64):
        """Where G changes x for targets c: the attention masks (N, H, W, 1) in [0, 1] of a run trained with
        attention=true (the translation is mask * colour + (1 - mask) * x)."""
        if self.attention is None:
            raise ValueError("this run's generator has no attention mask (Config.attention is off in {})".format(
                self.run.config_path if self.run else "its config"))
        return self._run(self.attention, x, c, batch_size)

    def _run(self, tensor, x, c, batch_size):
        x = np.asarray(x, np.float32)
        c = np.asarray(c, np.float32)
        if x.ndim == 3:
            x, c = x[None], c.reshape(1, -1)
        if len(x) != len(c):
            raise ValueError("got {} images but {} label rows".format(len(x), len(c)))
        if c.shape[1] != self.config.label_dim:
            from ..kinds import kind_of
            from ..model.labels import space
            raise ValueError("labels have {} columns but the model has {} ({})".format(
                c.shape[1], kind_of(self.config).describe_label_dim(self.config), ", ".join(space(self.config))))
        out = [self.session.run(tensor, {self.x: x[i:i + batch_size], self.c: c[i:i + batch_size]})
               for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros(x.shape[:3] + (int(tensor.shape[-1]),), np.float32)


OpenRun = namedtuple("OpenRun", ["gen", "config", "dataset", "images", "labels"])


def open_run(run_dir, checkpoint=None, n_images=8, second=False):
    """A run's generator, its dataset and its first n_images test images (as the test split prepares them;
    None: all of them). second: joint training's second dataset (the folders) instead of CelebA.

    What 05, 06, 07 and the evaluation start from; close it with `run.gen.close()`.
    """
    from .. import data
    gen = Generator(run_dir, checkpoint)
    try:
        dataset = data.load_second_dataset(gen.config) if second else data.load_dataset(gen.config)
        n = len(dataset.split.test_files) if n_images is None else min(int(n_images), len(dataset.split.test_files))
        _, images, labels = data.preview(gen.config, dataset, n=n)
    except BaseException:
        gen.close()
        raise
    return OpenRun(gen, gen.config, dataset, images, labels)


def reference_grid(gen, images, c_org):
    """The reference's test grid: per input, one translation for each create_labels target."""
    from ..model.labels import create_labels, space
    return [gen(images, c) for c in create_labels(c_org, space(gen.config))]


def reference_masks(gen, images, c_org):
    """The attention masks of reference_grid's translations, in its order (white: where G changed the face);
    None when the run's generator has none (Config.attention off)."""
    from ..model.labels import create_labels, space
    if gen.attention is None:
        return None
    return [gen.mask(images, c) for c in create_labels(c_org, space(gen.config))]

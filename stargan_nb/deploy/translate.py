"""Translate faces with a trained generator: the reference's grid, interpolation, your own photos.

    gen = Generator("outputs/toy")                             # latest checkpoint
    x = load_image("me.jpg", gen.config)                       # prepared exactly as the test split
    y = gen(x, target_labels("Blond_Hair+-Young", c_org, space(gen.config)))

Targets written by name (`target_labels`) are a label rule, so they live in `model.labels`.
"""
import atexit
import os

import numpy as np

from ..kinds import kind_of
from ..model.labels import attribute_index, space, target_names
from ..training.trained import reference_grid, reference_masks  # noqa: F401 (05 and 08 call them from here)


def example_targets(config):
    """Targets by name to show a run's labels at work (its dataset kind's: several at once on CelebA, one domain
    each on folders), those the run knows; else its first four targets."""
    names = target_names(space(config))
    wanted = kind_of(config).example_targets
    known = [t for t in wanted if all(term.lstrip("+-") in names for term in t.split("+"))]
    return known or names[:4]


def example_interpolation(config):
    """The label an interpolation walks by default: a hair colour, or a domain."""
    names = target_names(space(config))
    return next((a for a in kind_of(config).interpolation_candidates if a in names), names[0])


def interpolation(gen, image, c_org, attr, steps=5):
    """One attribute moved from 0 to 1 in `steps` steps, the others as the input has them.

    A hair colour (or a domain) cross-fades: as it rises from 0 to 1 the input's other hair colours (the
    other domains) fall from their value to 0, so both ends are labels the model was trained on (one
    hair colour on), as in the grid; in joint training the other dataset's columns fade out and the mask moves
    to the label's dataset (LabelSpace.fade_in). Returns (images, the rows of labels used).
    """
    labels = space(gen.config)
    i = labels.index(attr) if attr in labels else attribute_index(attr, target_names(labels), "(interpolate_attr)")
    c = labels.fade_in(c_org, i, np.linspace(0, 1, steps, dtype=np.float32))
    return gen(np.repeat(np.asarray(image)[None], steps, axis=0), c), c


# ------------------------------------------------------------------------ your own images
class _Preparer:
    """The test pipeline's decode-and-resize graph for one (image_size, crop_size), kept open while the same
    sizes are asked for (a slider app prepares many uploads) and closed when others are, or at exit."""

    def __init__(self):
        self.key, self.session = None, None

    def __call__(self, contents, config):
        from ..data.pipeline import decode, preprocess
        from ..runtime.tfcompat import tf
        key = (config.image_size, config.crop_size)
        if key != self.key:
            self.close()
            graph = tf.Graph()
            with graph.as_default():
                self.raw = tf.placeholder(tf.string, [])
                self.out = preprocess(decode(self.raw), config.image_size, config.crop_size, training=False)
            self.key, self.session = key, tf.Session(graph=graph)
        return self.session.run(self.out, {self.raw: contents})

    def close(self):
        if self.session is not None:
            self.session.close()
        self.key, self.session = None, None


_prepare = _Preparer()
atexit.register(_prepare.close)


def prepare_bytes(contents: bytes, config, name="image"):
    """Any image file's bytes -> (S, S, 3) in [-1, 1], by the test pipeline's own graph."""
    try:
        return _prepare(contents, config)
    except Exception as err:  # InvalidArgumentError from the decoder
        raise ValueError("{}: not a readable JPEG, PNG, BMP or GIF image ({}); convert it to JPEG or PNG".format(
            name, str(err).splitlines()[0][:120])) from None


def load_image(path, config):
    """A person's own image file, of any size, prepared exactly as the test split is."""
    path = str(path)
    if not os.path.isfile(path):
        raise FileNotFoundError("{}: no such image file".format(path))
    with open(path, "rb") as f:
        return prepare_bytes(f.read(), config, name=path)

"""Translate faces with a trained generator: reference grids, targets written by name, your own photos.

    gen = load_generator("outputs/toy")                        # latest checkpoint
    x = load_image("me.jpg", gen.config)                       # prepared exactly as the test split
    y = translate(gen, x, target_labels("Blond_Hair+-Young", c_org, gen.config.selected_attrs))
"""
import difflib
import os

import numpy as np

from .config import HAIR_COLOURS
from .inference import Generator
from .labels import create_labels


class TargetError(ValueError):
    """A target written by name that names no selected attribute."""


def load_generator(run_dir, checkpoint=None):
    return Generator(run_dir, checkpoint)


def attribute_index(name, selected_attrs, where=""):
    """The column of an attribute in the model's labels; a TargetError naming the known ones otherwise."""
    if name in selected_attrs:
        return list(selected_attrs).index(name)
    close = difflib.get_close_matches(name, list(selected_attrs), n=1, cutoff=0.5)
    hint = " (did you mean {!r}?)".format(close[0]) if close else ""
    raise TargetError("unknown attribute {!r}{}{}; this model knows: {}".format(
        name, " " + where if where else "", hint, ", ".join(selected_attrs)))


def target_labels(spec, c_org, selected_attrs, hair_exclusive=True):
    """Labels from a target written by name: "Blond_Hair+Male" switches both on, "-Young" switches Young off.

    Attributes not named keep the input's value. With hair_exclusive, switching a hair
    colour on switches the other selected hair colours off, as the reference's create_labels does.
    """
    c = np.array(c_org, np.float32, copy=True)
    if c.ndim == 1:
        c = c[None]
    terms = [t.strip() for t in str(spec).split("+") if t.strip()]
    if not terms:
        raise TargetError("empty target {!r}; write attributes joined by '+', e.g. 'Blond_Hair+-Young'".format(spec))
    index = {a: i for i, a in enumerate(selected_attrs)}
    hair = [i for a, i in index.items() if a in HAIR_COLOURS]
    for term in terms:
        value = 0.0 if term.startswith("-") else 1.0
        name = term.lstrip("+-").strip()
        i = attribute_index(name, selected_attrs, "in target {!r}".format(spec))
        if value == 1.0 and hair_exclusive and i in hair:
            c[:, hair] = 0.0
        c[:, i] = value
    return c


def translate(gen, images, labels, batch_size=64):
    """G(x, c) for a batch (or one image); images in [-1, 1]."""
    return gen(images, labels, batch_size=batch_size)


def reference_grid(gen, images, c_org):
    """The reference's test grid: per input, one translation for each create_labels target."""
    targets = create_labels(c_org, gen.config.selected_attrs)
    return [translate(gen, images, c) for c in targets]


def interpolation(gen, image, c_org, attr, steps=5):
    """One attribute moved from 0 to 1 in `steps` steps, the others as the input has them."""
    i = attribute_index(attr, gen.config.selected_attrs, "(interpolate_attr)")
    c = np.repeat(np.asarray(c_org, np.float32).reshape(1, -1), steps, axis=0)
    c[:, i] = np.linspace(0, 1, steps)
    return translate(gen, np.repeat(np.asarray(image)[None], steps, axis=0), c), c[:, i]


# ------------------------------------------------------------------------ your own images
_PREPARE = {}


def prepare_bytes(contents: bytes, config, name="image"):
    """Any image file's bytes -> (S, S, 3) in [-1, 1], by the test pipeline's own graph."""
    from .pipeline import decode, preprocess
    from .tfcompat import tf
    key = (config.image_size, config.crop_size)
    if key not in _PREPARE:
        graph = tf.Graph()
        with graph.as_default():
            raw = tf.placeholder(tf.string, [])
            out = preprocess(decode(raw), config.image_size, config.crop_size, training=False)
        _PREPARE[key] = (tf.Session(graph=graph), raw, out)
    sess, raw, out = _PREPARE[key]
    try:
        return sess.run(out, {raw: contents})
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

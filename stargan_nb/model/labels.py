"""Every rule about target labels: the reference's create_labels, training targets, targets written by name.

Hair colours are one-hot among the selected ones: switching one on switches the others off. That
rule lives in `switch_on` and nowhere else (the test grid, targets by name and the sliders use it).
"""
import difflib

import numpy as np

from ..runtime.tfcompat import tf

HAIR_COLOURS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair")


class TargetError(ValueError):
    """A target written by name that names no selected attribute."""


def hair_columns(selected_attrs):
    return [i for i, a in enumerate(selected_attrs) if a in HAIR_COLOURS]


def switch_on(c, i, selected_attrs, exclusive=True):
    """Set column i of the label rows `c` (in place) to 1; a hair colour switches the other hair colours off."""
    if exclusive and selected_attrs[i] in HAIR_COLOURS:
        c[..., hair_columns(selected_attrs)] = 0.0
    c[..., i] = 1.0
    return c


def create_labels(c_org, selected_attrs):
    """One target per selected attribute, as the reference's create_labels does.

    For attribute i: copy the original labels; a hair colour is set on with the other
    selected hair colours off; any other attribute is flipped. Returns a list of
    len(selected_attrs) arrays shaped like c_org.
    """
    c_org = np.asarray(c_org, np.float32)
    targets = []
    for i, attr in enumerate(selected_attrs):
        c = c_org.copy()
        if attr in HAIR_COLOURS:
            switch_on(c, i, selected_attrs)
        else:
            c[:, i] = (c[:, i] == 0)
        targets.append(c)
    return targets


def target_title(attr):
    """How a create_labels column is named in grids: "to Blond_Hair", "Male flipped"."""
    return "to " + attr if attr in HAIR_COLOURS else attr + " flipped"


def target_caption(spec):
    """A target written by name, as a person reads it: "Brown_Hair+-Male+-Young" -> "Brown_Hair, not Male, not Young"."""
    terms = [t.strip() for t in str(spec).split("+") if t.strip()]
    return ", ".join("not " + t[1:].strip() if t.startswith("-") else t.lstrip("+") for t in terms)


def permuted_targets(c_org, seed=None):
    """Training targets: the labels of a random permutation of the batch (the reference's randperm)."""
    return tf.random.shuffle(c_org, seed=seed)


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
    for term in terms:
        i = attribute_index(term.lstrip("+-").strip(), selected_attrs, "in target {!r}".format(spec))
        if term.startswith("-"):
            c[:, i] = 0.0
        else:
            switch_on(c, i, selected_attrs, hair_exclusive)
    return c

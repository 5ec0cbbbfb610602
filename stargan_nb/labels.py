"""Target labels: the reference's test-time create_labels, and training targets by permutation."""
import numpy as np

from .config import HAIR_COLOURS
from .tfcompat import tf


def create_labels(c_org, selected_attrs):
    """One target per selected attribute, as the reference's create_labels does.

    For attribute i: copy the original labels; a hair colour is set on with the other
    selected hair colours off; any other attribute is flipped. Returns a list of
    len(selected_attrs) arrays shaped like c_org.
    """
    c_org = np.asarray(c_org, np.float32)
    hair = [i for i, a in enumerate(selected_attrs) if a in HAIR_COLOURS]
    targets = []
    for i, attr in enumerate(selected_attrs):
        c = c_org.copy()
        if attr in HAIR_COLOURS:
            c[:, i] = 1
            for j in hair:
                if j != i:
                    c[:, j] = 0
        else:
            c[:, i] = (c[:, i] == 0)
        targets.append(c)
    return targets


def permuted_targets(c_org, seed=None):
    """Training targets: the labels of a random permutation of the batch (the reference's randperm)."""
    return tf.random.shuffle(c_org, seed=seed)

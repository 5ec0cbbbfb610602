"""Every rule about target labels: the reference's create_labels, training targets, targets written by name.

A `LabelSpace` holds the rules of a model's label columns, made from its Config by `space(config)`, which asks
the Config's dataset kind (stargan_nb.kinds) for them:
- groups of columns of which one is on: the selected hair colours of CelebA (switching one on switches
  the others off), every domain of a folder dataset (its labels are one-hot);
- for joint training (dataset "both"), the parts [c_celeba, c_rafd, mask]: a target in one dataset's
  columns zeroes the other's and sets the mask to it, as the reference's train_multi / test_multi do.
Those rules live in `LabelSpace.switch_on` (and `LabelSpace.fade_in`, its interpolation) and nowhere else: the
grids, targets by name, interpolations and the sliders use them. Functions taking `space` take a LabelSpace; a
plain list of names there is read as CelebA attributes. `selected_attrs` always means names.
"""
import difflib

import numpy as np

from ..kinds import kind_of
from ..kinds.joint import MASK_NAMES  # noqa: F401  (the mask vector's column names, kept importable from here)
from ..runtime.tfcompat import tf

HAIR_COLOURS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair")


class TargetError(ValueError):
    """A target written by name that names no selected attribute."""


class LabelSpace(tuple):
    """The names of a model's label columns (a tuple of them), with their rules (`groups`, `parts`)."""

    def __new__(cls, names, groups=(), parts=()):
        self = super().__new__(cls, names)
        self.groups = tuple(tuple(g) for g in groups if g)
        self.parts = tuple((tuple(cols), mask) for cols, mask in parts)
        return self

    @classmethod
    def attributes(cls, selected_attrs):
        return cls(selected_attrs, [hair_columns(selected_attrs)])

    @property
    def masks(self):
        return [mask for _, mask in self.parts]

    @property
    def targets(self):
        """The columns a test grid sets (all but the mask vector's)."""
        return [i for i in range(len(self)) if i not in self.masks]

    def group_of(self, i):
        return next((g for g in self.groups if i in g), None)

    def _enter_part(self, c, i):
        for cols, mask in self.parts:
            if i in cols:
                others = [j for j in range(len(self)) if j not in cols]
                c[..., others] = 0.0
                c[..., mask] = 1.0

    def switch_on(self, c, i, exclusive=True, value=1.0):
        """Set column i of the label rows `c` (in place) to `value` (1: on), with the rest of its group off and,
        in joint training, the other dataset's columns off and this one's mask column set."""
        self._enter_part(c, i)
        group = self.group_of(i)
        if exclusive and group:
            c[..., list(group)] = 0.0
        c[..., i] = value
        return c

    def fade_in(self, c_org, i, t):
        """Rows moving column i from 0 to 1 at the weights t (K,), from the row c_org: at 1, switch_on's target
        (the rest of its group off, in joint training the other dataset off and the mask set); columns that
        switch_on leaves alone keep c_org's values exactly. Returns (K, len(self)) rows."""
        c_org = np.asarray(c_org, np.float32).reshape(-1)
        t = np.asarray(t, np.float32)[:, None]
        start = c_org.copy()
        start[i] = 0.0
        end = self.switch_on(c_org.copy(), i)
        rows = np.where(start == end, start, (1 - t) * start + t * end)
        rows[:, i] = t[:, 0]
        return rows.astype(np.float32)

    def kept(self, i, c_org, c_trg):
        """What a translation to column i should leave alone: (columns, the values expected there).

        The other target columns, as the target has them; in joint training, the input's own dataset's
        columns other than i, as the target has them if i is one of them, else as the input had them (a
        CelebA face given an expression keeps its CelebA attributes; its expression columns said nothing).
        """
        if not self.parts:
            return [j for j in self.targets if j != i], c_trg
        own = next(cols for cols, mask in self.parts if np.all(np.asarray(c_org)[:, mask] == 1))
        return [j for j in own if j != i], (c_trg if i in own else c_org)

    def title(self, i):
        """How a create_labels column is named in grids: "to Blond_Hair", "to happy", "Male flipped"."""
        return "to " + self[i] if self.group_of(i) else self[i] + " flipped"


def space(config) -> LabelSpace:
    """The label rules of a Config's model, as its dataset kind lays them out."""
    return kind_of(config).space(config)


def label_space(space):
    """A LabelSpace as given, or CelebA's rules for a list of attribute names."""
    return space if isinstance(space, LabelSpace) else LabelSpace.attributes(space)


def hair_columns(selected_attrs):
    return [i for i, a in enumerate(selected_attrs) if a in HAIR_COLOURS]


def create_labels(c_org, space):
    """One target per label column, as the reference's create_labels does.

    For column i: copy the original labels; a column of a group (a hair colour, a domain) is set on with
    the rest of its group off; any other attribute is flipped. `space`: the model's LabelSpace (a list of
    names: CelebA's rule). Returns one array shaped like c_org per target column (LabelSpace.targets).
    """
    labels = label_space(space)
    c_org = np.asarray(c_org, np.float32)
    targets = []
    for i in labels.targets:
        c = c_org.copy()
        if labels.group_of(i):
            labels.switch_on(c, i)
        else:
            flipped = c[:, i] == 0
            labels._enter_part(c, i)
            c[:, i] = flipped
        targets.append(c)
    return targets


def target_title(attr):
    """How a CelebA create_labels column is named in grids: "to Blond_Hair", "Male flipped"."""
    return "to " + attr if attr in HAIR_COLOURS else attr + " flipped"


def target_names(space):
    """The names of create_labels' target columns, in order (the mask vector's are not targets)."""
    labels = label_space(space)
    return [labels[i] for i in labels.targets]


def target_titles(space):
    """The titles of create_labels' targets, in order."""
    labels = label_space(space)
    return [labels.title(i) for i in labels.targets]


def target_caption(spec):
    """A target written by name, as a person reads it: "Brown_Hair+-Male+-Young" -> "Brown_Hair, not Male, not Young"."""
    terms = [t.strip() for t in str(spec).split("+") if t.strip()]
    return ", ".join("not " + t[1:].strip() if t.startswith("-") else t.lstrip("+") for t in terms)


def permuted_targets(c_org, seed=None):
    """Training targets: the labels of a random permutation of the batch (the reference's randperm)."""
    return tf.random.shuffle(c_org, seed=seed)


def cross_dataset_targets(c_own, c_other, share, seed=None):
    """Joint training's targets with about `share` of the rows taken from the other dataset's labels.

    Both label batches are full [c_celeba, c_rafd, mask] rows, so a row of the other batch is already a
    target in the other dataset's columns with its mask set. Each row of a permutation of c_own is replaced
    by the same row of a permutation of c_other with probability `share`."""
    c_own, c_other = tf.convert_to_tensor(c_own), tf.convert_to_tensor(c_other)
    own, other = permuted_targets(c_own, seed), permuted_targets(c_other, None if seed is None else seed + 1)
    n = c_own.shape[0].value or tf.shape(c_own)[0]  # static where known, as the NPU's graph compiler wants
    pick = tf.cast(tf.random.uniform([n], seed=seed) < share, c_own.dtype)[:, None]
    return pick * other + (1.0 - pick) * own  # 0/1 weights: exact rows, and the same on TF1 and TF2


def attribute_index(name, names, where=""):
    """The column of a label name among `names`; a TargetError naming the known ones otherwise."""
    if name in names:
        return list(names).index(name)
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.5)
    hint = " (did you mean {!r}?)".format(close[0]) if close else ""
    raise TargetError("unknown attribute {!r}{}{}; this model knows: {}".format(
        name, " " + where if where else "", hint, ", ".join(names)))


def target_labels(spec, c_org, space, hair_exclusive=True):
    """Labels from a target written by name: "Blond_Hair+Male" switches both on, "-Young" switches Young off.

    Attributes not named keep the input's value. With hair_exclusive, switching a hair
    colour on switches the other selected hair colours off, as the reference's create_labels does.
    `space`: the model's LabelSpace (a list of names: CelebA's rules).
    """
    labels = label_space(space)
    c = np.array(c_org, np.float32, copy=True)
    if c.ndim == 1:
        c = c[None]
    terms = [t.strip() for t in str(spec).split("+") if t.strip()]
    if not terms:
        raise TargetError("empty target {!r}; write attributes joined by '+', e.g. 'Blond_Hair+-Young'".format(spec))
    names = [labels[i] for i in labels.targets]
    for term in terms:
        i = labels.index(names[attribute_index(term.lstrip("+-").strip(), names, "in target {!r}".format(spec))])
        if term.startswith("-"):
            c[:, i] = 0.0
        else:
            labels.switch_on(c, i, hair_exclusive)
    return c

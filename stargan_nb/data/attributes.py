"""Read CelebA's `list_attr_celeba.txt` and split it exactly as the reference code does.

Format: a line with the number of images, a line with the attribute names, then one
line per image: `000001.jpg -1  1  1 ...` (values 1 or -1). Every error names the file
and the line, so a person with a hand-made dataset knows what to fix.
"""
import difflib
import random
from dataclasses import dataclass
from typing import List, Sequence

import numpy as np


class DataFormatError(ValueError):
    """The attribute file or an image breaks CelebA's format; the message names file and line."""


@dataclass
class AttributeTable:
    path: str
    all_names: List[str]          # the 40 (or however many) names of the header
    selected: List[str]           # the attributes asked for, in that order
    filenames: List[str]          # in file order
    labels: np.ndarray            # (N, len(selected)) float32 of 0/1
    all_labels: np.ndarray        # (N, len(all_names)) int8 of 0/1, for inspection

    def __len__(self):
        return len(self.filenames)


@dataclass
class Split:
    train_files: List[str]
    train_labels: np.ndarray
    test_files: List[str]
    test_labels: np.ndarray


def _fail(path, line_no, what, fix=""):
    msg = "{}:{}: {}".format(path, line_no, what)
    if fix:
        msg += "; " + fix
    raise DataFormatError(msg)


def read_attribute_file(metadata_path) -> AttributeTable:
    """Parse every attribute of every row (no selection)."""
    path = str(metadata_path)
    try:
        with open(path, encoding="utf-8-sig") as f:  # -sig: a byte-order mark (some Windows editors write one) is skipped
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise DataFormatError(
            "{}: attribute file not found; point metadata_path at CelebA's list_attr_celeba.txt "
            "(or generate the toy dataset with make_toy_celeba)".format(path)) from None
    except UnicodeDecodeError as err:
        raise DataFormatError("{}: not a text file ({})".format(path, err)) from None
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        _fail(path, 1, "the file is empty", "expected a count line, a line of attribute names, then one row per image")
    try:
        declared = int(lines[0].strip())
    except ValueError:
        _fail(path, 1, "expected the number of images, found {!r}".format(lines[0][:60]),
              "CelebA's file starts with a count line (e.g. 202599), then the attribute names")
    if len(lines) < 2:
        _fail(path, 2, "missing the line of attribute names")
    names = lines[1].split()
    if not names or names[0].lower().endswith((".jpg", ".png", ".jpeg")):
        _fail(path, 2, "expected the line of attribute names, found an image row",
              "add the header line with the attribute names (e.g. 5_o_Clock_Shadow Arched_Eyebrows ...)")
    seen = set()
    for name in names:
        if name in seen:
            _fail(path, 2, "attribute name {!r} appears twice in the header".format(name))
        seen.add(name)
    n_attr = len(names)
    filenames, rows, first_line = [], [], {}
    for line_no, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if not parts:
            _fail(path, line_no, "blank line inside the image rows", "remove it")
        if len(parts) != n_attr + 1:
            _fail(path, line_no, "expected a file name and {} values, found {} values".format(
                n_attr, len(parts) - 1), "every row needs one value per attribute name of line 2")
        name = parts[0]
        if name in first_line:
            _fail(path, line_no, "image {!r} is listed again (first on line {})".format(
                name, first_line[name]), "each image may appear once")
        first_line[name] = line_no
        values = parts[1:]
        for attr, v in zip(names, values):
            if v not in ("1", "-1"):
                _fail(path, line_no, "value {!r} for {} is not 1 or -1".format(v, attr),
                      "CelebA marks an attribute present with 1 and absent with -1")
        filenames.append(name)
        rows.append([v == "1" for v in values])
    if declared != len(filenames):
        _fail(path, 1, "the count line says {} images but {} rows follow".format(declared, len(filenames)),
              "set line 1 to {}".format(len(filenames)))
    all_labels = np.array(rows, dtype=np.int8).reshape(len(rows), n_attr)
    return AttributeTable(path, names, list(names), filenames, all_labels.astype(np.float32), all_labels)


def select(table: AttributeTable, selected_attrs: Sequence[str]) -> AttributeTable:
    index = {n: i for i, n in enumerate(table.all_names)}
    for attr in selected_attrs:
        if attr not in index:
            close = difflib.get_close_matches(attr, table.all_names, n=1, cutoff=0.5)
            hint = "did you mean {!r}? ".format(close[0]) if close else ""
            raise DataFormatError(
                "{}:2: unknown attribute {!r}; {}valid names are: {}".format(
                    table.path, attr, hint, ", ".join(table.all_names)))
    cols = [index[a] for a in selected_attrs]
    labels = table.all_labels[:, cols].astype(np.float32)
    return AttributeTable(table.path, table.all_names, list(selected_attrs), table.filenames,
                          labels, table.all_labels)


def read_attributes(metadata_path, selected_attrs: Sequence[str]) -> AttributeTable:
    """The rows of a CelebA-format attribute file, with labels for `selected_attrs` (1.0 / 0.0)."""
    return select(read_attribute_file(metadata_path), selected_attrs)


def split(table: AttributeTable, n_test: int, seed: int = 1234) -> Split:
    """The reference's split: shuffle the rows with Python's random.seed(1234), the first n_test are the test set.

    The reference's `(i+1) < 2000` keeps 1999 test images; the model card and this
    function keep n_test (2000). The permutation is the reference's, since random.shuffle
    depends only on the number of rows.
    """
    order = list(range(len(table)))
    random.Random(seed).shuffle(order)  # the same permutation as random.seed(seed); random.shuffle(...)
    if n_test >= len(order):
        raise DataFormatError(
            "{}: n_test={} leaves no training images ({} rows); lower n_test".format(
                table.path, n_test, len(order)))
    test, train = order[:n_test], order[n_test:]
    files = table.filenames
    return Split([files[i] for i in train], table.labels[train],
                 [files[i] for i in test], table.labels[test])

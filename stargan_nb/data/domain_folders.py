"""Datasets laid out as one folder per domain (RaFD's layout, torchvision's ImageFolder): `root/<domain>/*.png`.

Why: most people's own data is sorted into folders, not described by an attribute file. Domains are
the sorted folder names (as ImageFolder numbers them, so the reference's `--dataset RaFD` labels
match ours), each image belongs to exactly one domain, and labels are one-hot. The result is the
same AttributeTable the CelebA reader returns, so the seeded split, the pipeline, the preview and
every later check are shared. Every error names the folder or file and what would fix it.
"""
import difflib
import os
import re
from typing import Sequence

import numpy as np

from .attributes import AttributeTable, DataFormatError

# What the pipeline's decoder reads (tf.io.decode_image).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
# Domain names are written in targets ("happy", "Blond_Hair+-Young") and in comma lists (selected_attrs).
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _visible(names):
    return sorted(n for n in names if not n.startswith("."))


def list_domains(root) -> list:
    """The sorted domain folder names under root, after checking the layout."""
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise DataFormatError(
            "{}: not a folder; point image_root at a folder holding one sub-folder of images per domain "
            "(root/<domain>/*.png)".format(root))
    entries = _visible(os.listdir(root))
    domains = [n for n in entries if os.path.isdir(os.path.join(root, n))]
    loose = [n for n in entries if n.lower().endswith(IMAGE_EXTENSIONS)]
    if loose:
        raise DataFormatError(
            "{}: {} images lie at the root (first: {}); a folder dataset takes its labels from sub-folders, so "
            "move each image into the folder named after its domain (root/<domain>/{})".format(
                root, len(loose), loose[0], loose[0]))
    if not domains:
        raise DataFormatError(
            "{}: no domain folders; make one sub-folder per domain (e.g. {}/happy, {}/sad) holding its images".format(
                root, root, root))
    if len(domains) < 2:
        raise DataFormatError(
            "{}: only one domain folder ({}); translation needs at least two domains, so add a folder for "
            "each other domain".format(root, domains[0]))
    bad = [d for d in domains if not _NAME.match(d)]
    if bad:
        raise DataFormatError(
            "{}: folder name {!r} cannot name a domain (targets are written 'a+-b' and lists 'a,b'); rename it "
            "with letters, digits, '_', '.' or '-' only, not starting with '-'".format(
                os.path.join(root, bad[0]), bad[0]))
    lower = {}
    for d in domains:
        if d.lower() in lower:
            raise DataFormatError(
                "{}: folders {!r} and {!r} differ only in case, which clash on Windows and macOS and read as "
                "one domain to a person; merge or rename one".format(root, lower[d.lower()], d))
        lower[d.lower()] = d
    return domains


def domain_images(root, domain) -> list:
    """The image files of one domain (any depth below its folder), as paths relative to root, sorted."""
    found, others = [], []
    top = os.path.join(os.fspath(root), domain)
    for folder, subdirs, files in os.walk(top):
        subdirs[:] = _visible(subdirs)
        for name in _visible(files):
            rel = os.path.relpath(os.path.join(folder, name), os.fspath(root)).replace(os.sep, "/")
            (found if name.lower().endswith(IMAGE_EXTENSIONS) else others).append(rel)
    if others:
        raise DataFormatError(
            "{}: {} is not an image the pipeline reads ({}); convert it or move it out of the dataset".format(
                os.path.join(os.fspath(root), others[0]), os.path.basename(others[0]), ", ".join(IMAGE_EXTENSIONS)))
    if not found:
        raise DataFormatError(
            "{}: the domain folder holds no images; add its images ({}) or remove the folder".format(
                top, ", ".join(IMAGE_EXTENSIONS)))
    return sorted(found)


def folder_summary(root) -> list:
    """(domain, number of images, first image) per domain folder: the layout as a person checks it."""
    return [(d, len(files), files[0]) for d in list_domains(root) for files in [domain_images(root, d)]]


def read_domain_folders(root, selected: Sequence[str] = None) -> AttributeTable:
    """Every image under root with a one-hot label over `selected` (default: every domain, sorted).

    Domains not selected are left out with their images; filenames are relative to root.
    """
    root = os.fspath(root)
    domains = list_domains(root)
    selected = list(domains if selected is None or len(selected) == 0 else selected)
    for name in selected:
        if name not in domains:
            close = difflib.get_close_matches(name, domains, n=1, cutoff=0.5)
            hint = "did you mean {!r}? ".format(close[0]) if close else ""
            raise DataFormatError(
                "{}: no domain folder {!r}; {}the domains there are: {} (set selected_attrs to those you want)".format(
                    root, name, hint, ", ".join(domains)))
    filenames, index = [], []
    for i, name in enumerate(selected):
        files = domain_images(root, name)
        filenames += files
        index += [i] * len(files)
    labels = np.eye(len(selected), dtype=np.float32)[np.asarray(index, np.int64)]
    return AttributeTable(root, list(selected), list(selected), filenames, labels, labels.astype(np.int8))


"""A Config's dataset: its attribute file split like the reference, its input pipeline, a preview batch.

The pieces live in `attributes`, `domain_folders`, `pipeline` and `toy_faces`; this module joins them to a
Config. Which pieces a run reads is its dataset kind's choice (stargan_nb.kinds): the functions taking a Config
ask the kind, and the kinds compose the building blocks here (attribute_file_dataset, folder_dataset, ...).
"""
import os
from dataclasses import dataclass, replace

import numpy as np

from ..runtime.paths import resolve
from .attributes import AttributeTable, DataFormatError, Split, read_attributes, split
from .domain_folders import read_domain_folders
from .toy_faces import TOY_MARKER, ensure_toy_celeba, is_toy_dataset
from .toy_expressions import EXPRESSIONS, TOY_RAFD_MARKER, ensure_toy_rafd, is_toy_rafd
from .toy_oracle import ORACLE_ATTRS
from ..kinds import kind_of


@dataclass
class Dataset:
    table: AttributeTable
    split: Split
    image_root: str
    crop_size: int = None  # its own centre crop, where not the config's crop_size (joint training's folders)

    def paths(self, which):
        files = self.split.train_files if which == "train" else self.split.test_files
        return [os.path.join(self.image_root, f) for f in files]

    def crop(self, config):
        return self.crop_size or config.crop_size

    def labels(self, which):
        return self.split.train_labels if which == "train" else self.split.test_labels


def load_dataset(config, check_files=True) -> Dataset:
    """The run's dataset, split like the reference, every image checked to be there.

    Its dataset kind (stargan_nb.kinds) says which files: "celeba" and "both" the attribute file (in "both", its
    test images are the grids' and the evaluation's inputs), "folders" the domain folders of image_root. In
    "both" the labels are the full rows [c_celeba, 0, mask], as the generator reads them (load_second_dataset
    has the folders' rows).
    """
    return kind_of(config).load(config, check_files)


def load_second_dataset(config) -> Dataset:
    """Joint training's folder dataset (rafd_image_root), labels as full rows [0, c_rafd, mask]; a ValueError
    for a kind with one dataset."""
    return kind_of(config).load_second(config)


# ------------------------------------------------------------------ what the dataset kinds are made of
def attribute_file_dataset(config, check_files=True) -> Dataset:
    """The attribute file of metadata_path (its images under image_root), split by n_test and seed."""
    image_root = str(resolve(config.image_root))
    metadata_path = str(resolve(config.metadata_path))
    table = read_attributes(metadata_path, config.selected_attrs)
    if check_files:
        from .pipeline import check_images_exist
        check_images_exist(image_root, table.filenames, metadata_path)
    return Dataset(table, split(table, config.n_test, config.seed), image_root)


def folder_dataset(root, domains, n_test_name, n_test, seed, crop_size=None) -> Dataset:
    """One folder per domain under root, labels one-hot in `domains` order, split by n_test (the Config field
    named n_test_name, for the error) and seed."""
    root = str(resolve(root))
    table = read_domain_folders(root, domains)
    return Dataset(table, _split_folders(table, n_test_name, n_test, seed), root, crop_size)


def with_label_rows(dataset: Dataset, columns, mask, width, n_test, seed) -> Dataset:
    """The dataset with its labels placed in `columns` of rows `width` wide, the mask column `mask` set, split
    again by n_test and seed (the same files: the split depends on the number of rows only): joint training's
    [c_celeba, c_rafd, mask] rows, whose layout the joint kind's LabelSpace gives."""
    table = dataset.table
    rows = np.zeros((len(table), width), np.float32)
    rows[:, list(columns)] = table.labels
    rows[:, mask] = 1.0
    table = replace(table, labels=rows)
    return Dataset(table, split(table, n_test, seed), dataset.image_root, dataset.crop_size)


def _split_folders(table, n_test_name, n_test, seed) -> Split:
    """The seeded split of a folder dataset, refused when a domain has no training image: the generator
    would never be shown it and D never taught it, yet every grid and score would ask for it. (A domain
    with no test image is fine: it trains, and only goes unseen in the test split.)"""
    parts = split(table, n_test, seed)
    counts = table.labels.sum(axis=0).astype(int)
    trained = parts.train_labels.sum(axis=0)
    for domain, total, seen in zip(table.selected, counts, trained):
        if not seen:
            raise DataFormatError(
                "{}: every image of domain {!r} ({} in all) falls in the test split ({}={} of {} images), so "
                "training would never see it; lower {} or add images to {}".format(
                    table.path, domain, total, n_test_name, n_test, len(table), n_test_name,
                    os.path.join(table.path, domain)))
    return parts


def shard(items, rank, size):
    """Rank `rank`'s share of a split among `size` ranks: every size-th item from the rank-th, so the shares
    are disjoint, cover the split, and differ in length by one at most."""
    return items[rank::size]


def make_input(config, dataset: Dataset, which="train", rank=0, size=1):
    """The tf.data pipeline for a split, shaped by the config; with size > 1, only this rank's shard of it."""
    from .pipeline import make_dataset
    return make_dataset(shard(dataset.paths(which), rank, size), shard(dataset.labels(which), rank, size),
                        config.image_size,
                        dataset.crop(config), config.batch_size, training=(which == "train"),
                        seed=config.seed)


def attribute_frequencies(table: AttributeTable) -> dict:
    return dict(zip(table.all_names, table.all_labels.mean(axis=0).tolist()))


def co_occurrence(table: AttributeTable) -> np.ndarray:
    """P(column attribute | row attribute) among the selected attributes."""
    lab = table.labels
    joint = lab.T @ lab
    return joint / np.maximum(lab.sum(axis=0)[:, None], 1)


def oracle_can_judge(config) -> bool:
    """True when the config reads only toy data and labels the pixel oracles can read."""
    return not oracle_problem(config)


def oracle_problem(config) -> str:
    """Why the toy pixel oracles cannot judge this config's data, in words; "" when they can."""
    return kind_of(config).oracle_problem(config)


def toy_faces_problem(config) -> str:
    """Why the toy faces' oracle cannot read the attribute file of a config; "" when it can."""
    return _toy_problem(resolve(config.metadata_path).parent, is_toy_dataset, TOY_MARKER, "toy faces",
                        "selected_attrs", config.selected_attrs, ORACLE_ATTRS)


def toy_expressions_problem(root, names_field, names) -> str:
    """Why the toy expressions' oracle cannot read the domain folders under root; "" when it can."""
    return _toy_problem(resolve(root), is_toy_rafd, TOY_RAFD_MARKER, "toy expressions", names_field, names,
                        EXPRESSIONS)


def _toy_problem(root, is_toy, marker, kind, names_field, names, readable):
    if not is_toy(root):
        return "{} is not a folder of the {} (it has no {})".format(root, kind, marker)
    unread = [a for a in names if a not in readable]
    if unread:
        return "{} has {}, which the oracle does not read (it reads {})".format(
            names_field, ", ".join(unread), ", ".join(readable))
    return ""


def toy_reader(config):
    """(read, regions) of a toy run: the pixel oracle of its labels, one column per target column (the toy
    faces' attributes, the toy expressions, or both side by side in joint training), and the regions it
    reads by name (what 01 draws)."""
    return kind_of(config).toy_reader(config)


def ensure_toy_data(config, num_images=5000, seed=0, progress=True, num_people=250):
    """Generate the toy faces and/or toy expressions the config reads, unless they are already there."""
    return kind_of(config).ensure_toy_data(config, num_images, seed, progress, num_people)


def ensure_toy_faces(config, num_images=5000, seed=0, progress=True):
    """The toy faces of metadata_path's folder (image_root must be its images/), made unless there."""
    meta = resolve(config.metadata_path)
    root = meta.parent
    if resolve(config.image_root) != root / "images":
        raise DataFormatError(
            "the toy dataset keeps its images in {}; set image_root to that folder (it is {})".format(
                root / "images", config.image_root))
    return ensure_toy_celeba(root, num_images, seed, progress)


def ensure_toy_expressions(root, num_people=250, seed=0, progress=True):
    """The toy expressions under root, made unless there."""
    return ensure_toy_rafd(resolve(root), num_people, seed, progress)


def preview(config, dataset: Dataset, n=6, which="test"):
    """The first n images of a split as stored on disk, and as the pipeline hands them to the model."""
    from PIL import Image
    from .pipeline import make_dataset, undecodable_error, unreadable_images_error
    from ..runtime.tfcompat import tf
    files = (dataset.split.train_files if which == "train" else dataset.split.test_files)[:n]
    paths = dataset.paths(which)[:n]
    raw = []
    for name, p in zip(files, paths):
        try:
            with Image.open(p) as im:
                raw.append(np.asarray(im.convert("RGB")))
        except Exception as err:  # every broken file of the preview, by name
            found = unreadable_images_error(dataset.image_root, files, dataset.table.path, False)
            raise (found or undecodable_error(dataset.image_root, [(name, "{}: {}".format(type(err).__name__, err))],
                                              len(files), dataset.table.path)) from None
    graph = tf.Graph()
    with graph.as_default():
        ds = make_dataset(paths, dataset.labels(which)[:n], config.image_size, dataset.crop(config), n,
                          training=False)
        batch = tf.data.make_one_shot_iterator(ds).get_next()
        with tf.Session(graph=graph) as sess:
            try:
                images, labels = sess.run(batch)
            except tf.errors.InvalidArgumentError as err:  # PIL read them all; the pipeline's decoder did not
                raise (unreadable_images_error(dataset.image_root, files, dataset.table.path, False) or err) from None
    return raw, images, labels


def prepare_config(preset, overrides=None, num_toy_images=5000):
    """A notebook's Config from its parameters: empty values keep the preset's, toy data is made if absent."""
    from ..config import Config
    given = {k: v for k, v in (overrides or {}).items() if v is not None and v != ""}
    config = Config.preset(preset, **given)
    if preset.startswith("toy"):
        ensure_toy_data(config, num_images=num_toy_images)
    return config

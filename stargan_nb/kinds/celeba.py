"""CelebA's kind: an attribute file in list_attr_celeba.txt's format, several attributes on at once.

Labels are the selected attributes, 0/1 each; only the selected hair colours are one-of-a-group. D classifies
them with the sigmoid cross-entropy summed over attributes (the reference's CelebA).
"""
from .base import DatasetKind


class CelebA(DatasetKind):
    example_targets = ("Blond_Hair", "Black_Hair+Male", "-Young", "Brown_Hair+-Male+-Young")
    label_meaning = "target attributes, 1 = present, 0 = absent, in selected_attrs order"

    def space(self, config):
        from ..model.labels import LabelSpace
        return LabelSpace.attributes(config.selected_attrs)

    def layout(self, config):
        return [("attributes", range(config.c_dim))]

    def label_loss(self, logits, labels, config, part=None):
        from ..model.losses import classification_loss
        return classification_loss(logits, labels)

    def load(self, config, check_files=True):
        from ..data.dataset import attribute_file_dataset
        return attribute_file_dataset(config, check_files)

    def oracle_problem(self, config):
        from ..data.dataset import toy_faces_problem
        return toy_faces_problem(config)

    def toy_reader(self, config):
        from ..data.toy_oracle import ORACLE_REGIONS, toy_oracle
        return (lambda x: toy_oracle(x, config.selected_attrs)), ORACLE_REGIONS

    def ensure_toy_data(self, config, num_images=5000, seed=0, progress=True, num_people=250):
        from ..data.dataset import ensure_toy_faces
        return ensure_toy_faces(config, num_images, seed, progress)

"""The domain folders' kind: image_root holds one folder per domain, selected_attrs names the domains.

Labels are one-hot (every domain is one group: one is on). D classifies them with the softmax cross-entropy
(the reference's RaFD). A run's split depends on the files under image_root, not on an attribute file.
"""
from .base import DatasetKind


class Folders(DatasetKind):
    example_targets = ("happy", "surprised", "sad", "angry")
    exclusive_caption = "one domain at a time"
    label_meaning = "the target domain, one-hot in selected_attrs order"

    def validate(self, config):
        if config.c_dim < 2:
            from ..config import ConfigError
            raise ConfigError("a folder dataset needs at least two domains in selected_attrs, got {}".format(
                config.selected_attrs))

    def space(self, config):
        from ..model.labels import LabelSpace
        return LabelSpace(config.selected_attrs, [range(config.c_dim)])

    def layout(self, config):
        return [("domains", range(config.c_dim))]

    def label_loss(self, logits, labels, config, part=None):
        from ..model.losses import domain_loss
        return domain_loss(logits, labels)

    def load(self, config, check_files=True):
        from ..data.dataset import folder_dataset
        return folder_dataset(config.image_root, config.selected_attrs, "n_test", config.n_test, config.seed)

    def split_field(self, name):
        return "image_root" if name == "metadata_path" else name  # the rows are the files under image_root

    def oracle_problem(self, config):
        from ..data.dataset import toy_expressions_problem
        return toy_expressions_problem(config.image_root, "selected_attrs", config.selected_attrs)

    def toy_reader(self, config):
        from ..data.expression_oracle import EXPRESSION_REGIONS, expression_oracle
        return (lambda x: expression_oracle(x, config.selected_attrs)), EXPRESSION_REGIONS

    def ensure_toy_data(self, config, num_images=5000, seed=0, progress=True, num_people=250):
        from ..data.dataset import ensure_toy_expressions
        return ensure_toy_expressions(config.image_root, num_people, seed, progress)

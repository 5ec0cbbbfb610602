"""Joint training's kind (the reference's --dataset Both): CelebA's attribute file and the domain folders of
rafd_image_root at once, one generator for both.

A label row is [c_celeba, c_rafd, mask]: the CelebA attributes, the folders' domains one-hot, and the mask vector,
whose two columns say which dataset's labels are meant; a target in one dataset's columns has the other's zeroed
and its own mask column set. D classifies c_celeba and c_rafd (no mask). Each iteration is a step on a batch of
each dataset, and each step's classification reads its own dataset's slice (the reference's train_multi).
`columns` below is the one place that layout is written.
"""
from .base import DatasetKind
from .celeba import CelebA

MASK_NAMES = ("mask_celeba", "mask_rafd")  # the mask vector's columns: which dataset's labels are meant


def columns(config):
    """(c_celeba, c_rafd, mask): the column ranges of a joint label row."""
    c, c2 = config.c_dim, config.c2_dim
    return range(c), range(c, c + c2), range(c + c2, c + c2 + len(MASK_NAMES))


class Joint(DatasetKind):
    joint = True
    mask_columns = len(MASK_NAMES)
    example_targets = ("Blond_Hair", "happy", "surprised", "Black_Hair+Male")
    label_meaning = ("[CelebA attributes, RaFD domain one-hot, mask vector] in selected_attrs order: a target "
                     "in one dataset's columns has the other's zeroed and its mask column set")
    first = CelebA()  # the attribute file's rules, for what the first dataset does as it would alone

    def validate(self, config):
        from ..config import ConfigError
        if len(config.rafd_domains) != config.c2_dim:
            raise ConfigError("c2_dim is {} but rafd_domains names {} domains ({}); set c2_dim={} or change "
                              "rafd_domains".format(config.c2_dim, len(config.rafd_domains),
                                                    ", ".join(config.rafd_domains), len(config.rafd_domains)))
        shared = sorted(set(config.selected_attrs) & set(config.rafd_domains)
                        | {d for d in config.rafd_domains if config.rafd_domains.count(d) > 1})
        if shared:
            raise ConfigError("rafd_domains lists {} twice or also in selected_attrs; a label name must say "
                              "which dataset's column it is".format(", ".join(shared)))

    # ----------------------------------------------------------------- labels
    def cls_dim(self, config):
        return config.c_dim + config.c2_dim

    def space(self, config):
        from ..model.labels import LabelSpace, hair_columns
        celeba, rafd, mask = columns(config)
        names = list(config.selected_attrs) + list(config.rafd_domains) + list(MASK_NAMES)
        return LabelSpace(names, [hair_columns(config.selected_attrs), rafd], [(celeba, mask[0]), (rafd, mask[1])])

    def layout(self, config):
        return list(zip(("c_celeba", "c_rafd", "mask"), columns(config)))

    def describe_label_dim(self, config):
        return "{} label columns".format(self.label_dim(config))

    def label_loss(self, logits, labels, config, part=None):
        """part: "celeba" or "rafd", the dataset of this batch, whose slice alone is read; "rows": each row's own
        mask says which slice is read (targets mixed across datasets, Config.cross_dataset_targets)."""
        from ..model.losses import classification_loss, domain_loss
        celeba, rafd, _ = columns(config)
        c, end = rafd.start, rafd.stop
        if part == "celeba":
            return classification_loss(logits[:, :c], labels[:, :c])
        if part == "rafd":
            return domain_loss(logits[:, c:], labels[:, c:end])
        if part == "rows":
            return self._rows_loss(logits, labels, config)
        raise ValueError("joint training classifies one dataset per step: part must be 'celeba', 'rafd' or 'rows'")

    @staticmethod
    def _rows_loss(logits, labels, config):
        """Each row's term of its own dataset (sigmoid summed over CelebA's columns, or softmax), averaged over
        the batch."""
        from ..runtime.tfcompat import tf
        _, rafd, mask = columns(config)
        c, end = rafd.start, rafd.stop
        on_celeba, on_rafd = labels[:, mask[0]], labels[:, mask[1]]
        sigmoid = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels[:, :c], logits=logits[:, :c]),
                                1)
        softmax = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.stop_gradient(labels[:, c:end]),
                                                             logits=logits[:, c:])
        return tf.reduce_mean(on_celeba * sigmoid + on_rafd * softmax)

    # ------------------------------------------------------------------- data
    def load(self, config, check_files=True):
        """The attribute file, its labels as full rows [c_celeba, 0, mask] (its test images are the grids' and
        the evaluation's inputs)."""
        from ..data.dataset import with_label_rows
        celeba, _, mask = columns(config)
        return with_label_rows(self.first.load(config, check_files), celeba, mask[0], self.label_dim(config),
                               config.n_test, config.seed)

    def load_second(self, config):
        """The folders of rafd_image_root, labels as full rows [0, c_rafd, mask]."""
        from ..data.dataset import folder_dataset, with_label_rows
        _, rafd, mask = columns(config)
        folders = folder_dataset(config.rafd_image_root, config.rafd_domains, "rafd_n_test", config.rafd_n_test,
                                 config.seed, config.rafd_crop_size)
        return with_label_rows(folders, rafd, mask[1], self.label_dim(config), config.rafd_n_test, config.seed)

    def oracle_problem(self, config):
        from ..data.dataset import toy_expressions_problem
        return self.first.oracle_problem(config) or toy_expressions_problem(
            config.rafd_image_root, "rafd_domains", config.rafd_domains)

    def toy_reader(self, config):
        import numpy as np
        from ..data.expression_oracle import EXPRESSION_REGIONS, expression_oracle
        from ..data.toy_oracle import ORACLE_REGIONS, toy_oracle
        return (lambda x: np.concatenate([toy_oracle(x, config.selected_attrs),
                                          expression_oracle(x, config.rafd_domains)], axis=1),
                dict(ORACLE_REGIONS, **EXPRESSION_REGIONS))

    def ensure_toy_data(self, config, num_images=5000, seed=0, progress=True, num_people=250):
        from ..data.dataset import ensure_toy_expressions
        ensure_toy_expressions(config.rafd_image_root, num_people, seed, progress)
        return self.first.ensure_toy_data(config, num_images, seed, progress)

    # ------------------------------------------------------------- evaluation
    def classifier_problem(self, config):
        return ("a joint run is judged by the toy oracles only (its CelebA test faces have no expression "
                "labels to train a classifier on); evaluate it on the toy datasets, or each dataset's "
                "run on its own")

    def what_judges_instead(self, config):
        return ("A joint run on real data has no judge here (the attribute classifier learns one dataset's labels, "
                "and its CelebA test faces have no expression labels): judge each dataset's own run in notebook 06")

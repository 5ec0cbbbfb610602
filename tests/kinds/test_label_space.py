"""Label rules of folder datasets (one-hot domains) and of joint training (the mask vector), as the reference's."""
import numpy as np
import pytest

from stargan_nb.config import Config, ConfigError
from stargan_nb.model import labels

ATTRS, DOMAINS = ["Black_Hair", "Blond_Hair", "Male"], ["angry", "happy", "sad"]


def both():
    return Config.preset("both", selected_attrs=ATTRS, rafd_domains=DOMAINS)


def test_a_folder_dataset_targets_each_domain_one_hot_as_the_reference():
    config = Config.preset("rafd", selected_attrs=DOMAINS)
    space = labels.space(config)
    c_org = np.eye(3, dtype=np.float32)[[2, 0]]
    targets = labels.create_labels(c_org, space)
    # The reference's create_labels for RaFD: label2onehot(ones * i) whatever the input.
    assert [t.tolist() for t in targets] == [[list(np.eye(3)[i])] * 2 for i in range(3)]
    assert labels.target_titles(space) == ["to angry", "to happy", "to sad"]
    assert labels.target_labels("happy", c_org, space).tolist() == [[0, 1, 0], [0, 1, 0]]


def test_joint_targets_are_test_multis_rows():
    """solver.test_multi: CelebA targets [c_celeba, zeros, (1, 0)], then RaFD targets [zeros, one-hot, (0, 1)]."""
    config = both()
    assert (config.label_dim, config.cls_dim) == (3 + 3 + 2, 6)
    space = labels.space(config)
    assert list(space) == ATTRS + DOMAINS + ["mask_celeba", "mask_rafd"]
    c_org = np.array([[1, 0, 1, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1, 0]], np.float32)
    targets = labels.create_labels(c_org, space)
    assert len(targets) == 6
    assert targets[0].tolist() == [[1, 0, 1, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0, 1, 0]]  # to Black_Hair
    assert targets[1].tolist() == [[0, 1, 1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0, 1, 0]]  # to Blond_Hair
    assert targets[2].tolist() == [[1, 0, 0, 0, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0, 1, 0]]  # Male flipped
    for k, domain_row in enumerate(np.eye(3)):
        expected = [0, 0, 0] + domain_row.tolist() + [0, 1]
        assert targets[3 + k].tolist() == [expected, expected]
    assert labels.target_titles(space) == ["to Black_Hair", "to Blond_Hair", "Male flipped", "to angry", "to happy",
                                           "to sad"]


def test_joint_targets_by_name_switch_dataset_and_mask():
    space = labels.space(both())
    face = np.array([[1, 0, 1, 0, 0, 0, 1, 0]], np.float32)
    assert labels.target_labels("sad", face, space).tolist() == [[0, 0, 0, 0, 0, 1, 0, 1]]
    assert labels.target_labels("Blond_Hair+-Male", face, space).tolist() == [[0, 1, 0, 0, 0, 0, 1, 0]]
    with pytest.raises(labels.TargetError, match="unknown attribute 'mask_rafd'"):
        labels.target_labels("mask_rafd", face, space)


def test_what_a_translation_should_keep():
    space = labels.space(both())
    c_org = np.array([[1, 0, 1, 0, 0, 0, 1, 0]], np.float32)
    targets = labels.create_labels(c_org, space)
    cols, expected = space.kept(2, c_org, targets[2])     # Male flipped: the other CelebA attributes, as targeted
    assert cols == [0, 1] and expected is targets[2]
    cols, expected = space.kept(4, c_org, targets[4])     # to happy: the face's CelebA attributes, as they were
    assert cols == [0, 1, 2] and expected is c_org
    plain = labels.label_space(ATTRS)
    assert plain.kept(1, c_org[:, :3], c_org[:, :3])[0] == [0, 2]


@pytest.mark.parametrize("changes, message", [
    (dict(rafd_domains=["angry", "sad"], c2_dim=3), r"c2_dim is 3 but rafd_domains names 2 domains"),
    (dict(rafd_domains=["Male", "sad"]), r"rafd_domains lists Male twice or also in selected_attrs"),
    (dict(dataset="imagefolder"), r"dataset must be one of celeba, folders, both"),
])
def test_joint_configs_that_cannot_work_are_refused(changes, message):
    with pytest.raises(ConfigError, match=message):
        Config.preset("both", **changes)


def test_a_folder_dataset_needs_two_domains():
    with pytest.raises(ConfigError, match="at least two domains"):
        Config.preset("rafd", selected_attrs=["happy"])
    assert Config.preset("rafd", rafd_domains="a,b").c2_dim == 2  # rafd_domains is read like selected_attrs

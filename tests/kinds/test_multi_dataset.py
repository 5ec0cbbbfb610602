"""Training on folder-per-domain data and on two datasets at once (the reference's --dataset RaFD / Both)."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from stargan_nb import runs
from stargan_nb.data import dataset as datasets
from stargan_nb.data.attributes import DataFormatError
from stargan_nb.runtime.tfcompat import tf
from stargan_nb.training.loop import build_graph, train
from tiny_runs import tiny_folder_config, tiny_joint_config


def test_a_folder_dataset_loads_one_hot_rows_and_splits_by_seed(toy_rafd_root):
    config = tiny_folder_config(toy_rafd_root)
    ds = datasets.load_dataset(config)
    assert len(ds.split.test_files) == 16 and len(ds.split.train_files) == 80
    assert (ds.split.train_labels.sum(axis=1) == 1).all() and ds.split.train_labels.shape[1] == 8
    for name, row in zip(ds.split.test_files[:5], ds.split.test_labels[:5]):
        assert name.split("/")[0] == config.selected_attrs[int(row.argmax())]
    assert datasets.oracle_can_judge(config)


def test_joint_datasets_give_full_label_rows(toy_root, toy_rafd_root):
    config = tiny_joint_config(toy_root, toy_rafd_root, rafd_crop_size=160)
    celeba, rafd = datasets.load_dataset(config), datasets.load_second_dataset(config)
    assert celeba.split.train_labels.shape[1] == config.label_dim == 15
    assert (celeba.split.train_labels[:, 5:13] == 0).all() and (celeba.split.train_labels[:, 13:] == [1, 0]).all()
    assert (rafd.split.train_labels[:, :5] == 0).all() and (rafd.split.train_labels[:, 13:] == [0, 1]).all()
    assert (rafd.split.train_labels[:, 5:13].sum(axis=1) == 1).all()
    assert rafd.crop_size == 160 and celeba.crop_size is None  # each dataset keeps its own crop
    assert datasets.oracle_can_judge(config)
    with pytest.raises(ValueError, match="only joint training"):
        datasets.load_second_dataset(tiny_folder_config(toy_rafd_root))


def test_joint_training_shares_one_adam_per_network_and_counts_iterations(toy_root, toy_rafd_root):
    config = tiny_joint_config(toy_root, toy_rafd_root)
    graph, g, _, _ = build_graph(config, datasets.load_dataset(config), "cpu",
                                 second=datasets.load_second_dataset(config))
    with graph.as_default():
        names = [v.op.name for v in tf.global_variables()]
        d_vars = [n for n in names if n.startswith("discriminator/") and "adam" not in n.lower()]
        d_slots = [n for n in names if n.startswith("discriminator/") and "d_adam" in n]
        assert len(d_slots) == 2 * len(d_vars)  # m and v once, not once per dataset
        assert len(g.d_iteration) == 2 and len(g.g_iteration) == 2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for fetches in g.d_iteration:
                sess.run(fetches)
            assert sess.run(g.global_step) == 1  # one iteration: a step on each dataset


def test_a_joint_run_trains_logs_each_datasets_classification_and_draws_both_label_sets(toy_root, toy_rafd_root,
                                                                                         tmp_path):
    config = tiny_joint_config(toy_root, toy_rafd_root, training_iterations=4, d_train_repeat=2, save_steps=4,
                               checkpoint_steps=4)
    result = train(config, str(tmp_path / "run"), progress=False)
    assert result["step"] == 4 and result["finished"]
    rows = runs.read_metrics(str(tmp_path / "run"))
    last = rows[-1]
    for key in ("D/loss_cls@celeba", "D/loss_cls@rafd", "G/loss_cls@celeba", "G/loss_cls@rafd"):
        assert np.isfinite(last[key])
    assert last["D/loss_cls"] == pytest.approx((last["D/loss_cls@celeba"] + last["D/loss_cls@rafd"]) / 2, rel=1e-5)
    with Image.open(runs.sample_path(str(tmp_path / "run"), 4)) as grid:
        width = grid.size[0]
    assert width == (1 + 5 + 8) * 96  # input, five attributes, eight expressions; 16 px cells enlarged to 96


def test_a_folder_run_trains_and_resumes(toy_rafd_root, tmp_path):
    config = tiny_folder_config(toy_rafd_root, training_iterations=6, save_steps=3, checkpoint_steps=3)
    run = str(tmp_path / "run")
    assert train(config, run, progress=False, max_iterations=3)["step"] == 3
    assert train(config, run, progress=False)["step"] == 6
    with open(runs.config_path(run)) as f:
        assert json.load(f)["dataset"] == "folders"


def test_a_broken_image_in_the_second_dataset_is_named(toy_root, toy_rafd_root, tmp_path):
    import shutil
    rafd = tmp_path / "rafd"
    shutil.copytree(str(toy_rafd_root), str(rafd))
    victim = sorted((rafd / "happy").iterdir())[0]
    victim.write_bytes(b"not a jpeg")
    config = tiny_joint_config(toy_root, rafd, rafd_n_test=1, training_iterations=60)
    with pytest.raises(DataFormatError, match=r"cannot be decoded \(first: happy/{}".format(victim.name)):
        train(config, str(tmp_path / "run"), progress=False)
    assert os.path.exists(runs.config_path(str(tmp_path / "run")))


def test_cross_dataset_targets_take_whole_rows_of_either_batch():
    from stargan_nb.model.labels import cross_dataset_targets
    own = np.tile(np.array([[1, 0, 0, 1, 0]], np.float32), (4000, 1))    # CelebA-like rows: mask (1, 0)
    other = np.tile(np.array([[0, 0, 1, 0, 1]], np.float32), (4000, 1))  # the other dataset's: mask (0, 1)
    with tf.Graph().as_default(), tf.Session() as sess:
        none, half, every = sess.run([cross_dataset_targets(own, other, share) for share in (0.0, 0.5, 1.0)])
    assert (none == own).all() and (every == other).all()
    from_other = (half == other).all(axis=1)
    assert ((half == own).all(axis=1) | from_other).all()  # no row mixes the two
    assert 0.45 < from_other.mean() < 0.55


def test_per_row_classification_reads_each_rows_own_dataset():
    from stargan_nb.model.losses import label_loss
    config = joint_config()
    rng = np.random.RandomState(0)
    logits = rng.normal(size=(6, 13)).astype(np.float32)
    celeba = np.zeros((3, 15), np.float32)
    celeba[:, :5] = rng.randint(0, 2, (3, 5))
    celeba[:, 13] = 1
    rafd = np.zeros((3, 15), np.float32)
    rafd[np.arange(3), 5 + rng.randint(0, 8, 3)] = 1
    rafd[:, 14] = 1
    with tf.Graph().as_default(), tf.Session() as sess:
        logits, celeba, rafd = tf.constant(logits), tf.constant(celeba), tf.constant(rafd)
        rows = sess.run(label_loss(logits, tf.concat([celeba, rafd], 0), config, "rows"))
        by_part = sess.run([label_loss(logits[:3], celeba, config, "celeba"), label_loss(logits[3:], rafd, config, "rafd")])
        only_celeba = sess.run([label_loss(logits[:3], celeba, config, "rows")])[0]
    assert rows == pytest.approx(sum(by_part) / 2, rel=1e-6)  # each half's mean, averaged over all six rows
    assert only_celeba == pytest.approx(by_part[0], rel=1e-6)  # one dataset's rows: that dataset's term


def joint_config():
    from stargan_nb.config import Config
    return Config.preset("toy_both", image_size=16, d_repeat_num=2)


@pytest.mark.parametrize("share", [0.0, 1.0])  # the paper's steps alone, and every target crossed (toy_both: 0.5)
def test_a_joint_run_trains_with_any_share_of_cross_dataset_targets(toy_root, toy_rafd_root, tmp_path, share):
    config = tiny_joint_config(toy_root, toy_rafd_root, training_iterations=4, d_train_repeat=2, save_steps=4,
                               checkpoint_steps=4, cross_dataset_targets=share)
    result = train(config, str(tmp_path / "run"), progress=False)
    assert result["step"] == 4 and result["finished"]
    last = runs.read_metrics(str(tmp_path / "run"))[-1]
    assert np.isfinite(last["G/loss_cls@celeba"]) and np.isfinite(last["G/loss_cls@rafd"])


def test_cross_dataset_targets_are_refused_outside_joint_training(toy_rafd_root):
    from stargan_nb.config import ConfigError
    with pytest.raises(ConfigError, match="cross_dataset_targets is for joint training"):
        tiny_folder_config(toy_rafd_root, cross_dataset_targets=0.5)
    with pytest.raises(ConfigError, match="between 0"):
        joint_config().replace(cross_dataset_targets=1.5)

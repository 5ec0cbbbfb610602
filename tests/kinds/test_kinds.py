"""Dataset kinds (stargan_nb.kinds): each kind gives the label layout, loss, targets and meaning it gave when they
were string switches; no module outside config.py and the kinds branches on `config.dataset`; and a fourth kind is
one subclass and one registration, with nothing else touched."""
import ast
from pathlib import Path

import numpy as np
import pytest

from stargan_nb import kinds
from stargan_nb.config import Config, ConfigError
from stargan_nb.kinds import KINDS, kind_of
from stargan_nb.kinds.folders import Folders
from stargan_nb.model import labels

PACKAGE = Path(kinds.__file__).resolve().parent.parent


def celeba():
    return Config.preset("celeba", selected_attrs=["Black_Hair", "Blond_Hair", "Male"])


def folders():
    return Config.preset("rafd", selected_attrs=["angry", "happy", "sad"])


def joint():
    return Config.preset("both", selected_attrs=["Blond_Hair", "Male"], rafd_domains=["happy", "sad"])


def test_the_three_kinds_are_registered_under_the_config_names():
    assert list(KINDS) == ["celeba", "folders", "both"]
    assert [type(kind_of(c)).__name__ for c in (celeba(), folders(), joint())] == ["CelebA", "Folders", "Joint"]
    assert kind_of("both") is KINDS["both"]
    with pytest.raises(ConfigError, match="dataset must be one of celeba, folders, both; got 'rafd'"):
        kind_of("rafd")


def test_label_layouts():
    c, f, j = celeba(), folders(), joint()
    assert [(x.label_dim, x.cls_dim) for x in (c, f, j)] == [(3, 3), (3, 3), (6, 4)]
    s = labels.space(c)
    assert (list(s), s.groups, s.parts) == (["Black_Hair", "Blond_Hair", "Male"], ((0, 1),), ())
    s = labels.space(f)
    assert (list(s), s.groups, s.parts) == (["angry", "happy", "sad"], ((0, 1, 2),), ())
    s = labels.space(j)
    assert list(s) == ["Blond_Hair", "Male", "happy", "sad", "mask_celeba", "mask_rafd"]
    assert (s.groups, s.parts) == (((0,), (2, 3)), (((0, 1), 4), ((2, 3), 5)))
    assert [(n, list(r)) for n, r in kind_of(j).layout(j)] == [("c_celeba", [0, 1]), ("c_rafd", [2, 3]),
                                                               ("mask", [4, 5])]
    assert [(n, list(r)) for n, r in kind_of(c).layout(c)] == [("attributes", [0, 1, 2])]
    assert [(n, list(r)) for n, r in kind_of(f).layout(f)] == [("domains", [0, 1, 2])]
    assert [kind_of(x).describe_label_dim(x) for x in (c, f, j)] == ["c_dim=3", "c_dim=3", "6 label columns"]


def test_targets_of_each_kind():
    c_org = np.array([[1, 0, 1]], np.float32)
    assert [t.tolist() for t in labels.create_labels(c_org, labels.space(celeba()))] == [
        [[1, 0, 1]], [[0, 1, 1]], [[1, 0, 0]]]
    assert [t.tolist() for t in labels.create_labels(np.array([[0, 0, 1]], np.float32), labels.space(folders()))] == [
        [[1, 0, 0]], [[0, 1, 0]], [[0, 0, 1]]]
    face = np.array([[0, 1, 0, 0, 1, 0]], np.float32)
    assert [t.tolist() for t in labels.create_labels(face, labels.space(joint()))] == [
        [[1, 1, 0, 0, 1, 0]], [[0, 0, 0, 0, 1, 0]], [[0, 0, 1, 0, 0, 1]], [[0, 0, 0, 1, 0, 1]]]
    assert labels.target_labels("sad+-Male", face, labels.space(joint())).tolist() == [[0, 0, 0, 1, 0, 1]]


def test_example_targets_and_interpolations():
    from stargan_nb.deploy import translate
    assert translate.example_targets(Config.preset("celeba")) == [
        "Blond_Hair", "Black_Hair+Male", "-Young", "Brown_Hair+-Male+-Young"]
    assert translate.example_targets(Config.preset("rafd")) == ["happy", "surprised", "sad", "angry"]
    assert translate.example_targets(Config.preset("both")) == ["Blond_Hair", "happy", "surprised", "Black_Hair+Male"]
    assert translate.example_targets(folders()) == ["happy", "sad", "angry"]
    assert translate.example_targets(Config.preset("rafd", selected_attrs=["x", "y"])) == ["x", "y"]
    assert [translate.example_interpolation(x) for x in (celeba(), folders(), joint())] == ["Blond_Hair", "happy",
                                                                                             "Blond_Hair"]


def test_one_of_a_group_moves_the_mask_in_interpolations_and_sliders():
    space = labels.space(joint())
    face = np.array([1, 1, 0, 0, 1, 0], np.float32)
    rows = space.fade_in(face, 3, np.array([0, 0.5, 1], np.float32))  # to sad: CelebA fades out, the mask moves
    assert rows.tolist() == [[1, 1, 0, 0, 1, 0], [0.5, 0.5, 0, 0.5, 0.5, 0.5], [0, 0, 0, 1, 0, 1]]
    slid = space.switch_on(np.array([1, 1, 0.3, 0, 1, 0]), 3, True, 0.7)  # a slider raised to 0.7
    assert slid.tolist() == [0, 0, 0, 0.7, 0, 1]
    # One dataset: the other hair colours fade out exactly as c * (1 - t); nothing else moves.
    hair = labels.space(celeba())
    c_org, t = np.array([0.8, 0, 1], np.float32), np.linspace(0, 1, 4, dtype=np.float32)
    expected = np.repeat(c_org[None], 4, axis=0)
    expected[:, [0]] *= (1 - t)[:, None]
    expected[:, 1] = t
    assert np.array_equal(hair.fade_in(c_org, 1, t), expected)


def test_what_the_frozen_label_input_means():
    assert [kind_of(x).label_meaning for x in (celeba(), folders(), joint())] == [
        "target attributes, 1 = present, 0 = absent, in selected_attrs order",
        "the target domain, one-hot in selected_attrs order",
        "[CelebA attributes, RaFD domain one-hot, mask vector] in selected_attrs order: a target "
        "in one dataset's columns has the other's zeroed and its mask column set"]


def test_which_files_a_split_depends_on():
    from stargan_nb.runs.compatibility import _differences
    assert [kind_of(x).split_field("metadata_path") for x in (celeba(), folders(), joint())] == [
        "metadata_path", "image_root", "metadata_path"]
    saved = folders()
    assert _differences(saved, saved.replace(metadata_path="elsewhere.txt"), ("metadata_path",)) == []
    assert _differences(celeba(), celeba().replace(metadata_path="elsewhere.txt"), ("metadata_path",))


def test_the_judges_of_each_kind():
    assert [kind_of(x).classifier_problem(x) for x in (celeba(), folders())] == ["", ""]
    assert "judged by the toy oracles only" in kind_of(joint()).classifier_problem(joint())
    assert "notebook 06" in kind_of(joint()).what_judges_instead(joint())
    assert "AttributeJudge" in kind_of(celeba()).what_judges_instead(celeba())


def _sigmoid_ce(x, z):
    return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


def _softmax_ce(x, z):
    log_p = x - x.max(1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))
    return -(z * log_p).sum(1)


def test_classification_losses_read_their_kind_and_slice():
    from stargan_nb.model.losses import label_loss
    from stargan_nb.runtime.tfcompat import tf
    rng = np.random.RandomState(0)
    x = rng.normal(size=(3, 4)).astype(np.float32)
    attrs = np.array([[1, 0, 1, 0], [0, 1, 1, 1], [0, 0, 0, 1]], np.float32)
    onehot = np.eye(4, dtype=np.float32)[[1, 3, 0]]
    c4 = Config.preset("celeba", selected_attrs=["Black_Hair", "Blond_Hair", "Male", "Young"])
    f4 = Config.preset("rafd", selected_attrs=["a", "b", "c", "d"])
    j = joint()  # 2 attributes, 2 domains
    rows = np.array([[1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 1, 0], [0, 0, 0, 1, 0, 1]], np.float32)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run([label_loss(tf.constant(x), tf.constant(attrs), c4),
                        label_loss(tf.constant(x), tf.constant(onehot), f4),
                        label_loss(tf.constant(x), tf.constant(rows), j, "celeba"),
                        label_loss(tf.constant(x), tf.constant(rows), j, "rafd"),
                        label_loss(tf.constant(x), tf.constant(rows), j, "rows")])
    sig = _sigmoid_ce(x[:, :2], rows[:, :2]).sum(1)
    soft = _softmax_ce(x[:, 2:], rows[:, 2:4])
    expected = [_sigmoid_ce(x, attrs).sum() / 3, _softmax_ce(x, onehot).mean(), sig.sum() / 3, soft.mean(),
                np.mean(rows[:, 4] * sig + rows[:, 5] * soft)]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="part must be 'celeba', 'rafd' or 'rows'"):
        label_loss(x, rows, j)


def _branches_on_dataset(tree):
    """Comparisons with, and lookups by, an `<anything>.dataset` attribute."""
    def is_dataset(node):
        return isinstance(node, ast.Attribute) and node.attr == "dataset"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(is_dataset(n) for n in [node.left] + node.comparators):
            found.append(node.lineno)
        elif isinstance(node, ast.Subscript):
            index = node.slice.value if isinstance(node.slice, ast.Index) else node.slice  # Python 3.7 / 3.9+
            if is_dataset(index):
                found.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
              and any(is_dataset(a) for a in node.args)):
            found.append(node.lineno)
    return sorted(found)


def test_no_module_outside_config_and_the_kinds_branches_on_the_dataset_name():
    assert _branches_on_dataset(ast.parse("if config.dataset == 'both': pass\nx = {}[c.dataset]\n"
                                          "y = 'a' if g.config.dataset in ('a',) else 'b'\nz = d.get(c.dataset)")) == [
        1, 2, 3, 4]
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "config.py" or rel.startswith("kinds/"):
            continue
        lines = _branches_on_dataset(ast.parse(path.read_text(), str(path)))
        if lines:
            offenders[rel] = lines
    assert offenders == {}, "ask stargan_nb.kinds.kind_of(config) instead of comparing config.dataset"


class Moods(Folders):
    """A fourth kind, as a project would add one: folders, under its own name, with its own example targets."""
    example_targets = ("calm",)
    label_meaning = "a mood, one-hot"


def _mood_folders(root):
    from PIL import Image
    for k, mood in enumerate(("calm", "cross")):
        (root / mood).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (20, 20), (40 * k + i, 90, 120)).save(str(root / mood / "{}.png".format(i)))
    return root


def test_a_fourth_kind_is_one_subclass_and_one_registration(monkeypatch, tmp_path):
    from stargan_nb import data
    from stargan_nb.deploy import translate
    from stargan_nb.model.losses import label_loss
    from stargan_nb.runtime.tfcompat import tf
    monkeypatch.setitem(KINDS, "moods", Moods())
    root = _mood_folders(tmp_path / "moods")
    config = Config(dataset="moods", selected_attrs=["calm", "cross"], c_dim=2, image_root=str(root), n_test=2,
                    image_size=16, d_repeat_num=2)
    assert isinstance(kind_of(config), Moods) and (config.label_dim, config.cls_dim) == (2, 2)
    assert labels.space(config).groups == ((0, 1),)
    assert translate.example_targets(config) == ["calm"]
    assert kind_of(config).split_field("metadata_path") == "image_root"
    dataset = data.load_dataset(config)
    assert len(dataset.split.train_files) == 4 and dataset.labels("test").sum(axis=1).tolist() == [1, 1]
    with tf.Graph().as_default(), tf.Session() as sess:
        loss = sess.run(label_loss(tf.constant([[0.0, 0.0]]), tf.constant([[1.0, 0.0]]), config))
    assert loss == pytest.approx(np.log(2))
    with pytest.raises(ConfigError, match="at least two domains"):
        Config(dataset="moods", selected_attrs=["calm"], c_dim=1)
    with pytest.raises(ConfigError, match="one of celeba, folders, both, moods; got 'mood'"):
        Config(dataset="mood")
    with pytest.raises(ValueError, match="only joint training"):
        data.load_second_dataset(config)


def test_the_kinds_import_no_stage_and_no_tensorflow():
    import subprocess
    import sys
    code = ("import sys, stargan_nb.kinds, stargan_nb.config\n"
            "loaded = sorted(m for m in sys.modules if m == 'tensorflow' or m.split('.')[:2] in (\n"
            "    ['stargan_nb', s] for s in ('data', 'model', 'training', 'evaluation', 'deploy')))\n"
            "print(loaded)")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, universal_newlines=True, check=True)
    assert out.stdout.strip() == "[]"

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from stargan_nb.data.toy_faces import make_toy_celeba  # noqa: E402


@pytest.fixture(scope="session")
def toy_root(tmp_path_factory):
    """A small toy dataset in CelebA's format, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("toy")
    make_toy_celeba(root, num_images=240, seed=7, progress=False)
    return root


@pytest.fixture
def toy_config(toy_root):
    from stargan_nb.config import Config
    return Config.preset("toy", image_root=str(toy_root / "images"),
                         metadata_path=str(toy_root / "list_attr_celeba.txt"), n_test=40)


def pytest_collection_modifyitems(config, items):
    """Tests marked tf115_suite_only do not use the suite's TensorFlow (the browser test drives JupyterLab from
    .venv whichever suite runs it): the TF 2.x suite deselects them, so they run once and no skip is counted."""
    from stargan_nb.runtime.tfcompat import IS_TF2
    if not IS_TF2:
        return
    once = [item for item in items if item.get_closest_marker("tf115_suite_only")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.get_closest_marker("tf115_suite_only")]


def write_attr_file(path, text):
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def toy_rafd_root(tmp_path_factory):
    """Small toy expressions in the folder-per-domain layout: 12 people x 8 expressions, the toy faces' people."""
    from stargan_nb.data.toy_expressions import make_toy_rafd
    return make_toy_rafd(tmp_path_factory.mktemp("toy_rafd") / "rafd", num_people=12, seed=7, progress=False)


@pytest.fixture(scope="session")
def trained_tiny_run(toy_root, tmp_path_factory):
    """One tiny run trained to its end (10 iterations, checkpoints model-5 and model-10, 12 test images), shared by
    every test that only reads a trained generator. Tests that write into a run copy it first
    (`tiny_runs.copy_run`); the teardown fails if anything in the shared one changed."""
    from tiny_runs import fingerprint, train_tiny
    run = train_tiny(toy_root, tmp_path_factory.mktemp("trained_tiny") / "run", n_test=12)
    before = fingerprint(run)
    yield run
    after = fingerprint(run)
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    assert not changed, "a test wrote {} into the shared trained_tiny_run: copy it with tiny_runs.copy_run".format(changed)

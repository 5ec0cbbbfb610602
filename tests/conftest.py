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


def write_attr_file(path, text):
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def toy_rafd_root(tmp_path_factory):
    """Small toy expressions in the folder-per-domain layout: 12 people x 8 expressions, the toy faces' people."""
    from stargan_nb.data.toy_expressions import make_toy_rafd
    return make_toy_rafd(tmp_path_factory.mktemp("toy_rafd") / "rafd", num_people=12, seed=7, progress=False)

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

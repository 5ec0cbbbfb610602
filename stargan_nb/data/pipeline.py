"""The tf.data input pipeline: CelebA's preprocessing (centre crop 178, resize, flip, [-1, 1]).

Graph code against tf.compat.v1, so it runs unchanged on TF 1.15 and TF 2.x.
"""
import os

from .attributes import DataFormatError
from ..runtime.tfcompat import tf, tf2

AUTOTUNE = tf.data.experimental.AUTOTUNE


def find_missing_images(image_root, filenames):
    return [f for f in filenames if not os.path.isfile(os.path.join(image_root, f))]


def check_images_exist(image_root, filenames, metadata_path="the attribute file"):
    """Fail before training starts, not an hour into it, when listed images are absent."""
    if not os.path.isdir(image_root):
        raise DataFormatError(
            "image_root {} is not a folder; point image_root at the folder holding the images "
            "named in {}".format(image_root, metadata_path))
    missing = find_missing_images(image_root, filenames)
    if missing:
        shown = ", ".join(missing[:5])
        raise DataFormatError(
            "{} of {} images listed in {} are missing from {} (first: {}); fix image_root or "
            "remove those rows".format(len(missing), len(filenames), metadata_path, image_root, shown))


def find_unreadable_images(paths, progress=True, workers=4):
    """(path, reason) for every file the pipeline cannot decode: truncated, corrupt, not an image, or an
    image PIL reads but this TensorFlow's decoder does not (a WebP or TIFF named .jpg; TF 2.x reads WebP,
    TF 1.15 does not). PIL's full decode names truncation; the pipeline's own `decode` is the last word."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    graph = tf.Graph()
    with graph.as_default():
        contents = tf.placeholder(tf.string, [])
        image = decode(contents)
    session = tf.Session(graph=graph, config=tf.ConfigProto(intra_op_parallelism_threads=1))

    def check(path):
        try:
            with Image.open(path) as im:
                im.load()  # a full decode: truncation shows here, not in verify()
                kind = im.format
        except Exception as err:
            return path, "{}: {}".format(type(err).__name__, err)
        with open(path, "rb") as f:
            data = f.read()
        try:
            session.run(image, {contents: data})
        except tf.errors.OpError as err:
            return path, "a {} file, which PIL reads but TensorFlow {}'s decoder does not ({})".format(
                kind, tf.__version__, _decoder_said(err.message))
        return None

    try:
        with ThreadPoolExecutor(workers) as pool:
            results = pool.map(check, paths)
            if progress:
                from ..runtime.progress import progress
                results = progress(results, total=len(paths), desc="checking images", unit="img")
            return [r for r in results if r is not None]
    finally:
        session.close()


def _decoder_said(message):
    """The decoder's own sentence in a TensorFlow error, without the graph's node names and call sites."""
    noise = ("[[", "File ", "Detected at node", "Node:", "Graph execution error")
    said = [line.strip() for line in message.splitlines() if line.strip() and not line.strip().startswith(noise)]
    return (said or [message])[0].replace("assertion failed: ", "").strip("[]").rstrip(".")


def unreadable_images_error(image_root, files, source, progress=True):
    """The error to raise when the decoder failed mid-pipeline: which files (relative to image_root), and
    the fix that fits the dataset: `source` is the attribute file (CelebA's format) or, for a folder
    dataset, its folder of domain folders (image_root itself). None when every file decodes."""
    bad = find_unreadable_images([os.path.join(image_root, f) for f in files], progress)
    if not bad:
        return None
    named = [(os.path.relpath(p, image_root), why.replace(p, os.path.relpath(p, image_root))) for p, why in bad]
    return undecodable_error(image_root, named, len(files), source)


def undecodable_error(image_root, bad, total, source):
    """A DataFormatError naming `bad` ((name relative to image_root, reason) pairs) and what to do."""
    shown = "; ".join("{}: {}".format(name, why[:160]) for name, why in bad[:5])
    if os.path.isdir(source):  # a folder dataset: no rows to remove, the domain folder is the label
        folders = sorted({os.path.join(source, name.replace(os.sep, "/").split("/")[0]) for name, _ in bad})
        return DataFormatError(
            "{} of {} images read from the domain folders of {} cannot be decoded (first: {}). Replace those files, "
            "convert them to PNG or JPEG, or move them out of {}".format(
                len(bad), total, source, shown, " and ".join(folders)))
    return DataFormatError(
        "{} of {} images listed in {} cannot be decoded (first: {}). Replace those files in {} or remove "
        "their rows from {}".format(len(bad), total, source, shown, image_root, source))


def preprocess(image, image_size, crop_size, training, seed=None):
    """uint8 HxWx3 -> float32 image_size^2 x 3 in [-1, 1], as the reference's transforms do."""
    shape = tf.shape(image)
    h, w = shape[0], shape[1]
    crop = tf.minimum(tf.minimum(h, w), crop_size)  # smaller images: the largest centred square
    top, left = (h - crop) // 2, (w - crop) // 2
    image = tf.image.crop_to_bounding_box(image, top, left, crop, crop)
    image = tf2.image.resize(tf.cast(image, tf.float32), [image_size, image_size],
                             method="bilinear", antialias=True)
    if training:
        image = tf.image.random_flip_left_right(image, seed=seed)
    image = tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)
    image.set_shape([image_size, image_size, 3])
    return image


def decode(contents):
    """JPEG, PNG, BMP or GIF bytes to uint8 RGB; grayscale is expanded and alpha dropped."""
    image = tf.io.decode_image(contents, channels=3, expand_animations=False)
    image.set_shape([None, None, 3])
    return image


def make_dataset(paths, labels, image_size, crop_size, batch_size, training, seed=None):
    """Batches of (images, labels). Training: reshuffled every epoch, repeated, fixed batch size."""
    if len(paths) == 0:
        raise DataFormatError("the {} split is empty; check n_test against the number of images"
                              .format("training" if training else "test"))
    ds = tf.data.Dataset.from_tensor_slices((list(paths), labels.astype("float32")))
    if training:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True).repeat()

    def load(path, label):
        image = preprocess(decode(tf.io.read_file(path)), image_size, crop_size, training, seed)
        return image, label

    ds = ds.map(load, num_parallel_calls=AUTOTUNE)
    # A fixed batch size in training keeps shapes static (the Ascend graph compiler needs it).
    ds = ds.batch(batch_size, drop_remainder=training)
    return ds.prefetch(AUTOTUNE)

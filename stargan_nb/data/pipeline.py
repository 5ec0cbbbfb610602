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
    """(path, reason) for every file PIL cannot fully decode: truncated, corrupt, or not an image."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    def check(path):
        try:
            with Image.open(path) as im:
                im.load()  # a full decode: truncation shows here, not in verify()
            return None
        except Exception as err:
            return path, "{}: {}".format(type(err).__name__, err)

    with ThreadPoolExecutor(workers) as pool:
        results = pool.map(check, paths)
        if progress:
            from tqdm.auto import tqdm
            results = tqdm(results, total=len(paths), desc="checking images", unit="img")
        return [r for r in results if r is not None]


def unreadable_images_error(paths, metadata_path="the attribute file", progress=True):
    """The error to raise when the decoder failed mid-pipeline: which files, and what to do."""
    bad = find_unreadable_images(paths, progress)
    if not bad:
        return None
    shown = "; ".join("{} ({})".format(os.path.basename(p), why[:80]) for p, why in bad[:5])
    return DataFormatError(
        "{} of {} images listed in {} cannot be decoded (first: {}). Replace those files or remove "
        "their rows from the attribute file".format(len(bad), len(paths), metadata_path, shown))


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

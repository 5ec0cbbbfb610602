import numpy as np
import pytest
from PIL import Image

from stargan_nb import data
from stargan_nb.data.attributes import DataFormatError
from stargan_nb.data.pipeline import check_images_exist, make_dataset
from stargan_nb.runtime.tfcompat import tf


def run_batches(ds, n):
    graph_batches = []
    it = tf.data.make_one_shot_iterator(ds).get_next()
    with tf.Session() as sess:
        for _ in range(n):
            graph_batches.append(sess.run(it))
    return graph_batches


def in_graph(fn):
    with tf.Graph().as_default():
        return fn()


def test_training_batches_have_the_models_shape_and_range(toy_config):
    toy_config = toy_config.replace(batch_size=16)
    ds = data.load_dataset(toy_config)

    def go():
        return run_batches(data.make_input(toy_config, ds, "train"), 3)
    for images, labels in in_graph(go):
        assert images.shape == (16, 32, 32, 3) and images.dtype == np.float32
        assert labels.shape == (16, 5) and set(np.unique(labels)) <= {0.0, 1.0}
        assert -1.0 <= images.min() < -0.5 and 0.5 < images.max() <= 1.0


def test_test_split_keeps_the_last_partial_batch(toy_config):
    toy_config = toy_config.replace(batch_size=16)
    ds = data.load_dataset(toy_config)
    sizes = in_graph(lambda: [b[0].shape[0] for b in run_batches(data.make_input(toy_config, ds, "test"), 3)])
    assert sizes == [16, 16, 8]  # n_test = 40


def test_centre_crop_and_resize_match_pil(toy_config):
    ds = data.load_dataset(toy_config)
    cfg = toy_config.replace(image_size=64, d_repeat_num=4)
    _, images, _ = data.preview(cfg, ds, n=4)
    for path, got in zip(ds.paths("test")[:4], images):
        pil = Image.open(path).convert("RGB").crop((0, 20, 178, 198)).resize((64, 64), Image.BILINEAR)
        want = np.asarray(pil, np.float32) / 127.5 - 1
        assert np.abs(got - want).mean() < 0.02


def write_images(tmp_path):
    """An asymmetric picture saved in the formats people have: JPEG, grey JPEG, RGBA PNG, PNG named .jpg."""
    pic = np.zeros((218, 178, 3), np.uint8)
    pic[:, :89] = (250, 10, 10)   # left red
    pic[:, 89:] = (10, 10, 250)   # right blue
    paths = []
    Image.fromarray(pic).save(tmp_path / "rgb.jpg", quality=95)
    Image.fromarray(pic).convert("L").save(tmp_path / "grey.jpg", quality=95)
    rgba = np.concatenate([pic, np.full((218, 178, 1), 128, np.uint8)], axis=2)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    Image.fromarray(pic).save(tmp_path / "png_named.jpg", format="PNG")
    Image.fromarray(pic[:100, :90]).save(tmp_path / "small.png")  # smaller than the 178 crop
    for name in ["rgb.jpg", "grey.jpg", "alpha.png", "png_named.jpg", "small.png"]:
        paths.append(str(tmp_path / name))
    return paths


def test_formats_are_decoded_to_rgb_at_the_model_size(tmp_path):
    paths = write_images(tmp_path)
    labels = np.zeros((len(paths), 2), np.float32)
    images, _ = in_graph(lambda: run_batches(make_dataset(paths, labels, 32, 178, 8, training=False), 1)[0])
    assert images.shape == (5, 32, 32, 3)
    rgb, grey, alpha, png, small = images
    assert rgb[:, :8, 0].mean() > 0.8 and rgb[:, -8:, 2].mean() > 0.8          # red left, blue right
    assert np.allclose(grey[..., 0], grey[..., 1], atol=1e-6)                    # grey stays grey, 3 channels
    assert np.abs(alpha - png).max() < 1e-6                                      # alpha dropped, not blended
    assert small[:, :8, 0].mean() > 0.8                                          # small image: largest centred square


def test_flip_only_in_training(tmp_path):
    path = write_images(tmp_path)[0]
    labels = np.zeros((1, 1), np.float32)

    def left_is_red(training):
        ds = make_dataset([path], labels, 16, 178, 1, training=training, seed=3)
        if not training:
            ds = ds.repeat()
        return [b[0][0, :, :4, 0].mean() > 0.5 for b in run_batches(ds, 40)]
    train = in_graph(lambda: left_is_red(True))
    test = in_graph(lambda: left_is_red(False))
    assert all(test)
    assert 5 < sum(train) < 35  # both orientations, roughly half each


def test_training_order_is_reshuffled_every_epoch(tmp_path):
    paths = write_images(tmp_path)[:4]
    labels = np.arange(4, dtype=np.float32)[:, None]

    def orders():
        return [tuple(b[1][:, 0]) for b in run_batches(make_dataset(paths, labels, 16, 178, 4, True, seed=1), 6)]
    epochs = in_graph(orders)
    assert all(sorted(e) == [0, 1, 2, 3] for e in epochs)  # every image once per epoch
    assert len(set(epochs)) > 1


def test_missing_images_are_reported_up_front(toy_root, tmp_path):
    names = ["000001.jpg", "nope1.jpg", "000002.jpg", "nope2.jpg"]
    with pytest.raises(DataFormatError, match=r"2 of 4 images listed in attrs.txt are missing from .* \(first: nope1.jpg, nope2.jpg\)"):
        check_images_exist(str(toy_root / "images"), names, "attrs.txt")
    with pytest.raises(DataFormatError, match="is not a folder"):
        check_images_exist(str(tmp_path / "no_such_dir"), names, "attrs.txt")


def test_empty_split_is_refused():
    with pytest.raises(DataFormatError, match="the test split is empty"):
        make_dataset([], np.zeros((0, 5), np.float32), 32, 178, 4, training=False)

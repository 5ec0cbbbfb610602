"""Toy faces in CelebA's exact file format (their pixel oracle is `toy_oracle`).

Why: the workbook must run end to end on a laptop with nothing to download, and we need
a judge of whether a translation really changed an attribute. The five default attributes
are drawn so a person sees them and the oracle can read them at 32 px:

- hair colour (black, blond, brown; some older faces are grey) in a cap over the head;
- Male: short hair and a beard (some with a moustache too); not Male: long hair down both sides;
- Young: a smooth forehead; not Young: three dark wrinkle lines across it.

Geometry is in units of CelebA's 178 x 178 centre crop (the pipeline's crop), so the
oracle's regions hold for any output size. Position and scale jitter are kept small
enough that each oracle region lies inside the same feature for every face.
"""
import os
import re

import numpy as np
from PIL import Image

from ..runtime.atomic import write_text_atomic

CELEBA_ATTRS = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose "
    "Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee "
    "Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard "
    "Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair "
    "Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()

# CelebA's positive rates, used for the attributes the toy faces do not draw.
CELEBA_FREQUENCIES = dict(zip(CELEBA_ATTRS, [
    0.111, 0.267, 0.513, 0.205, 0.022, 0.152, 0.241, 0.235, 0.239, 0.148, 0.051, 0.205, 0.142,
    0.058, 0.047, 0.065, 0.063, 0.042, 0.387, 0.455, 0.417, 0.483, 0.042, 0.115, 0.835, 0.284,
    0.043, 0.277, 0.080, 0.066, 0.057, 0.482, 0.208, 0.320, 0.189, 0.048, 0.472, 0.123, 0.073,
    0.774]))

TOY_MARKER = "TOY_FACES.txt"

WIDTH, HEIGHT, CROP = 178, 218, 178
CROP_TOP = (HEIGHT - CROP) // 2  # 20, as a centre crop of 178 takes it

HAIR_RGB = {
    "black": (24, 22, 22),
    "brown": (125, 75, 40),
    "blond": (228, 196, 120),
    "gray": (170, 170, 168),
}
SKIN_LIGHT, SKIN_DARK, SKIN_PALE = (240, 205, 180), (120, 80, 58), (250, 228, 214)
STUDIO_RGB = (208, 208, 212)  # the toy expressions' plain backdrop: a light grey no hair or skin colour is near

# --------------------------------------------------------------------------- sampling
def sample_attributes(rng: np.random.RandomState) -> dict:
    """One face's 40 CelebA attributes (bool), with the drawn ones kept consistent."""
    a = {name: bool(rng.rand() < p) for name, p in CELEBA_FREQUENCIES.items()}
    male = bool(rng.rand() < 0.417)
    young = bool(rng.rand() < (0.66 if male else 0.85))
    if not young and rng.rand() < 0.2:
        hair = "gray"
    else:
        probs = (0.45, 0.08, 0.47) if male else (0.30, 0.30, 0.40)
        hair = ("black", "blond", "brown")[rng.choice(3, p=probs)]
    a.update(Male=male, Young=young, Black_Hair=hair == "black", Blond_Hair=hair == "blond",
             Brown_Hair=hair == "brown", Gray_Hair=hair == "gray", Bald=False, Wearing_Hat=False,
             Eyeglasses=False)
    if male:
        # Every toy man has a beard on the chin (the oracle's Male cue); some a moustache as well.
        a.update(No_Beard=False, Goatee=True, Mustache=bool(rng.rand() < 0.4),
                 Wearing_Lipstick=False, Heavy_Makeup=False, Wearing_Earrings=rng.rand() < 0.03)
    else:
        a.update(No_Beard=True, Goatee=False, Mustache=False, Sideburns=False,
                 **{"5_o_Clock_Shadow": False}, Wearing_Lipstick=rng.rand() < 0.75,
                 Wearing_Necktie=False)
    a["_hair"] = hair
    return a


# --------------------------------------------------------------------------- drawing
class _Canvas:
    """Float RGB image with soft-edged (anti-aliased) shapes in crop units."""

    def __init__(self):
        self.img = np.zeros((HEIGHT, WIDTH, 3), np.float32)
        ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
        self.u = (xs + 0.5) / CROP
        self.v = (ys + 0.5 - CROP_TOP) / CROP
        self.px = 1.0 / CROP

    def paint(self, mask, rgb, alpha=1.0):
        m = (mask * alpha)[..., None]
        self.img = self.img * (1 - m) + np.asarray(rgb, np.float32) * m

    def ellipse(self, cu, cv, ru, rv):
        r = np.sqrt(((self.u - cu) / ru) ** 2 + ((self.v - cv) / rv) ** 2)
        return np.clip((1 - r) * min(ru, rv) / self.px + 0.5, 0, 1)

    def band(self, lo, hi, coord):
        """1 where lo <= coord <= hi, soft at the edges."""
        return np.clip(np.minimum(coord - lo, hi - coord) / self.px + 0.5, 0, 1)


def _jitter(rgb, rng, amount):
    return np.clip(np.asarray(rgb, np.float32) + rng.uniform(-amount, amount, 3), 0, 255)


def _background(canvas, rng):
    # Cool hues only (cyan, blue, violet, green): never confused with skin or hair.
    hue = rng.uniform(0.28, 0.80)
    sat, val = rng.uniform(0.4, 0.7), rng.uniform(0.5, 0.95)
    hue2 = (hue + rng.uniform(-0.05, 0.05))
    c1 = _hsv(hue, sat, val)
    c2 = _hsv(hue2, np.clip(sat + rng.uniform(-0.1, 0.1), 0.4, 0.75), np.clip(val + rng.uniform(-0.2, 0.2), 0.45, 1))
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * canvas.u + np.sin(angle) * canvas.v)
    t = (t - t.min()) / (t.max() - t.min() + 1e-6)
    canvas.img = (c1 * (1 - t[..., None]) + c2 * t[..., None]).astype(np.float32)


def _hsv(h, s, v):
    import colorsys
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), np.float32) * 255


def render_face(attrs: dict, rng: np.random.RandomState, expression=None, studio=True) -> np.ndarray:
    """A 218 x 178 uint8 RGB face drawn from its attributes.

    expression(canvas, face, rng), where given, draws the brows, eyes and mouth in place of the default
    ones, on a plain studio background (`toy_expressions`), or with studio=False on the CelebA face's own
    backdrop: what the paper's Figure 1 asks a joint model to draw. The person (position, colours, hair,
    beard) is drawn from the same random draws either way, so one seed gives one person in both datasets.
    """
    c = _Canvas()
    _background(c, rng)
    if expression is not None and studio:
        c.img[:] = STUDIO_RGB  # after the backdrop's draws, so the person's draws are the same as in CelebA's
    cu, cv, s = 0.5 + rng.uniform(-0.015, 0.015), 0.56 + rng.uniform(-0.015, 0.015), rng.uniform(0.96, 1.04)
    hair = _jitter(HAIR_RGB[attrs["_hair"]], rng, 8) * rng.uniform(0.92, 1.08)
    if attrs["Pale_Skin"]:
        skin = _jitter(SKIN_PALE, rng, 5)
    else:
        t = rng.beta(1.2, 1.8)
        skin = _jitter(np.array(SKIN_LIGHT) * (1 - t) + np.array(SKIN_DARK) * t, rng, 6)
    male = attrs["Male"]

    # Clothes and neck.
    clothes = _jitter(rng.uniform(30, 220, 3), rng, 0)
    c.paint(c.ellipse(cu, cv + 0.62 * s, 0.46 * s, 0.26 * s), clothes)
    c.paint(c.band(cu - 0.09 * s, cu + 0.09 * s, c.u) * (c.v > cv), skin * 0.9)
    # Long hair falls behind the head down both sides.
    if not male:
        back = np.maximum(c.ellipse(cu, cv - 0.05 * s, 0.37 * s, 0.37 * s),
                          c.band(cu - 0.37 * s, cu + 0.37 * s, c.u) * c.band(cv - 0.05 * s, cv + 0.30 * s, c.v))
        c.paint(back, hair * 0.96)
    else:
        c.paint(c.ellipse(cu, cv - 0.12 * s, 0.26 * s, 0.30 * s), hair)
    # Face.
    c.paint(c.ellipse(cu, cv, 0.24 * s, 0.31 * s), skin)
    hairline = cv - 0.22 * s
    brow = cv - 0.10 * s
    # Hair cap over the top of the head, down to the hairline.
    cap = c.ellipse(cu, cv - 0.12 * s, 0.27 * s, 0.30 * s) * c.band(-1, hairline, c.v)
    c.paint(cap, hair)
    # Forehead wrinkles: the visible sign of not Young.
    if not attrs["Young"]:
        width = 0.13 * s
        for k in (0.28, 0.5, 0.72):
            y = hairline + k * (brow - hairline)
            curve = y + 0.012 * ((c.u - cu) / width) ** 2
            line = c.band(curve - 0.011 * s, curve + 0.011 * s, c.v) * c.band(cu - width, cu + width, c.u)
            c.paint(line, skin * 0.5)
    brow_rgb = np.minimum(hair, 90) if attrs["_hair"] != "gray" else hair * 0.8
    mouth_v = cv + 0.15 * s
    if expression is not None:
        c.paint(c.ellipse(cu, cv + 0.05 * s, 0.025 * s, 0.035 * s), skin * 0.85)
        if male:
            _beard(c, attrs, hair, cu, cv, s, mouth_v)
        expression(c, dict(cu=cu, cv=cv, s=s, skin=skin, brow_rgb=brow_rgb, mouth_v=mouth_v), rng)
        return _light(c, rng)
    # Eyebrows, eyes, nose.
    for side in (-1, 1):
        ex = cu + side * 0.095 * s
        c.paint(c.ellipse(ex, brow - 0.005 * s, 0.05 * s, 0.012 * s), brow_rgb)
        c.paint(c.ellipse(ex, cv - 0.045 * s, 0.045 * s, 0.022 * s), (245, 245, 240))
        c.paint(c.ellipse(ex, cv - 0.045 * s, 0.018 * s, 0.018 * s), _jitter((60, 45, 35), rng, 20))
    c.paint(c.ellipse(cu, cv + 0.05 * s, 0.025 * s, 0.035 * s), skin * 0.85)
    if male:
        _beard(c, attrs, hair, cu, cv, s, mouth_v)
    # Mouth: a smile curves up at the corners; lipstick is red.
    lip = _jitter((190, 40, 60), rng, 15) if attrs["Wearing_Lipstick"] else skin * 0.6
    bend = 0.025 * s if attrs["Smiling"] else 0.0
    mouth_curve = mouth_v - bend * ((c.u - cu) / (0.07 * s)) ** 2 + bend
    c.paint(c.band(mouth_curve - 0.012 * s, mouth_curve + 0.012 * s, c.v) *
            c.band(cu - 0.07 * s, cu + 0.07 * s, c.u), lip)

    return _light(c, rng)


def _beard(c, attrs, hair, cu, cv, s, mouth_v):
    """Beard on the jaw and chin, and a moustache on some (Male)."""
    beard_rgb = hair * 0.8
    if attrs["Goatee"]:
        jaw = c.ellipse(cu, cv, 0.24 * s, 0.31 * s) * c.band(cv + 0.09 * s, 2, c.v)
        c.paint(jaw, beard_rgb)
    if attrs["Mustache"]:
        c.paint(c.ellipse(cu, mouth_v - 0.035 * s, 0.08 * s, 0.02 * s), beard_rgb)


def _light(c, rng):
    """Lighting: overall level and a left-right gradient, then sensor noise."""
    light = rng.uniform(0.88, 1.12) * (1 + rng.uniform(-0.06, 0.06) * (c.u - 0.5) * 2)
    img = c.img * light[..., None] + rng.normal(0, rng.uniform(2, 6), c.img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- dataset
def _write_one(job):
    """Draw and save image i; each image has its own seed, so workers need not share a stream."""
    seed, i, image_dir = job
    rng = np.random.RandomState([seed, i])
    attrs = sample_attributes(rng)
    name = "{:06d}.jpg".format(i)
    Image.fromarray(render_face(attrs, rng)).save(os.path.join(image_dir, name), quality=92)
    return "{} {}".format(name, " ".join("{:>2}".format(1 if attrs[n] else -1) for n in CELEBA_ATTRS))


def make_toy_celeba(root, num_images=5000, seed=0, progress=True, workers=None):
    """Write `root/images/000001.jpg ...` and `root/list_attr_celeba.txt` exactly as CelebA lays them out.

    The same (num_images, seed) always gives the same files. The attribute file is
    written last (atomically), so a half-finished run is never mistaken for a dataset.
    Returns the path of the attribute file.
    """
    if isinstance(num_images, bool) or int(num_images) != num_images or num_images < 1:
        raise ValueError("num_images must be a positive whole number, got {!r}".format(num_images))
    num_images = int(num_images)
    root = os.fspath(root)
    image_dir = os.path.join(root, "images")
    os.makedirs(image_dir, exist_ok=True)
    jobs = [(int(seed), i, image_dir) for i in range(1, num_images + 1)]
    workers = workers or min(os.cpu_count() or 1, 8)
    bar = None
    if progress:
        from ..runtime.progress import progress
        bar = progress(total=num_images, desc="toy faces", unit="img")
    rows = []
    import multiprocessing
    if workers > 1 and num_images >= 200 and "fork" in multiprocessing.get_all_start_methods():
        # fork: workers only use numpy and PIL, so a parent with TensorFlow threads is harmless,
        # and scripts need no __main__ guard (spawn would demand one).
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for row in pool.imap(_write_one, jobs, chunksize=32):
                rows.append(row)
                if bar is not None:
                    bar.update()
    else:
        for job in jobs:
            rows.append(_write_one(job))
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    text = "{}\n{}\n{}\n".format(num_images, " ".join(CELEBA_ATTRS), "\n".join(rows))
    write_text_atomic(os.path.join(root, TOY_MARKER),
                      "Generated by stargan_nb.data.make_toy_celeba(num_images={}, seed={}).\n".format(num_images, seed))
    meta = os.path.join(root, "list_attr_celeba.txt")
    write_text_atomic(meta, text)
    return meta


def is_toy_dataset(root):
    """True for a folder written by make_toy_celeba (whose attributes the oracle can read)."""
    return os.path.isfile(os.path.join(os.fspath(root), TOY_MARKER))


def toy_seed(root):
    """The seed make_toy_celeba wrote a toy dataset with, read back from the marker it writes (above)."""
    marker = os.path.join(os.fspath(root), TOY_MARKER)
    try:
        with open(marker) as f:
            found = re.search(r"seed=(-?\d+)", f.read())
    except FileNotFoundError:
        found = None
    if not found:
        raise ValueError("{} is not a toy face dataset (no {} naming its seed); only the toy faces can be drawn "
                         "again with an expression".format(root, TOY_MARKER))
    return int(found.group(1))


def ensure_toy_celeba(root, num_images=5000, seed=0, progress=True):
    """Generate the toy dataset unless one is already there (whatever its size: nothing is overwritten).

    A folder holding an attribute file that make_toy_celeba did not write is refused, so a real
    dataset is never replaced by toy faces.
    """
    meta = os.path.join(os.fspath(root), "list_attr_celeba.txt")
    if os.path.exists(meta):
        if is_toy_dataset(root):
            return meta
        raise FileExistsError(
            "{} holds an attribute file that the toy generator did not write; use preset 'celeba' (or your "
            "own image_root / metadata_path) for it, or point the toy dataset at another folder".format(root))
    return make_toy_celeba(root, num_images, seed, progress)

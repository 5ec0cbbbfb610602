"""The toy faces' pixel oracle: reads the five drawn attributes back from fixed regions.

Why: a translation can only be judged on toy faces if something other than the model reads the
result. The regions are in units of CelebA's 178 x 178 centre crop (the pipeline's crop), so they
hold for any output size; `toy_faces` keeps its position and scale jitter small enough that each
region lies inside the same feature for every face.
"""
import numpy as np

from ..config import DEFAULT_ATTRS

ORACLE_ATTRS = tuple(DEFAULT_ATTRS)  # the toy faces draw exactly the reference's five attributes

# Oracle regions, (v0, v1, u0, u1) in crop units: rows v, columns u.
HAIR_REGION = (0.19, 0.30, 0.40, 0.60)
FOREHEAD_REGION = (0.37, 0.44, 0.42, 0.58)
# The beard is read on the chin (between a smiling mouth and the jaw line) and on both sides of
# the mouth: three and a half times the area of the chin alone, so a generator's colour noise
# averages out instead of reading as a beard (measured: on toy faces at 32 px with pixel noise of
# sigma 0.1, the chin alone read 50% of women as men, these three regions 23%).
BEARD_REGIONS = ((0.78, 0.815, 0.43, 0.57), (0.675, 0.74, 0.355, 0.40), (0.675, 0.74, 0.60, 0.645))
CHEEK_REGIONS = ((0.56, 0.625, 0.29, 0.35), (0.56, 0.625, 0.65, 0.71))

# Identity: what no attribute changes. The four corners are background for every face (long hair and
# clothes stop short of them); the cheeks are skin for every face (the beard starts below them).
CORNER = 0.1
BACKGROUND_REGIONS = ((0, CORNER, 0, CORNER), (0, CORNER, 1 - CORNER, 1),
                      (1 - CORNER, 1, 0, CORNER), (1 - CORNER, 1, 1 - CORNER, 1))
IDENTITY_REGIONS = {"background": BACKGROUND_REGIONS, "skin": CHEEK_REGIONS}

# What the oracle looks at, by name: hair colour in the cap, Young on the forehead (against the
# cheeks), Male in the beard area (against the cheeks).
ORACLE_REGIONS = {"hair": (HAIR_REGION,), "forehead": (FOREHEAD_REGION,), "cheeks": CHEEK_REGIONS,
                  "beard": BEARD_REGIONS}


def _to_unit_rgb(images):
    """Accept the pipeline's [-1, 1] floats or uint8; return float 0..255, NHWC."""
    x = np.asarray(images)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[-1] != 3:
        raise ValueError("oracle expects images shaped (N, H, W, 3), got {}".format(x.shape))
    if x.dtype == np.uint8:
        return x.astype(np.float32)
    return (np.clip(x, -1, 1).astype(np.float32) + 1) * 127.5


def _region_mean(x, region):
    """Exact area mean over a region given in crop units, for any image size."""
    n, h, w, _ = x.shape
    v0, v1, u0, u1 = region
    wy = _coverage(v0, v1, h)
    wx = _coverage(u0, u1, w)
    weights = wy[:, None] * wx[None, :]
    return np.einsum("nhwc,hw->nc", x, weights) / weights.sum()


def _coverage(a, b, n):
    edges = np.arange(n + 1) / n
    return np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None)


def colour_moves(before, after) -> dict:
    """How far a translation moved the colours no attribute owns: {"background", "skin"}, each (N,).

    Per image and region, the mean colour before and after; the move is the mean absolute difference
    over RGB, averaged over the regions of a kind, in levels 0..255. A generator that keeps the person
    moves them by its noise only (a few levels); one that recolours the scene, by tens.
    """
    x, y = _to_unit_rgb(before), _to_unit_rgb(after)
    if x.shape != y.shape:
        raise ValueError("colour_moves compares images of one shape, got {} and {}".format(x.shape, y.shape))
    return {name: np.mean([np.abs(_region_mean(x, r) - _region_mean(y, r)).mean(axis=1) for r in boxes], axis=0)
            for name, boxes in IDENTITY_REGIONS.items()}


BEARD_THRESHOLD = 0.15  # women <= 0.05, men >= 0.34 on fresh images (3,000 at 32, 64 and 128 px)


def oracle_features(images) -> dict:
    x = _to_unit_rgb(images)
    # ORACLE_REGIONS is also what notebook 01 draws, so the picture cannot drift from the reading.
    mean = {name: np.mean([_region_mean(x, r) for r in boxes], axis=0) for name, boxes in ORACLE_REGIONS.items()}
    hair, forehead, cheek, beard = mean["hair"], mean["forehead"], mean["cheeks"], mean["beard"]
    def lum(c):
        return c.mean(axis=1) + 1.0

    def tint(c):
        # Colour differences relative to brightness, steadied so near-black hair is not all noise.
        return (c - c.mean(axis=1, keepdims=True)) / (lum(c)[:, None] + 40.0)

    return {
        "hair_lum": lum(hair),
        "hair_warmth": (hair[:, 0] - hair[:, 2]) / lum(hair),
        "forehead_vs_cheek": lum(forehead) / lum(cheek),
        # A beard makes the lower face look unlike the cheeks (darker, or another tint).
        "beard_vs_cheek": np.abs(np.log((lum(beard) + 10) / (lum(cheek) + 10)))
        + 2 * np.abs(tint(beard) - tint(cheek)).sum(axis=1),
    }


def toy_oracle(images, selected_attrs=ORACLE_ATTRS) -> np.ndarray:
    """Read the toy attributes back from pixels: (N, len(selected_attrs)) of 0/1 floats.

    Takes images at any size, as the pipeline makes them ([-1, 1] floats) or uint8 crops.
    """
    unknown = [a for a in selected_attrs if a not in ORACLE_ATTRS]
    if unknown:
        raise ValueError("the toy oracle reads only {}; it cannot read {}".format(
            ", ".join(ORACLE_ATTRS), ", ".join(unknown)))
    f = oracle_features(images)
    black = f["hair_lum"] < 48
    gray = ~black & (f["hair_warmth"] < 0.25)
    brown = ~black & ~gray & (f["hair_lum"] < 130)
    blond = ~black & ~gray & ~brown
    male = f["beard_vs_cheek"] > BEARD_THRESHOLD
    young = f["forehead_vs_cheek"] > 0.81
    readings = {"Black_Hair": black, "Blond_Hair": blond, "Brown_Hair": brown, "Male": male, "Young": young}
    return np.stack([readings[a] for a in selected_attrs], axis=1).astype(np.float32)

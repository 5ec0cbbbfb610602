"""The toy expressions' judge: reads which of the eight expressions a face shows, from pixels.

Why: like `toy_oracle` for the CelebA attributes, something other than the model must say whether a
translation to "happy" made the face happy. It looks where the expressions differ (`toy_expressions`):
a grid of cells over the mouth, the brows and the eyes, each cell's brightness taken relative to the
cheeks (so skin tone and lighting drop out), and names the expression of the closest of a fixed set
of reference drawings: REFERENCE_PEOPLE people the datasets never use, drawn with each expression. The cells are in
crop units, so any image size reads the same.
"""
import functools

import numpy as np

from .toy_expressions import EXPRESSIONS, render_expression
from .toy_faces import CROP, CROP_TOP
from .toy_oracle import CHEEK_REGIONS, _region_mean, _to_unit_rgb

REFERENCE_SEED, REFERENCE_PEOPLE = 1000003, 80


def _grid(v0, v1, u0, u1, rows, cols):
    vs, us = np.linspace(v0, v1, rows + 1), np.linspace(u0, u1, cols + 1)
    return [(vs[i], vs[i + 1], us[j], us[j + 1]) for i in range(rows) for j in range(cols)]


# (v0, v1, u0, u1) boxes in crop units (as toy_oracle's regions: a tuple of boxes per name), each cut into
# (rows, columns) cells about a pixel tall at 32 px.
EXPRESSION_REGIONS = {
    "mouth": ((0.63, 0.81, 0.39, 0.61),),
    "brows": ((0.38, 0.50, 0.32, 0.43), (0.38, 0.50, 0.57, 0.68)),
    "eyes": ((0.47, 0.56, 0.34, 0.47), (0.47, 0.56, 0.53, 0.66)),
}
_CUTS = {"mouth": (6, 5), "brows": (4, 3), "eyes": (3, 3)}
CELLS = [cell for name, boxes in EXPRESSION_REGIONS.items() for box in boxes for cell in _grid(*box, *_CUTS[name])]


def expression_features(images) -> np.ndarray:
    """(N, cells): each cell's mean brightness minus the cheeks', over the cheeks' brightness + 40."""
    x = _to_unit_rgb(images)
    cheek = np.mean([_region_mean(x, r) for r in CHEEK_REGIONS], axis=0).mean(axis=1)
    cells = np.stack([_region_mean(x, r).mean(axis=1) for r in CELLS], axis=1)
    return (cells - cheek[:, None]) / (cheek[:, None] + 40.0)


@functools.lru_cache(maxsize=1)
def _references():
    """The reference drawings' features and expressions (drawn once per process, about 5 s)."""
    crops, kinds = [], []
    for person in range(1, REFERENCE_PEOPLE + 1):
        for k, name in enumerate(EXPRESSIONS):
            crops.append(render_expression(person, name, REFERENCE_SEED)[CROP_TOP:CROP_TOP + CROP])
            kinds.append(k)
    return expression_features(np.stack(crops)), np.array(kinds)


def read_expressions(images) -> np.ndarray:
    """(N,) index into EXPRESSIONS of the expression each face shows."""
    features = expression_features(images)
    refs, kinds = _references()
    out = np.empty(len(features), np.int64)
    for start in range(0, len(features), 256):  # (256, references, cells) at most at a time
        f = features[start:start + 256]
        d = ((f[:, None, :] - refs[None]) ** 2).sum(axis=2)
        out[start:start + 256] = kinds[d.argmin(axis=1)]
    return out


def expression_oracle(images, domains=EXPRESSIONS) -> np.ndarray:
    """(N, len(domains)) one-hot of 0/1 floats, like toy_oracle's readings; a face whose expression is
    not among `domains` reads as all zeros."""
    unknown = [d for d in domains if d not in EXPRESSIONS]
    if unknown:
        raise ValueError("the expression oracle reads only {}; it cannot read {}".format(
            ", ".join(EXPRESSIONS), ", ".join(unknown)))
    found = np.asarray(EXPRESSIONS)[read_expressions(images)]
    return (found[:, None] == np.asarray(domains)[None, :]).astype(np.float32)

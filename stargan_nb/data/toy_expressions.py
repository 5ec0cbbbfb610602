"""Toy expressions: the toy faces' people with RaFD's eight expressions, one folder per expression.

Why: folder-per-domain training and the paper's joint CelebA + RaFD training need a second dataset
with other labels that a CPU can learn and a judge can read (`expression_oracle`). Person i of
`make_toy_rafd(seed=k)` is image i of `make_toy_celeba(seed=k)`: the same hair, skin, beard and
clothes, photographed in a studio (a plain backdrop) with each expression. Each expression is a
combination of three large parts, drawn big enough to read at 32 px and each the same in a mirror (training
flips images left-right, so a one-sided smirk would be learnt as both sides at once, a straight line):

    expression     brows      eyes     mouth
    angry          lowered    squint   clenched teeth
    contemptuous   raised     squint   closed line
    disgusted      lowered    squint   corners down
    fearful        worried    wide     wide open
    happy          level      open     smile
    neutral        level      open     closed line
    sad            worried    open     corners down
    surprised      raised     wide     round open
"""
import os

import numpy as np
from PIL import Image

from ..runtime.atomic import write_text_atomic
from .toy_faces import CROP, CROP_TOP, render_face, sample_attributes, toy_seed

# RaFD's expressions, sorted as its folders are (so they are also the domains' order).
EXPRESSIONS = ("angry", "contemptuous", "disgusted", "fearful", "happy", "neutral", "sad", "surprised")
PARTS = {
    "angry": ("lowered", "squint", "teeth"),
    "contemptuous": ("raised", "squint", "line"),
    "disgusted": ("lowered", "squint", "down"),
    "fearful": ("worried", "wide", "scream"),
    "happy": ("level", "open", "smile"),
    "neutral": ("level", "open", "line"),
    "sad": ("worried", "open", "down"),
    "surprised": ("raised", "wide", "round"),
}
MOUTH_RGB, TEETH_RGB, SCLERA_RGB = (105, 22, 34), (250, 250, 244), (248, 248, 244)
# Brows and eyelids in one near-black for everyone, so they stand out on every skin (a blond's brows would not).
LINE_RGB = (34, 28, 26)
TOY_RAFD_MARKER = "TOY_EXPRESSIONS.txt"
# The parts keep out of the regions the CelebA oracle reads (toy_oracle): brows outside the forehead's columns
# (u 0.42-0.58), so a raised brow is not read as a wrinkle; the mouth inside the beard sides (u 0.40-0.60).
BROW_CENTRE, BROW_HALF_LENGTH, BROW_HALF_WIDTH = 0.115, 0.04, 0.017
MOUTH_HALF_WIDTH = 0.08


def _segment(c, u0, v0, u1, v1, half_width):
    """A soft band of half_width around the segment (u0, v0)-(u1, v1)."""
    du, dv = u1 - u0, v1 - v0
    length2 = du * du + dv * dv
    t = np.clip(((c.u - u0) * du + (c.v - v0) * dv) / length2, 0, 1)
    dist = np.hypot(c.u - (u0 + t * du), c.v - (v0 + t * dv))
    return np.clip((half_width - dist) / c.px + 0.5, 0, 1)


def _curve(c, cu, v_of_x, half_width, s):
    """A soft band of half_width around v = v_of_x(x), x = (u - cu) / mouth half-width in [-1, 1]."""
    x = (c.u - cu) / (MOUTH_HALF_WIDTH * s)
    v = v_of_x(np.clip(x, -1, 1))
    return c.band(v - half_width * s, v + half_width * s, c.v) * c.band(-1, 1, x)


def draw_brows(c, face, kind):
    cu, s, brow = face["cu"], face["s"], face["cv"] - 0.10 * face["s"]
    # (inner end, outer end) heights relative to the level brow; up is negative v.
    inner, outer = {"level": (0, 0), "raised": (-0.05, -0.05), "lowered": (0.03, -0.025),
                    "worried": (-0.045, 0.01)}[kind]
    for side in (-1, 1):
        ex = cu + side * BROW_CENTRE * s
        ui, uo = ex - side * BROW_HALF_LENGTH * s, ex + side * BROW_HALF_LENGTH * s
        c.paint(_segment(c, ui, brow + inner * s, uo, brow + outer * s, BROW_HALF_WIDTH * s), LINE_RGB)


def draw_eyes(c, face, kind, rng):
    cu, s, ey = face["cu"], face["s"], face["cv"] - 0.045 * face["s"]
    for side in (-1, 1):
        ex = cu + side * 0.095 * s
        if kind == "squint":
            c.paint(c.ellipse(ex, ey, 0.055 * s, 0.013 * s), LINE_RGB)
            continue
        rv = 0.045 if kind == "wide" else 0.024
        c.paint(c.ellipse(ex, ey, 0.062 * s, (rv + 0.01) * s), LINE_RGB)  # the lids' outline
        c.paint(c.ellipse(ex, ey, 0.052 * s, rv * s), SCLERA_RGB)
        c.paint(c.ellipse(ex, ey, 0.02 * s, 0.02 * s), np.clip(np.array((60, 45, 35)) + rng.uniform(-20, 20, 3), 0, 255))


def draw_mouth(c, face, kind):
    cu, s, mv = face["cu"], face["s"], face["mouth_v"]
    # Shaved around the mouth: a beard would hide the mouth's shape at 32 px. The patch lies between the
    # regions the CelebA oracle reads Male from (the chin and both sides of the mouth), so Male still reads.
    c.paint(c.ellipse(cu, mv + 0.005 * s, 0.1 * s, 0.07 * s), face["skin"])
    if kind == "line":
        c.paint(_curve(c, cu, lambda x: mv + 0 * x, 0.022, s), MOUTH_RGB)
    elif kind == "smile":  # a U: corners well above the middle
        c.paint(_curve(c, cu, lambda x: mv + 0.08 * s * (1 - x * x) - 0.035 * s, 0.024, s), MOUTH_RGB)
    elif kind == "down":   # an arch: corners well below the middle
        c.paint(_curve(c, cu, lambda x: mv - 0.08 * s * (1 - x * x) + 0.045 * s, 0.024, s), MOUTH_RGB)
    elif kind == "teeth":  # clenched: a wide white bar in a dark frame
        box = c.band(cu - 0.085 * s, cu + 0.085 * s, c.u)
        c.paint(box * c.band(mv - 0.05 * s, mv + 0.05 * s, c.v), MOUTH_RGB)
        c.paint(c.band(cu - 0.07 * s, cu + 0.07 * s, c.u) * c.band(mv - 0.035 * s, mv + 0.035 * s, c.v), TEETH_RGB)
    elif kind == "scream":  # wide open: a dark oval, wider than the round O and dark where a smile is not
        c.paint(c.ellipse(cu, mv + 0.005 * s, 0.085 * s, 0.055 * s), MOUTH_RGB)
    elif kind == "round":  # a tall O
        c.paint(c.ellipse(cu, mv + 0.005 * s, 0.05 * s, 0.065 * s), MOUTH_RGB)
    else:
        raise ValueError("unknown mouth {!r}".format(kind))


def expression_drawer(name):
    """The render_face hook that draws expression `name`."""
    if name not in PARTS:
        raise ValueError("unknown expression {!r}; the toy expressions are {}".format(name, ", ".join(EXPRESSIONS)))
    brows, eyes, mouth = PARTS[name]

    def draw(c, face, rng):
        draw_brows(c, face, brows)
        draw_eyes(c, face, eyes, rng)
        draw_mouth(c, face, mouth)
    return draw


def render_expression(person: int, expression: str, seed: int = 0, studio: bool = True) -> np.ndarray:
    """Person `person` (image `person` of make_toy_celeba(seed=seed)) with an expression, on the studio backdrop
    (studio=False: on the CelebA image's own backdrop, the ideal answer of a joint model, which no dataset holds)."""
    rng = np.random.RandomState([int(seed), int(person)])
    return render_face(sample_attributes(rng), rng, expression_drawer(expression), studio)


def ideal_translations(image_paths, size, expressions=EXPRESSIONS):
    """Figure 1's right answer for toy CelebA images: (len(image_paths), len(expressions), size, size, 3) uint8,
    each face drawn again with each expression on its own backdrop, centre-cropped as the pipeline crops.

    Why: a learner judging a joint run's grid needs to see what a perfect translation would look like, and no
    dataset holds one. The person is read from the file name (image i of make_toy_celeba) and the seed from the
    folder's marker file, so this works only on the toy faces."""
    seeds, out = {}, []  # one marker read per dataset folder, not per image
    for path in image_paths:
        path = os.fspath(path)
        root = os.path.dirname(os.path.dirname(path))
        if root not in seeds:
            seeds[root] = toy_seed(root)
        seed = seeds[root]
        person = int(os.path.splitext(os.path.basename(path))[0])
        row = []
        for name in expressions:
            crop = Image.fromarray(render_expression(person, name, seed, studio=False)[CROP_TOP:CROP_TOP + CROP])
            row.append(np.asarray(crop.resize((size, size), Image.BILINEAR)))
        out.append(row)
    return np.asarray(out, np.uint8)


def _write_person(job):
    seed, person, root = job
    name = "{:06d}.jpg".format(person)
    for expression in EXPRESSIONS:
        Image.fromarray(render_expression(person, expression, seed)).save(
            os.path.join(root, expression, name), quality=92)
    return person


def make_toy_rafd(root, num_people=250, seed=0, progress=True, workers=None):
    """Write `root/<expression>/<person>.jpg` for 8 expressions x num_people; returns root.

    The same (num_people, seed) always gives the same files; the marker file is written last, so a
    half-finished run is never mistaken for a dataset.
    """
    if isinstance(num_people, bool) or int(num_people) != num_people or num_people < 1:
        raise ValueError("num_people must be a positive whole number, got {!r}".format(num_people))
    root = os.fspath(root)
    for expression in EXPRESSIONS:
        os.makedirs(os.path.join(root, expression), exist_ok=True)
    jobs = [(int(seed), p, root) for p in range(1, int(num_people) + 1)]
    bar = None
    if progress:
        from ..runtime.progress import progress
        bar = progress(total=len(jobs), desc="toy expressions", unit="person")
    import multiprocessing
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers > 1 and len(jobs) >= 25 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:  # see make_toy_celeba for why fork
            for _ in pool.imap_unordered(_write_person, jobs, chunksize=8):
                bar is not None and bar.update()
    else:
        for job in jobs:
            _write_person(job)
            bar is not None and bar.update()
    if bar is not None:
        bar.close()
    write_text_atomic(os.path.join(root, TOY_RAFD_MARKER),
                      "Generated by stargan_nb.data.make_toy_rafd(num_people={}, seed={}).\n".format(num_people, seed))
    return root


def is_toy_rafd(root):
    return os.path.isfile(os.path.join(os.fspath(root), TOY_RAFD_MARKER))


def ensure_toy_rafd(root, num_people=250, seed=0, progress=True):
    """Generate the toy expressions unless they are there; a folder of other images is never written into."""
    root = os.fspath(root)
    if is_toy_rafd(root):
        return root
    if os.path.isdir(root) and any(not n.startswith(".") for n in os.listdir(root)):
        raise FileExistsError(
            "{} holds files that the toy expression generator did not write; point the folder dataset at it "
            "with a preset other than the toy ones, or put the toy expressions in another folder".format(root))
    return make_toy_rafd(root, num_people, seed, progress)

"""A run's sample grids at chosen iterations, one above the other so each grid keeps its full width."""


def pick_samples(run_dir, steps=(250, 500, 1000, 2000)):
    """[(step, path)]: for each wanted step the grid written nearest to it, then the last grid; no repeats."""
    from .. import runs
    from ..runs.run import sample_step
    found = [(sample_step(p), p) for p in runs.sample_paths(run_dir)]
    if not found:
        return []
    picked = [min(found, key=lambda sp: abs(sp[0] - s)) for s in steps] + [found[-1]]
    unique = []
    for sp in picked:
        if sp not in unique:
            unique.append(sp)
    return sorted(unique)


def stacked_sample_grids(picked, width=9.0):
    """The picked grids stacked vertically at `width` inches; each PNG already names its iteration and columns."""
    import numpy as np
    from PIL import Image
    from ..viz import _plt
    plt = _plt()
    images = [np.asarray(Image.open(path).convert("RGB")) for _, path in picked]
    heights = [width * img.shape[0] / img.shape[1] + 0.2 for img in images]
    fig, axes = plt.subplots(len(images), 1, figsize=(width, sum(heights)), squeeze=False,
                             gridspec_kw=dict(height_ratios=heights))
    for ax, img in zip(axes[:, 0], images):
        ax.imshow(img, interpolation="nearest")
        ax.axis("off")
    fig.tight_layout()
    return fig

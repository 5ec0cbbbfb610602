"""Matplotlib helpers: the pictures a person would rather look at than read."""
import numpy as np


def _plt():
    import matplotlib.pyplot as plt  # matplotlib falls back to Agg by itself when there is no display
    return plt


def to_uint8(images):
    """[-1, 1] floats (the model's range) to uint8, as the reference denormalises: clip((x+1)/2)."""
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return x
    return (np.clip((x + 1) / 2, 0, 1) * 255).round().astype(np.uint8)


def png_bytes(image, size=None):
    """One image (uint8, or [-1, 1] floats) as PNG bytes; `size` scales it to size x size, nearest neighbour."""
    import io
    from PIL import Image
    pil = Image.fromarray(to_uint8(image))
    if size is not None:
        pil = pil.resize((size, size), Image.NEAREST)
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return buf.getvalue()


def format_table(headers, rows, formats=None):
    """Rows as aligned text columns: the first column left-aligned, the others right-aligned.

    formats: one format string per column for the cells ("{:.3f}"); str() by default.
    """
    formats = formats or ["{}"] * len(headers)
    cells = [[f.format(v) for f, v in zip(formats, row)] for row in rows]
    widths = [max([len(str(h))] + [len(r[k]) for r in cells]) for k, h in enumerate(headers)]

    def line(values):
        return " ".join(str(v).ljust(w) if k == 0 else str(v).rjust(w) for k, (v, w) in enumerate(zip(values, widths)))
    return "\n".join([line(headers)] + [line(r) for r in cells])


def show_source(*functions):
    """The package's own lines for these functions, highlighted in a notebook (plain text elsewhere):
    a learner reads the code that runs, not a paraphrase of it."""
    import inspect
    from IPython.display import Code
    return Code("\n\n".join(inspect.getsource(f) for f in functions), language="python")


def side_by_side(texts: dict, gap=4):
    """Several multi-line texts as columns under their titles, for comparing them line by line."""
    columns = [[str(title), "-" * len(str(title))] + str(text).splitlines() for title, text in texts.items()]
    widths = [max(len(line) for line in col) for col in columns]
    height = max(len(col) for col in columns)
    return "\n".join((" " * gap).join((col[i] if i < len(col) else "").ljust(w) for col, w in zip(columns, widths))
                     .rstrip() for i in range(height))


COLOUR_MOVE_LIMIT = 12  # levels of 255: what the demo allows a translation to move background and skin


def transfer_table(transfer):
    """Target / kept per attribute (and, on toy faces, how far background and skin moved), with a summary."""
    attrs = list(transfer["target"])
    moves = "background_move" in transfer
    headers = ["attribute", "target", "kept"] + (["background moved", "skin moved"] if moves else [])
    rows = [[a, transfer["target"][a], transfer["kept"][a]]
            + ([transfer["background_move"][a], transfer["skin_move"][a]] if moves else []) for a in attrs]
    table = format_table(headers, rows, ["{}", "{:.3f}", "{:.3f}", "{:.1f}", "{:.1f}"][:len(headers)])
    summary = "mean target {:.3f}, min target {:.3f}, mean kept {:.3f} on {} test images".format(
        transfer["mean_target"], transfer["min_target"], transfer["mean_kept"], transfer["n_images"])
    if transfer.get("step") is not None:
        summary += " at iteration {}".format(transfer["step"])
    if "identity_l1" in transfer:
        summary += "\nidentity L1 |G(x, c_org) - x|: {:.4f} ([-1, 1] scale)".format(transfer["identity_l1"])
    if moves:
        summary += "\ncolour moves are mean |before - after| of the region's mean colour, levels 0..255 " \
                   "(the demo allows {}); G(x, c_org) moves background {:.1f}, skin {:.1f}".format(
                       COLOUR_MOVE_LIMIT, transfer["identity_background_move"], transfer["identity_skin_move"])
    return table + "\n" + summary


def keeping_table(result):
    """An evaluate_run result's person-keeping figures beside the untrained generator's (its baseline)."""
    run, base = dict(result["transfer"], reconstruction_l1=result["reconstruction_l1"]), result["baseline"]
    rows = [("identity L1 |x - G(x, c_org)|", "identity_l1", "{:.4f}"),
            ("reconstruction L1 |x - G(G(x, c_trg), c_org)|", "reconstruction_l1", "{:.4f}"),
            ("largest background move (levels)", "max_background_move", "{:.1f}"),
            ("largest skin move (levels)", "max_skin_move", "{:.1f}"),
            ("G(x, c_org): background move (levels)", "identity_background_move", "{:.1f}"),
            ("G(x, c_org): skin move (levels)", "identity_skin_move", "{:.1f}")]
    return format_table(["keeping the person", "this run", "untrained G"],
                        [(name, fmt.format(run[key]), fmt.format(base[key])) for name, key, fmt in rows if key in run])


# More labels than this (a joint run's 13) get slanted tick labels and transfer panels stacked vertically.
MANY_LABELS = 6


def plot_transfer(transfer, judge_name, baseline=None):
    """Target and kept accuracy per attribute as bars (0.9 marked); on toy faces a second panel with how far
    each translation moved background and skin colour (the 12-level limit marked, and an untrained
    generator's moves as a baseline when given)."""
    plt = _plt()
    attrs = list(transfer["target"])
    pos = np.arange(len(attrs))
    moves = "background_move" in transfer
    wide = len(attrs) > MANY_LABELS  # the 13 labels of a joint run: the panels one above the other, labels slanted
    shape = (2 if moves and wide else 1, 1 if wide or not moves else 2)
    fig, axes = plt.subplots(*shape, figsize=(13 if moves or wide else 8, 9.5 if moves and wide else 3.8 + wide),
                             squeeze=False)
    axes = axes.ravel()
    ax = axes[0]
    ax.bar(pos - 0.2, [transfer["target"][a] for a in attrs], 0.4, label="target", color="tab:blue")
    ax.bar(pos + 0.2, [transfer["kept"][a] for a in attrs], 0.4, label="kept", color="tab:orange")
    _attribute_axis(ax, attrs, pos, transfer.get("titles"))
    ax.set_ylim(0, 1.12)  # room above bars at 1.0
    ax.set_ylabel("fraction judged right")
    ax.axhline(0.9, color="grey", ls=":", lw=0.8)
    ax.text(1.01, 0.9, "0.9", transform=ax.get_yaxis_transform(), va="center", color="grey", fontsize=8)
    below = -0.3 if wide else -0.14  # under the tick labels, slanted when there are many
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, below), ncol=2, frameon=False)
    ax.set_title("attribute transfer, judged by the " + judge_name)
    if moves:
        ax = axes[1]
        for k, (kind, colour) in enumerate((("background", "tab:purple"), ("skin", "tab:brown"))):
            ax.bar(pos + (k - 0.5) * 0.4, [transfer[kind + "_move"][a] for a in attrs], 0.4, color=colour,
                   label=kind + " (this run)")
            if baseline and kind + "_move" in baseline:
                ax.plot(pos + (k - 0.5) * 0.4, [baseline[kind + "_move"][a] for a in attrs], "_", ms=18, mew=2,
                        color="black", label="untrained generator" if k == 0 else None)
        _attribute_axis(ax, attrs, pos, transfer.get("titles"))
        ax.set_ylabel("mean colour move (levels of 255)")
        ax.axhline(COLOUR_MOVE_LIMIT, color="grey", ls=":", lw=0.8)
        ax.text(1.01, COLOUR_MOVE_LIMIT, str(COLOUR_MOVE_LIMIT), transform=ax.get_yaxis_transform(), va="center",
                color="grey", fontsize=8)
        ax.set_ylim(0, max([COLOUR_MOVE_LIMIT * 2] + [v * 1.15 for kind in ("background", "skin")
                                                       for v in list(transfer[kind + "_move"].values())
                                                       + list((baseline or {}).get(kind + "_move", {}).values())]))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, below), ncol=3, frameon=False)
        ax.set_title("what should not change: background and skin colour")
    fig.tight_layout()
    return fig


def _attribute_axis(ax, attrs, pos, titles=None):
    from .model.labels import target_title
    ax.set_xticks(pos)
    many = len(attrs) > MANY_LABELS
    ax.set_xticklabels([(titles or {}).get(a) or target_title(a) for a in attrs], fontsize=9,
                       rotation=35 if many else 0, ha="right" if many else "center")


def fid_rows(fid):
    """(name, FID, KID, KID std) for the floor, the run and the ceiling, in that order, as evaluate_run reports them."""
    rows = []
    if "floor" in fid:
        rows.append(("floor: real training images", fid["floor"]["fid"], fid["floor"]["kid"], fid["floor"]["kid_std"]))
    rows.append(("this run's translations", fid["model_card"], fid["model_card_kid"], fid["model_card_kid_std"]))
    if "ceiling" in fid:
        rows.append(("ceiling: untrained generator", fid["ceiling"]["fid"], fid["ceiling"]["kid"],
                     fid["ceiling"]["kid_std"]))
    return rows


def fid_table(fid):
    """FID and KID of the run between its floor and its ceiling, with the image counts behind them."""
    table = format_table(["against the real test images", "FID", "KID", "KID std"], fid_rows(fid),
                         ["{}", "{:.2f}", "{:.4f}", "{:.4f}"])
    return table + "\n{} test images, each repeated once per target: {} real against {} generated; the real " \
        "covariance has rank at most {} of 2048, so compare FIDs only at this count (KID is unbiased)".format(
            fid["n_images"], fid["n_real"], fid["n_fake"], fid["covariance_rank_real_at_most"])


def plot_fid(fid):
    """FID and KID side by side: where the run lies between real images (floor) and an untrained G (ceiling)."""
    plt = _plt()
    rows = fid_rows(fid)
    names = [r[0] for r in rows]
    colours = ["tab:green" if n.startswith("floor") else "tab:red" if n.startswith("ceiling") else "tab:blue"
               for n in names]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.6 * len(rows) + 1.6))
    for ax, values, errors, label in ((axes[0], [r[1] for r in rows], None, "FID (lower is better)"),
                                      (axes[1], [r[2] for r in rows], [r[3] for r in rows],
                                       "KID, mean and std over subsets")):
        pos = np.arange(len(rows))[::-1]
        ax.barh(pos, values, xerr=errors, color=colours, capsize=3)
        ax.set_yticks(pos)
        ax.set_yticklabels(names if ax is axes[0] else [""] * len(rows))
        ax.set_xlabel(label)
        ax.axvline(0, color="grey", lw=0.6)
        for p, v in zip(pos, values):
            ax.text(v, p, " {:.3g}".format(v), va="center", fontsize=8)
        ax.margins(x=0.25)
    fig.suptitle("{} test images x {} targets".format(fid["n_images"], fid["n_fake"] // max(fid["n_images"], 1)))
    fig.tight_layout()
    return fig


def bar_frequencies(freqs: dict, highlight=(), title="Attribute frequencies"):
    plt = _plt()
    names = list(freqs)
    values = [freqs[n] for n in names]
    fig, ax = plt.subplots(figsize=(12, 3.6))
    colours = ["tab:orange" if n in highlight else "tab:blue" for n in names]
    ax.bar(range(len(names)), values, color=colours)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=75, ha="right", fontsize=8)
    ax.set_ylabel("fraction of images")
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set_title(title + (" (orange: selected)" if highlight else ""))
    fig.tight_layout()
    return fig


def heatmap(matrix, labels, title, fmt="{:.2f}"):
    plt = _plt()
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1.1 * len(labels) + 2, 1.0 * len(labels) + 1.5))
    im = ax.imshow(m, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_yticklabels(labels)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center",
                    color="white" if m[i, j] < 0.6 else "black", fontsize=9)
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def label_rows(rows, names, row_titles, groups):
    """Label rows as a grid of 0/1 cells, column groups boxed and named (joint training's [c_celeba, c_rafd,
    mask]): how each image's label reads, where a list of numbers would hide it.

    groups: [(name, columns), ...] in column order."""
    plt = _plt()
    m = np.asarray(rows, np.float32)
    fig, ax = plt.subplots(figsize=(0.42 * m.shape[1] + 3.2, 0.42 * m.shape[0] + 2.2))
    ax.imshow(m, vmin=0, vmax=1, cmap="Greys", aspect="equal")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, "{:g}".format(m[i, j]), ha="center", va="center",
                    color="white" if m[i, j] > 0.5 else "black", fontsize=8)
    ax.set_xticks(range(m.shape[1]))
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(m.shape[0]))
    ax.set_yticklabels(row_titles, fontsize=8)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (name, cols) in enumerate(groups):
        lo, hi = min(cols) - 0.5, max(cols) + 0.5
        ax.axvline(hi, color="black", lw=1.5) if hi < m.shape[1] - 0.5 else None
        ax.text((lo + hi) / 2, -0.9, name, ha="center", va="bottom", color=colours[k], fontsize=10, weight="bold")
    ax.set_ylim(m.shape[0] - 0.5, -1.6)
    fig.tight_layout()
    return fig


def label_titles(names, labels):
    """One title per image: the attributes it has (0/1 label rows), or "(none)"."""
    return [", ".join(a for a, v in zip(names, row) if v) or "(none)" for row in labels]


def image_grid(rows, row_titles=None, col_titles=None, scale=1.6):
    """rows: list of lists of images (uint8 or [-1, 1] floats, any sizes)."""
    plt = _plt()
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(scale * n_cols, scale * n_rows), squeeze=False)
    for i, row in enumerate(rows):
        for j in range(n_cols):
            ax = axes[i][j]
            ax.axis("off")
            if j < len(row):
                ax.imshow(to_uint8(row[j]))
            if i == 0 and col_titles and j < len(col_titles):
                ax.set_title(col_titles[j], fontsize=9)
        if row_titles:
            axes[i][0].text(-0.08, 0.5, row_titles[i], transform=axes[i][0].transAxes,
                            ha="right", va="center", fontsize=8)
    fig.tight_layout()
    return fig


def regions_overlay(images, regions, titles=None, scale=2.6):
    """Images with named boxes on them, to show where a pixel judge looks.

    regions: {name: [(v0, v1, u0, u1), ...]} in fractions of the image's height (v) and width (u).
    """
    from matplotlib.patches import Rectangle
    plt = _plt()
    colours = dict(zip(regions, plt.rcParams["axes.prop_cycle"].by_key()["color"]))
    fig, axes = plt.subplots(1, len(images), figsize=(scale * len(images), scale + 0.5), squeeze=False)
    for j, (ax, img) in enumerate(zip(axes[0], images)):
        img = to_uint8(img)
        h, w = img.shape[:2]
        ax.imshow(img, extent=(0, w, h, 0))
        ax.axis("off")
        for name, boxes in regions.items():
            for k, (v0, v1, u0, u1) in enumerate(boxes):
                ax.add_patch(Rectangle((u0 * w, v0 * h), (u1 - u0) * w, (v1 - v0) * h, fill=False, lw=1.5,
                                       edgecolor=colours[name], label=name if k == 0 else None))
        if titles:
            ax.set_title(titles[j], fontsize=9)
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def save(fig, path):
    """PNG written whole or not at all (a temporary name, then a rename)."""
    import io
    from .runtime.atomic import write_bytes_atomic
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    write_bytes_atomic(path, buf.getvalue())
    return path


def translation_grid(x, fakes, space, scale=1.4):
    """The reference's grid: one row per input, [input, G(x, c_1), ..., G(x, c_k)]. space: the run's LabelSpace
    (model.labels.space(config); a list of names: CelebA's titles)."""
    from .model.labels import target_titles
    rows = [[x[i]] + [f[i] for f in fakes] for i in range(len(x))]
    return image_grid(rows, col_titles=["input"] + target_titles(space), scale=scale)


def mask_image(mask):
    """An attention mask (H, W, 1) in [0, 1] as a grey image: white where G changed the picture, black where the
    input passed through."""
    m = np.asarray(mask, np.float32)
    return np.repeat(np.clip(m, 0, 1) * 2 - 1, 3, axis=-1)


def translation_grid_with_masks(x, fakes, masks, space, scale=1.4):
    """The reference's grid with each translation's attention mask under it: per input, a row [input, G(x, c_1),
    ..., G(x, c_k)] and a row [blank, A_1, ..., A_k] (white: changed). masks: one (N, H, W, 1) array per target,
    as training.trained.reference_masks gives them; space: as translation_grid."""
    from .model.labels import target_titles
    rows, titles = [], []
    for i in range(len(x)):
        rows.append([x[i]] + [f[i] for f in fakes])
        rows.append([np.ones_like(x[i])] + [mask_image(m[i]) for m in masks])
        titles += ["", "where G\nchanged it"]
    return image_grid(rows, row_titles=titles, col_titles=["input"] + target_titles(space), scale=scale)


# Each logged loss keeps one colour in every panel; panels group what is read together.
LOSS_COLOURS = {"D/loss_real": "tab:blue", "D/loss_fake": "tab:orange", "G/loss_fake": "tab:red",
                "W": "black", "D/loss_cls": "tab:green", "G/loss_cls": "tab:olive", "G/loss_rec": "tab:purple",
                "G/loss_id": "tab:pink", "D/loss_gp": "tab:gray"}
LOSS_PANELS = (
    ("adversarial (WGAN)", ("D/loss_real", "D/loss_fake", "W", "G/loss_fake"), "linear", "critic score"),
    ("attribute classification", ("D/loss_cls", "G/loss_cls"), "linear", "cross-entropy, summed over attributes"),
    ("keeping the person", ("G/loss_rec", "G/loss_id"), "log", "mean |difference|, [-1, 1] scale"),
    ("gradient penalty", ("D/loss_gp",), "log", "mean (||grad D|| - 1)^2"),
)
LOSS_LABELS = {"D/loss_real": "D real: -mean D(x)", "D/loss_fake": "D fake: mean D(G(x, c))",
               "W": "W estimate: mean D(x) - mean D(G(x, c))", "G/loss_fake": "G: -mean D(G(x, c))",
               "D/loss_cls": "D on real images", "G/loss_cls": "G's translations", "G/loss_rec": "reconstruction",
               "G/loss_id": "identity", "D/loss_gp": "gradient penalty"}


def smoothed(steps, y, smooth):
    """A trailing moving average over `smooth` logged points, with the steps it ends at."""
    if smooth > 1 and len(y) >= smooth:
        return steps[smooth - 1:], np.convolve(y, np.ones(smooth) / smooth, mode="valid")
    return steps, y


def plot_losses(rows, smooth=1):
    """Training curves from metrics.jsonl rows, in four panels: adversarial, classification, reconstruction
    and identity, gradient penalty (the last two on log scales, where their small values can be seen)."""
    plt = _plt()
    steps = np.array([r["step"] for r in rows])

    def series(key):
        if key == "W":  # the critic's estimate of the Wasserstein distance: -(loss_real + loss_fake)
            return -np.array([r.get("D/loss_real", np.nan) + r.get("D/loss_fake", np.nan) for r in rows], np.float64)
        return np.array([r.get(key, np.nan) for r in rows], np.float64)

    fig, axes = plt.subplots(2, 2, figsize=(12, 7))
    for ax, (title, keys, scale, ylabel) in zip(axes.ravel(), LOSS_PANELS):
        for key in keys:
            y = series(key)
            if np.isnan(y).all():
                continue
            x, y = smoothed(steps, y, smooth)
            ax.plot(x, y, color=LOSS_COLOURS[key], label=LOSS_LABELS[key], lw=2 if key == "W" else 1.2)
        ax.set_yscale(scale)
        if scale == "linear":
            ax.axhline(0, color="grey", lw=0.6)
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.set_ylabel(ylabel, fontsize=9)
        ax.legend(fontsize=8)
    every = rows[1]["step"] - rows[0]["step"] if len(rows) > 1 else 0
    fig.suptitle("losses logged every {} iterations, {}".format(
        every, "moving average over {} logged points ({} iterations)".format(smooth, smooth * every)
        if smooth > 1 else "not smoothed"))
    fig.tight_layout()
    return fig


def plot_learning_rate(config, rows=()):
    """The planned schedule over the whole run, with the rates the run actually logged."""
    from .model.schedule import learning_rate_at
    plt = _plt()
    steps = np.linspace(0, config.training_iterations - 1, 500)
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(steps, learning_rate_at(steps, config), label="schedule")
    if rows:
        ax.plot([r["step"] for r in rows], [r["lr"] for r in rows], ".", ms=4, label="logged")
    ax.set_xlabel("iteration")
    ax.set_ylabel("learning rate")
    ax.legend()
    fig.tight_layout()
    return fig


def show_image_files(paths, titles=None, width=6.0):
    """PNG files (e.g. sample grids) side by side, each `width` inches wide at its own aspect ratio, so a
    sample grid's enlarged pixels and column titles stay readable."""
    from PIL import Image
    plt = _plt()
    images = [np.asarray(Image.open(path).convert("RGB")) for path in paths]
    aspect = max(img.shape[0] / img.shape[1] for img in images)
    fig, axes = plt.subplots(1, len(images), figsize=(width * len(images), width * aspect + (0.4 if titles else 0)),
                             squeeze=False)
    for ax, img, title in zip(axes[0], images, titles or [None] * len(images)):
        ax.imshow(img, interpolation="nearest")
        ax.axis("off")
        if title:
            ax.set_title(title)
    fig.tight_layout()
    return fig

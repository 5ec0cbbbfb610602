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


def transfer_table(transfer):
    """The target / kept table of a transfer_accuracy result, with its summary line."""
    attrs = list(transfer["target"])
    table = format_table(["attribute", "target", "kept"],
                         [(a, transfer["target"][a], transfer["kept"][a]) for a in attrs], ["{}", "{:.3f}", "{:.3f}"])
    summary = "mean target {:.3f}, min target {:.3f}, mean kept {:.3f} on {} test images".format(
        transfer["mean_target"], transfer["min_target"], transfer["mean_kept"], transfer["n_images"])
    if transfer.get("step") is not None:
        summary += " at iteration {}".format(transfer["step"])
    return table + "\n" + summary


def plot_transfer(transfer, judge_name):
    """Target and kept accuracy per attribute as bars, with the 0.9 the demo aims for."""
    plt = _plt()
    attrs = list(transfer["target"])
    pos = np.arange(len(attrs))
    fig, ax = plt.subplots(figsize=(8, 3.4))
    ax.bar(pos - 0.2, [transfer["target"][a] for a in attrs], 0.4, label="target")
    ax.bar(pos + 0.2, [transfer["kept"][a] for a in attrs], 0.4, label="kept")
    ax.set_xticks(pos)
    ax.set_xticklabels(attrs)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fraction judged right")
    ax.axhline(0.9, color="grey", ls=":", lw=0.8)
    ax.text(1.01, 0.9, "0.9", transform=ax.get_yaxis_transform(), va="center", color="grey", fontsize=8)
    ax.legend(loc="lower left", bbox_to_anchor=(1.04, 0), frameon=False)
    ax.set_title("attribute transfer, judged by the " + judge_name)
    fig.tight_layout()
    return fig


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


def translation_grid(x, fakes, selected_attrs, scale=1.4):
    """The reference's grid: one row per input, [input, G(x, c_1), ..., G(x, c_k)]."""
    from .model.labels import target_title
    rows = [[x[i]] + [f[i] for f in fakes] for i in range(len(x))]
    return image_grid(rows, col_titles=["input"] + [target_title(a) for a in selected_attrs], scale=scale)


def plot_losses(rows, smooth=1):
    """Training curves from metrics.jsonl rows: D's parts, G's parts, on their own axes."""
    plt = _plt()
    steps = np.array([r["step"] for r in rows])
    groups = [("Discriminator", [k for k in rows[0] if k.startswith("D/")]),
              ("Generator", [k for k in rows[0] if k.startswith("G/")])]
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    for ax, (title, keys) in zip(axes, groups):
        for k in keys:
            y = np.array([r.get(k, np.nan) for r in rows], np.float64)
            if smooth > 1 and len(y) >= smooth:
                y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
                ax.plot(steps[smooth - 1:], y, label=k.split("/")[1])
            else:
                ax.plot(steps, y, label=k.split("/")[1])
        ax.set_title(title)
        ax.set_xlabel("iteration")
        ax.axhline(0, color="grey", lw=0.6)
        ax.legend(fontsize=8)
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


def show_image_files(paths, titles=None, scale=4.0):
    """PNG files (e.g. sample grids) one above the other."""
    from PIL import Image
    plt = _plt()
    fig, axes = plt.subplots(len(paths), 1, figsize=(scale * 2, scale * len(paths)), squeeze=False)
    for ax, path, title in zip(axes[:, 0], paths, titles or [None] * len(paths)):
        ax.imshow(np.asarray(Image.open(path).convert("RGB")))
        ax.axis("off")
        if title:
            ax.set_title(title)
    fig.tight_layout()
    return fig

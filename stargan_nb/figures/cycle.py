"""The cycle StarGAN's generator losses are built on, as pictures: x -> G(x, c_trg) -> G(G(x, c_trg), c_org),
and the identity pass G(x, c_org), each beside its difference from x; and the batch's label changes."""
import numpy as np

COLUMNS = ("x", "G(x, c_trg)", "G(G(x, c_trg), c_org)", "G(x, c_org)")


def batch_targets(c_org, seed=0):
    """Training's targets for a batch: each image gets the labels of another image of it (the reference's
    randperm), drawn with a fixed seed so the picture is repeatable."""
    return np.asarray(c_org)[np.random.RandomState(seed).permutation(len(c_org))]


def changed_rows(c_org, c_trg, n=4):
    """The first n rows whose target differs from their own labels (a shuffle can hand an image its own)."""
    rows = [i for i in range(len(c_org)) if (np.asarray(c_org[i]) != np.asarray(c_trg[i])).any()]
    return rows[:n]


def cycle(gen, x, c_org, c_trg):
    """The four images of the cycle for each input: {column title: images}, titles as COLUMNS."""
    fake = gen(x, c_trg)
    return dict(zip(COLUMNS, (np.asarray(x), fake, gen(fake, c_org), gen(x, c_org))))


def difference(images, x):
    """|images - x| averaged over colour channels, in the model's [-1, 1] scale (0 .. 2)."""
    return np.abs(np.asarray(images, np.float32) - np.asarray(x, np.float32)).mean(axis=-1)


def flips(c_org, c_trg, names):
    """Per row, the labels the target changes: '+Blond_Hair' switched on, '-Male' switched off."""
    rows = []
    for own, trg in zip(np.asarray(c_org), np.asarray(c_trg)):
        rows.append([("+" if t > o else "-") + n for n, o, t in zip(names, own, trg) if o != t])
    return rows


def cycle_figure(images, changes, scale=1.5, vmax=1.0):
    """One row per input: each column of `cycle(...)`, and after each generated column its |difference| from x
    (black: unchanged; the title gives its mean). changes: one title per row (e.g. `flips`)."""
    from ..viz import _plt, to_uint8
    plt = _plt()
    x = images[COLUMNS[0]]
    n, cols = len(x), 1 + 2 * (len(COLUMNS) - 1)
    fig, axes = plt.subplots(n, cols, figsize=(scale * cols, scale * n + 0.6), squeeze=False)
    for i in range(n):
        panels = [(to_uint8(x[i]), None, "x (input)")]
        for name in COLUMNS[1:]:
            d = difference(images[name][i], x[i])
            panels.append((to_uint8(images[name][i]), None, name))
            panels.append((d, "magma", "|{} - x|\nmean {:.3f}".format(name, d.mean())))
        for j, (img, cmap, title) in enumerate(panels):
            ax = axes[i][j]
            ax.imshow(img, cmap=cmap, vmin=0 if cmap else None, vmax=vmax if cmap else None, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title if cmap or i == 0 else "", fontsize=7)
        axes[i][0].text(-0.08, 0.5, "\n".join(changes[i]) or "(same labels)", transform=axes[i][0].transAxes,
                        ha="right", va="center", fontsize=8, color="red")
    fig.tight_layout()
    return fig


def label_change_figure(c_org, c_trg, names, row_titles=None):
    """The batch's own labels (c_org) beside its targets (c_trg, another image's labels), the cells a target
    changes outlined in red, and the change written out at the right."""
    from matplotlib.patches import Rectangle
    from ..viz import _plt
    plt = _plt()
    c_org, c_trg = np.asarray(c_org, np.float32), np.asarray(c_trg, np.float32)
    n, k = c_org.shape
    row_titles = row_titles or ["image {}".format(i) for i in range(n)]
    fig, axes = plt.subplots(1, 2, figsize=(0.55 * 2 * k + 4.5, 0.36 * n + 2.0), sharey=True)
    for ax, m, title in ((axes[0], c_org, "c_org: each image's own labels"),
                         (axes[1], c_trg, "c_trg: the target asked for")):
        ax.imshow(m, vmin=0, vmax=1, cmap="Greys", aspect="auto")
        for i in range(n):
            for j in range(k):
                ax.text(j, i, "{:g}".format(m[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if m[i, j] > 0.5 else "black")
                if m is c_trg and c_trg[i, j] != c_org[i, j]:
                    ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, ec="red", lw=2))
        ax.set_xticks(range(k))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(n))
        ax.set_yticklabels(row_titles, fontsize=8)
        ax.set_title(title, fontsize=9)
    for i, change in enumerate(flips(c_org, c_trg, names)):
        axes[1].text(k - 0.3, i, "  " + (" ".join(change) or "(same labels)"), va="center", fontsize=8, color="red")
    fig.tight_layout()
    return fig

"""G and D as block diagrams, read from the graph a config builds.

Each block is a tensor the network traces (`networks.generator(..., trace=...)`), linked to the blocks its value
is computed from by walking the graph, so a new head or an extra output appears in the picture without
changing this module.
"""
from collections import namedtuple

from ..model import networks
from ..runtime.tfcompat import tf

Block = namedtuple("Block", ["name", "shape", "params", "inputs"])  # inputs: names of the blocks feeding it


def traced_blocks(build, inputs, scope):
    """Blocks of the network `build(trace)` makes: the graph inputs {name: tensor}, then every traced tensor with
    its shape (batch dropped), the parameters its block added and the nearest blocks it was computed from."""
    blocks, owner, seen = [], {}, set()
    for name, tensor in inputs.items():
        blocks.append(Block(name, tuple(tensor.shape.as_list()[1:]), 0, ()))
        owner[tensor.name] = name

    def feeding(tensor):
        found, stack, visited = [], list(tensor.op.inputs), set()
        while stack:
            t = stack.pop()
            if t.name in visited:
                continue
            visited.add(t.name)
            if t.name in owner:
                if owner[t.name] not in found:
                    found.append(owner[t.name])
                continue
            stack.extend(t.op.inputs)
        return tuple(sorted(found, key=[b.name for b in blocks].index))

    def trace(name, tensor):
        new = [v for v in networks.variables(scope) if v.name not in seen]
        seen.update(v.name for v in new)
        blocks.append(Block(name, tuple(tensor.shape.as_list()[1:]), int(sum(v.shape.num_elements() for v in new)),
                            feeding(tensor)))
        owner[tensor.name] = name
        return tensor

    build(trace)
    return blocks


def network_blocks(config):
    """{"G": [Block, ...], "D": [Block, ...]} for this config, at batch size 1."""
    with tf.Graph().as_default():
        x, c = networks.generator_inputs(config, batch=1)
        g = traced_blocks(lambda t: networks.generator(x, c, config, trace=t),
                          {"x: image": x, "c: target labels": c}, networks.G_SCOPE)
        d = traced_blocks(lambda t: networks.discriminator(x, config, trace=t), {"x: image": x}, networks.D_SCOPE)
    return {"G": g, "D": d}


def outputs(blocks):
    """The blocks nothing else reads: the network's outputs."""
    used = {name for b in blocks for name in b.inputs}
    return [b for b in blocks if b.name not in used]


def _layout(blocks):
    """(column, depth) per block: depth is the longest path from an input; blocks at one depth side by side."""
    depth = {}
    for b in blocks:
        depth[b.name] = 1 + max((depth[i] for i in b.inputs), default=-1)
    place, count = {}, {}
    for b in blocks:
        d = depth[b.name]
        place[b.name] = (count.get(d, 0), d)
        count[d] = count.get(d, 0) + 1
    width = {d: n for d, n in count.items()}
    return {name: (col - (width[d] - 1) / 2.0, d) for name, (col, d) in place.items()}


def _shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def draw_blocks(ax, blocks, title):
    """One network's blocks, top to bottom, with arrows from each block to those that read it."""
    pos = _layout(blocks)
    ends = {b.name for b in outputs(blocks)}
    for b in blocks:
        x, y = pos[b.name]
        colour = ("#fde9a8" if not b.inputs else "#f8c58c" if "labels" in b.name else
                  "#b9e4b4" if b.name in ends else "#cfe0f5")
        text = "{}\n{}{}".format(b.name, _shape(b.shape),
                                 "  ·  {:,} params".format(b.params) if b.params else "")
        ax.text(x * 3.2, -y, text, ha="center", va="center", fontsize=7.5,
                bbox=dict(boxstyle="round,pad=0.35", fc=colour, ec="grey"))
        for src in b.inputs:
            sx, sy = pos[src]
            ax.annotate("", xy=(x * 3.2, -y + 0.3), xytext=(sx * 3.2, -sy - 0.3),
                        arrowprops=dict(arrowstyle="->", color="grey", lw=1))
    xs = [p[0] * 3.2 for p in pos.values()]
    ax.set_xlim(min(xs) - 2.2, max(xs) + 2.2)
    ax.set_ylim(-max(p[1] for p in pos.values()) - 0.8, 0.8)
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def network_diagram(config, title=""):
    """G beside D for this config: every block with its output shape (height, width, channels) and parameters;
    inputs yellow, the tiled labels orange, outputs green."""
    from ..viz import _plt
    plt = _plt()
    nets = network_blocks(config)
    depth = max(len(nets["G"]), len(nets["D"]))
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.62 * depth + 1.2), gridspec_kw=dict(width_ratios=[1.15, 1]))
    for ax, (net, blocks) in zip(axes, nets.items()):
        total = sum(b.params for b in blocks)
        draw_blocks(ax, blocks, "{} ({:,} parameters)".format(
            "G: generator" if net == "G" else "D: discriminator", total))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig

import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/07_freeze_pb.ipynb", [
("md", """
# 07 · Freezing the generator for deployment

Training checkpoints hold both networks and the optimizer state. For inference you need only the
generator, as one self-contained file: a frozen TensorFlow graph (`.pb`) with its weights folded into
constants. This notebook writes it, loads it back, checks it against the checkpoint, and prints the ATC
command that compiles it to an `.om` model for Ascend 310 inference.
"""),
("md", "## Parameters"),
("params", """
run_dir = "outputs/toy"   # a run directory written by 03_train
checkpoint = None         # None: the latest; or a step number, e.g. 2000
pb_path = ""              # empty: <run_dir>/stargan_model.pb
n_images = 4              # test images to compare and show
soc_version = "Ascend310"
"""),
("md", """
## 1. Freeze

Builds an inference-only graph — inputs `x_real` (N, H, W, 3, values in [-1, 1]) and `c_trg`
(N, c_dim), output `x_fake` — restores the generator's weights, folds them into constants and drops
everything only training needs. A JSON sidecar next to the `.pb` records the names, shapes,
attributes and normalisation.
"""),
("code", """
import json, os
import numpy as np
from stargan_nb import data, freeze, runs, viz
from stargan_nb.inference import Generator
from stargan_nb.labels import create_labels

pb = pb_path or runs.run_path(run_dir, "stargan_model.pb")
info = freeze.freeze_generator(run_dir, pb, checkpoint)
print("wrote", pb, "({:.1f} MB, {} nodes)".format(os.path.getsize(pb) / 1e6, info["nodes"]))
print(json.dumps(info, indent=1))
"""),
("md", """
## 2. Does the .pb compute what the checkpoint computes?

The same test images and targets through the frozen graph and through the generator restored from the
checkpoint. The largest absolute difference must be below 1e-5 (both are float32 on the same device);
the check is repeated with a different batch size, since the `.pb` accepts any.
"""),
("code", """
config = runs.load_run_config(run_dir)
dataset = data.load_dataset(config)
_, x, c_org = data.preview(config, dataset, n=n_images)
targets = create_labels(c_org, config.selected_attrs)
frozen = freeze.load_frozen(pb)
G = Generator(run_dir, checkpoint)
worst = max(float(np.abs(frozen(x, c) - G(x, c)).max()) for c in targets)
single = float(np.abs(frozen(x[:1], targets[0][:1]) - G(x[:1], targets[0][:1])).max())
G.close()
print("max |pb - checkpoint| over {} images x {} targets: {:.2e}; batch of 1: {:.2e}".format(
    len(x), len(targets), worst, single))
assert worst < 1e-5 and single < 1e-5
"""),
("md", """
## 3. Translations from the .pb

The reference grid again — input, then one target attribute per column — computed by the frozen graph
alone.
"""),
("code", """
fig = viz.translation_grid(x, [frozen(x, c) for c in targets], config.selected_attrs)
"""),
("md", """
## 4. Compile for Ascend 310 with ATC

On a machine with CANN installed, this command turns the `.pb` into `stargan.om` (batch size 1; change
`--input_shape` for larger batches). The model card's `--out_nodes` is the output tensor, here
`x_fake:0`. Inference on the device then runs with `msame`, e.g.
`msame --model stargan_model.om --input x.bin,c.bin --output out/`, where `x.bin` holds one
float32 image normalised as in the sidecar and `c.bin` the float32 target labels.
ATC and msame are not available on the machines this workbook is tested on: the command is printed,
not run.
"""),
("code", """
print(freeze.atc_command(pb, soc_version=soc_version))
"""),
])

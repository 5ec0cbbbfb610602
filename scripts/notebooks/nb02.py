import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/02_model_building.ipynb", [
("md", """
# 02 · Building the model

StarGAN has one **generator** G that takes an image and a target label vector and returns the translated
image, and one **discriminator** D that says, for each patch of an image, how real it looks (`src`) and
which attributes the image has (`cls`). This notebook builds both exactly as the reference code does,
lists their layers, counts their parameters and runs them once, untrained.
"""),
("md", "## Parameters"),
("params", """
preset = "toy"            # "toy" (small, CPU-friendly) or "celeba" (the paper's networks)
image_root = ""           # empty: the preset's data
metadata_path = ""
num_toy_images = 5000
n_images = 4              # test images in the untrained translation grid
config_overrides = {}
"""),
("code", """
from stargan_nb import data, viz
from stargan_nb.config import Config
from stargan_nb.inference import Generator
from stargan_nb.labels import create_labels
from stargan_nb.networks import count_parameters, layer_table

config = data.prepare_config(preset, dict(config_overrides, image_root=image_root, metadata_path=metadata_path),
                             num_toy_images)
"""),
("md", """
## 1. Layers and output shapes

G: a 7×7 convolution, two stride-2 downsamplings, `g_repeat_num` residual blocks, two transposed
convolutions back up, a 7×7 convolution to RGB and `tanh`. Every normalisation is instance norm with its
own scale and shift. D: `d_repeat_num` stride-2 convolutions with LeakyReLU(0.01), then two heads.
Check that G's last shape equals the input's and that D's `cls` head ends in `c_dim` logits.
"""),
("code", """
rows = layer_table(config)
print("{:<3} {:<38} {:>18} {:>12}".format("net", "block", "output (H, W, C)", "parameters"))
for net, name, shape, params in rows:
    print("{:<3} {:<38} {:>18} {:>12,}".format(net, name, str(shape), params))
"""),
("md", """
## 2. Parameter counts

With the paper's configuration (128 px, 64 channels, 6 residual blocks, c_dim 5) the reference has
G = 8,430,528 and D = 44,762,048 parameters; the workbook's networks must match them exactly.
"""),
("code", """
counts = count_parameters(config)
paper = count_parameters(Config.preset("celeba"))
print("this config:  G = {generator:,}  D = {discriminator:,}".format(**counts))
print("paper config: G = {generator:,}  D = {discriminator:,}".format(**paper))
assert paper == {"generator": 8430528, "discriminator": 44762048}
"""),
("md", """
## 3. One forward pass of the untrained generator

Each row is a test image, then G's output for each target of `create_labels` (a hair colour switched on,
or Male / Young flipped). Untrained, G produces noise-like images: this is where training starts.
"""),
("code", """
dataset = data.load_dataset(config)
_, x, c_org = data.preview(config, dataset, n=n_images)
G = Generator.untrained(config)
fakes = [G(x, c) for c in create_labels(c_org, config.selected_attrs)]
print("input", x.shape, "range [{:.2f}, {:.2f}]; output range [{:.2f}, {:.2f}]".format(
    x.min(), x.max(), min(f.min() for f in fakes), max(f.max() for f in fakes)))
fig = viz.translation_grid(x, fakes, config.selected_attrs)
G.close()
"""),
])

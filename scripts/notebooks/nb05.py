import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/05_translate.ipynb", [
("md", """
# 05 · Translating faces

What StarGAN is for: one generator changes hair colour, gender and age on request. This notebook loads a
trained run, makes the reference's translation grid, translates to combinations of attributes written by
name, walks one attribute smoothly from absent to present, and ends with sliders to play with.
"""),
("md", "## Parameters"),
("params", """
run_dir = "outputs/toy"        # a run directory written by 03_train
checkpoint = None              # None: the latest; or a step number
n_images = 6                   # test images in the grid and the slider's choices
targets = ["Blond_Hair", "Black_Hair+Male", "-Young", "Brown_Hair+-Male+-Young"]
interpolate_attr = "Blond_Hair"
interpolation_steps = 6
image_path = ""                # your own image (any size, JPEG or PNG); empty: skip
"""),
("md", """
## 1. Load the generator and some test images

Only the generator is restored, into an inference graph that takes any batch size. Test images come from
the run's own test split, prepared exactly as in training (centre crop, resize, [-1, 1]), without flips.
"""),
("code", """
import numpy as np
from stargan_nb import data, runs, translate, viz

gen = translate.load_generator(run_dir, checkpoint)
config = gen.config
dataset = data.load_dataset(config)
_, x, c_org = data.preview(config, dataset, n=n_images)
print("run {} at iteration {}: attributes {}".format(run_dir, gen.step, config.selected_attrs))
"""),
("md", """
## 2. The reference grid

One row per test image: the input, then one column per selected attribute — a hair colour switched on
(the other hair colours off), Male and Young flipped. Look for the asked-for change and for everything
else (face, background, the other attributes) staying put.
"""),
("code", """
fakes = translate.reference_grid(gen, x, c_org)
fig = viz.translation_grid(x, fakes, config.selected_attrs)
print("saved", viz.save(fig, runs.run_path(run_dir, "translation_grid.png")))
"""),
("md", """
## 3. Several attributes at once

Targets are written by name: `+` joins attributes, a leading `-` switches one off, anything not named keeps
the input's value. A misspelt name stops with the list of names this model knows.
"""),
("code", """
columns = [translate.translate(gen, x, translate.target_labels(t, c_org, config.selected_attrs)) for t in targets]
rows = [[x[i]] + [col[i] for col in columns] for i in range(len(x))]
fig = viz.image_grid(rows, col_titles=["input"] + list(targets))
"""),
("md", """
## 4. Interpolating one attribute

Labels were 0 or 1 in training, but the generator accepts anything in between: here one attribute goes
from 0 to 1 in equal steps while the others keep the input's values. A smooth change means the model has
learned a direction, not a switch.
"""),
("code", """
strips, values = [], None
for i in range(min(3, len(x))):
    strip, values = translate.interpolation(gen, x[i], c_org[i], interpolate_attr, interpolation_steps)
    strips.append([x[i]] + list(strip))
fig = viz.image_grid(strips, col_titles=["input"] + ["{} = {:.2f}".format(interpolate_attr, v) for v in values])
"""),
("md", """
## 5. Your own image

Any JPEG or PNG of any size is prepared exactly as the test images are (centre crop 178 and resize). Set
`image_path` to try it; the labels of your image are unknown, so the grid starts from all attributes off.
"""),
("code", """
if image_path:
    mine = translate.load_image(image_path, config)
    c_mine = np.zeros((1, config.c_dim), np.float32)
    fig = viz.translation_grid(mine[None], translate.reference_grid(gen, mine[None], c_mine), config.selected_attrs)
else:
    print("image_path is empty: skipped")
"""),
("md", """
## 6. Sliders

Pick a test image (or upload your own), then move the sliders: each sets one target attribute, from -1 to
2 (0 and 1 are what the model was trained on). The translated image updates when you release a slider;
the line at the bottom says how long the update took. `hair colours exclusive` switches the other hair
colours off when you raise one; `reset` returns to the input's labels. Headless runs (papermill) show
nothing interactive here.
"""),
("code", """
from stargan_nb.sliders import slider_app

app = slider_app(gen, x, c_org)
app.widget
"""),
])

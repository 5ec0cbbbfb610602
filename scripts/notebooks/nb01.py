import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/01_data_inspection.ipynb", [
("md", """
# 01 · Data inspection

StarGAN learns to translate a face from one set of attributes to another (black hair → blond, young → old).
Before training anything, look at what it will learn from: which attributes are common, which go together,
and what the images look like **after** the preprocessing the model sees.

This notebook works on any dataset in CelebA's file format: `list_attr_celeba.txt` (a count line, a line of
attribute names, then one `file.jpg 1 -1 ...` row per image) and a folder of images. By default it uses the
workbook's embedded **toy faces**, generated on first use, so it runs anywhere with nothing to download.
"""),
("md", """
## Parameters

`preset` picks the defaults: `"toy"` (generated faces under `data/toy/`) or `"celeba"` (the paper's setting,
expecting CelebA under `data/celeba/`). Set `image_root` and `metadata_path` to use your own data.
papermill overrides these, e.g. `-p preset celeba -p image_root /data/celeba/img_align_celeba`.
"""),
("params", """
preset = "toy"            # "toy" or "celeba"
image_root = ""           # folder of images; empty: the preset's
metadata_path = ""        # list_attr_celeba.txt; empty: the preset's
num_toy_images = 5000     # toy faces to generate when the toy dataset is absent
n_preview = 6             # images in the raw / preprocessed grid
config_overrides = {}     # any other Config field, e.g. {"image_size": 64}
"""),
("md", """
## 1. Configuration and data

`Config.preset` returns the run's configuration; every field name matches the model card's script arguments.
For the toy preset, the faces are generated here if they are not on disk yet (a progress bar shows it).
Look at the paths printed: they are the files the rest of the workbook will read.
"""),
("code", """
from stargan_nb import data, viz

config = data.prepare_config(preset, dict(config_overrides, image_root=image_root, metadata_path=metadata_path),
                             num_toy_images)
print("images:    ", config.image_root)
print("attributes:", config.metadata_path)
print("selected:  ", config.selected_attrs, "at", config.image_size, "px")
"""),
("md", """
## 2. Read the attribute file and split it

The split is the reference code's: the rows are shuffled with Python's `random.seed(1234)` and the first
`n_test` rows become the test set (2000 for CelebA, as the model card says). Every listed image is checked
on disk now, so a missing file stops you here rather than an hour into training.
"""),
("code", """
dataset = data.load_dataset(config)
print("{} images: {} for training, {} for testing".format(
    len(dataset.table), len(dataset.split.train_files), len(dataset.split.test_files)))
"""),
("md", """
## 3. How often does each attribute occur?

All attributes of the file, the selected ones in orange. Attributes far from the dotted 50% line are
imbalanced: the classifier head of the discriminator sees few positive (or negative) examples of them.
"""),
("code", """
frequencies = data.attribute_frequencies(dataset.table)
fig = viz.bar_frequencies(frequencies, highlight=config.selected_attrs)
"""),
("md", """
## 4. Which selected attributes go together?

Row *A*, column *B*: the fraction of images with *A* that also have *B*. Hair colours should be nearly
exclusive (near 0 off the diagonal); a strong link between, say, Male and a hair colour means the model may
change both when asked for one.
"""),
("code", """
fig = viz.heatmap(data.co_occurrence(dataset.table), config.selected_attrs, "P(column | row)")
"""),
("md", """
## 5. Raw images beside what the model sees

Top: the files as stored (CelebA's aligned crops are 178 × 218). Bottom: after the test-time pipeline —
centre crop to `crop_size` (178), resize to `image_size`, scaled to [-1, 1] (shown back in 0..255).
Training adds a random horizontal flip. Check that faces are centred and that the attributes are still
visible at this size.
"""),
("code", """
raw, processed, labels = data.preview(config, dataset, n=n_preview)
titles = [", ".join(a for a, v in zip(config.selected_attrs, row) if v) or "(none)" for row in labels]
fig = viz.image_grid([raw, list(processed)], row_titles=["on disk", "to the model"], col_titles=titles, scale=2.0)
"""),
("md", """
## 6. Class balance of the selected attributes

StarGAN's classification loss is a sum of per-attribute sigmoid cross-entropies, unweighted, so a rare
attribute contributes few positive examples. The table gives each selected attribute's positive rate in the
training split. Translations towards a rare attribute (e.g. Blond_Hair on CelebA, ~15%) are usually the
hardest and the first to check in 05_translate.
"""),
("code", """
train_rate = dataset.labels("train").mean(axis=0)
for name, rate in zip(config.selected_attrs, train_rate):
    note = "rare" if rate < 0.2 else ("common" if rate > 0.8 else "")
    print("{:<14} {:6.1%}  {}".format(name, rate, note))
"""),
])

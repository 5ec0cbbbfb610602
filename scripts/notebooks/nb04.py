import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/04_training_monitor.ipynb", [
("md", """
# 04 · Watching a run

Reads a run directory written by 03_train (while it trains, or after) and shows the loss curves, the
learning-rate schedule and how the sample translations evolved.
"""),
("md", "## Parameters"),
("params", """
run_dir = "outputs/toy"     # a run directory written by 03_train
smooth = 3                  # moving average over this many logged points
n_sample_grids = 3          # sample grids to show, spread over the run
"""),
("code", """
from stargan_nb import runs, viz

config = runs.load_run_config(run_dir)
rows = runs.read_metrics(run_dir)
print("run:", runs.run_path(run_dir), "| logged iterations:", rows[0]["step"] if rows else "-", "to",
      rows[-1]["step"] if rows else "-", "of", config.training_iterations)
print("checkpoint:", runs.latest_checkpoint(run_dir))
"""),
("md", """
## 1. Loss curves

Left, the discriminator: `real` falls (D scores real images higher), `fake` rises, `gp` (gradient
penalty) should stay small, `cls` (attribute classification on real images) should fall steadily.
Right, the generator: `cls` falling means translations carry the asked-for attributes; `rec` (cycle
reconstruction) falling means G keeps the identity of the face. WGAN losses do not converge to zero:
look for trends and for spikes, not for a minimum.
"""),
("code", """
if rows:
    fig = viz.plot_losses(rows, smooth=smooth)
else:
    print("no metrics yet: the run logs every", config.summary_steps, "iterations")
"""),
("md", """
## 2. Learning rate

The paper's schedule: constant, then a linear decay to zero over the last `num_step_decay` iterations,
changed every `lr_update_step`. Dots are the rates the run logged; they must lie on the line (a resumed
run continues the schedule where the checkpoint left it).
"""),
("code", """
fig = viz.plot_learning_rate(config, rows)
"""),
("md", """
## 3. Sample grids across the run

The same test images at several points of training. Columns: the input, then one target attribute each.
Watch the hair colours become distinct first, then Male and Young.
"""),
("code", """
samples = runs.sample_paths(run_dir)
if samples:
    pick = sorted(set(samples[int(round(i))] for i in
                      [k * (len(samples) - 1) / max(n_sample_grids - 1, 1) for k in range(n_sample_grids)]))
    fig = viz.show_image_files(pick, titles=[p.rsplit("_", 1)[-1][:-4].lstrip("0") or "0" for p in pick], scale=3.0)
else:
    print("no sample grids yet: the run writes one every", config.save_steps, "iterations")
"""),
("md", """
## 4. TensorBoard

The same scalars and sample images are in TensorBoard's event files under `<run_dir>/logs`. From the
workbook's root:

```bash
.venv/bin/tensorboard --logdir outputs --host 127.0.0.1
```

then open http://127.0.0.1:6006.
"""),
])

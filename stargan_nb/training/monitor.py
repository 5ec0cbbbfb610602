"""What a training run reports while it runs: metrics.jsonl, TensorBoard, the progress bar, sample grids."""
import time

import numpy as np

from .. import runs
from ..model.labels import create_labels, target_titles
from ..runtime.atomic import write_bytes_atomic
from ..runtime.tfcompat import tf
from ..viz import png_bytes, to_uint8


MIN_CELL = 96  # pixels per image in a sample grid: a 32 px run's images are enlarged 3x (nearest)


def sample_grid(x, fakes, titles=None, heading=None, min_cell=MIN_CELL):
    """One row per input: [input, G(x, c_1), ..., G(x, c_k)] as one uint8 image.

    Small images are enlarged by a whole factor (nearest neighbour, so no pixel is invented) until a
    cell is at least min_cell wide; `titles` name the columns and `heading` (e.g. "iteration 250")
    goes above them, so the PNG reads on its own in a file browser or TensorBoard.
    """
    columns = [x] + list(fakes)
    size = int(np.asarray(x).shape[1])
    k = max(1, -(-min_cell // size))
    rows = [np.concatenate([to_uint8(col[i]) for col in columns], axis=1) for i in range(len(x))]
    grid = np.concatenate(rows, axis=0).repeat(k, axis=0).repeat(k, axis=1)
    if not titles and not heading:
        return grid
    from PIL import Image, ImageDraw
    line = 14
    top = line * (bool(titles) + bool(heading)) + 4
    canvas = Image.new("RGB", (grid.shape[1], grid.shape[0] + top), "white")
    canvas.paste(Image.fromarray(grid), (0, top))
    draw = ImageDraw.Draw(canvas)
    if heading:
        draw.text((4, 2), heading, fill="black")
    for j, title in enumerate(titles or []):
        draw.text((j * size * k + 3, top - line), title, fill="black")
    return np.asarray(canvas)


class SampleWriter:
    """Translates a fixed batch of test images to every create_labels target and writes the grid."""

    def __init__(self, run_dir, images, labels, space, graph):
        """space: the run's LabelSpace (model.labels.space(config)); a list of names: CelebA's rules."""
        self.run_dir, self.images, self.graph = run_dir, images, graph
        self.targets = create_labels(labels, space) if len(images) else []
        self.titles = ["input"] + target_titles(space)

    def write(self, sess, step):
        """samples/step_<step>.png; returns the grid (None when the test split is empty)."""
        if not len(self.images):
            return None
        g = self.graph
        fakes = [sess.run(g.fake_sample, {g.x_sample: self.images, g.c_sample: c}) for c in self.targets]
        grid = sample_grid(self.images, fakes, self.titles, "iteration {}".format(step))
        write_bytes_atomic(runs.sample_path(self.run_dir, step), png_bytes(grid))
        return grid


class Monitor:
    """metrics.jsonl rows and TensorBoard scalars every summary_steps, the progress bar every iteration."""

    def __init__(self, run_dir, graph, step, config, progress=True):
        self.run_dir, self.config = run_dir, config
        runs.truncate_metrics(run_dir, step)  # rows after the checkpoint are about to be trained again
        # Updates skipped by loss scaling so far, per network, carried over from the rows already logged.
        last = (runs.read_metrics(run_dir) or [{}])[-1]
        self.skipped = {k: int(v) for k, v in last.items() if k.startswith("skipped_updates/")}
        self.writer = tf.summary.FileWriter(runs.logs_dir(run_dir), graph=graph if step == 0 else None)
        self.t_start = time.time()
        self.bar = None
        if progress:
            from ..runtime.progress import progress
            self.bar = progress(total=config.training_iterations, initial=step, desc="training", unit="it")

    def iteration_done(self, step, lr, d_vals, g_vals, scaling=None, last=False):
        """Advance the bar; on a summary step (or the last of this call) log a row.

        scaling: {"loss_scale/D": s, "skipped/D": 0 or 1, ...} of this iteration under loss scaling;
        the row gets the current scales and the updates skipped since the run began.
        """
        scaling = scaling or {}
        for key, value in scaling.items():
            if key.startswith("skipped/"):
                name = "skipped_updates/" + key.split("/", 1)[1]
                self.skipped[name] = self.skipped.get(name, 0) + int(value)
        if self.bar is not None:
            self.bar.update(1)
        if step % self.config.summary_steps and not last:
            return
        row = dict(step=step, lr=float(lr), seconds=round(time.time() - self.t_start, 2),
                   **{k: float(v) for k, v in d_vals.items()}, **{k: float(v) for k, v in g_vals.items()},
                   **{k: float(v) for k, v in scaling.items() if k.startswith("loss_scale/")}, **self.skipped)
        runs.append_metrics(self.run_dir, row)
        self.writer.add_summary(_summary({k: v for k, v in row.items() if "/" in k or k == "lr"}), step)
        if self.bar is not None:
            self.bar.set_postfix({"D": "{:.3f}".format(d_vals["D/loss"]),
                                  "G/cls": "{:.3f}".format(g_vals.get("G/loss_cls", float("nan"))),
                                  "G/rec": "{:.3f}".format(g_vals.get("G/loss_rec", float("nan")))})

    def add_samples(self, grid, step):
        if grid is not None:
            self.writer.add_summary(_summary({}, image=grid), step)

    def close(self):
        if self.bar is not None:
            self.bar.close()
        self.writer.close()


def _summary(values: dict, image=None):
    summary = tf.Summary(value=[tf.Summary.Value(tag=k, simple_value=float(v)) for k, v in values.items()])
    if image is not None:
        summary.value.add(tag="samples", image=tf.Summary.Image(
            height=image.shape[0], width=image.shape[1], colorspace=3, encoded_image_string=png_bytes(image)))
    return summary

"""Train StarGAN: `train(config, run_dir)` starts a run or resumes the one already in run_dir.

One iteration is one discriminator step; every d_train_repeat-th iteration adds one generator
step on the same batch. Checkpoints hold the global step, both networks and both Adam
states, so a resumed run continues exactly where the checkpoint left it.
Ctrl-C (SIGINT), a notebook's interrupt button or SIGTERM finish the current iteration,
write a checkpoint and return.
"""
import math
import os
import signal
import time

import numpy as np

from . import data as datasets
from . import device as devices
from . import runs
from .atomic import write_bytes_atomic
from .config import Config, parse_overrides
from .labels import create_labels
from .paths import resolve
from .tfcompat import tf
from .training_graph import build_training_graph, run_iteration


class TrainingDivergedError(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


def sample_grid(x, fakes):
    """One row per input: [input, G(x, c_1), ..., G(x, c_k)] as one uint8 image."""
    from .viz import to_uint8
    columns = [x] + list(fakes)
    rows = [np.concatenate([to_uint8(col[i]) for col in columns], axis=1) for i in range(len(x))]
    return np.concatenate(rows, axis=0)


def _png(array):
    import io
    from PIL import Image
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, format="PNG")
    return buf.getvalue()


class _StopRequest:
    """Turns SIGINT/SIGTERM into a flag checked between iterations, so no iteration is half done."""

    def __init__(self):
        self.signal = None
        self._previous = {}

    def __enter__(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: leave signals alone
                pass
        return self

    def _handle(self, signum, frame):
        self.signal = signal.Signals(signum).name

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _summary(values: dict, step, image=None):
    summary = tf.Summary(value=[tf.Summary.Value(tag=k, simple_value=float(v)) for k, v in values.items()])
    if image is not None:
        summary.value.add(tag="samples", image=tf.Summary.Image(
            height=image.shape[0], width=image.shape[1], colorspace=3, encoded_image_string=_png(image)))
    return summary


def _check_resumable(checkpoint, graph, sess):
    """A checkpoint without the optimizer state (a converted run) cannot resume: say so, not NotFoundError."""
    saved = {name for name, _ in tf.train.list_variables(checkpoint)}
    missing = sorted(v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) if v.op.name not in saved)
    if missing:
        sess.close()
        raise runs.RunError(
            "{} lacks {} variables that training needs (e.g. {}): it holds only the networks, as a run converted "
            "from the reference's weights does, so it can translate, evaluate and freeze but not resume. Train "
            "into a new output_dir".format(checkpoint, len(missing), ", ".join(missing[:3])))


def train(config: Config, run_dir=None, progress=True, max_iterations=None):
    """Train (or resume) a run; returns a dict with the final step, checkpoint and timing.

    max_iterations stops this call after that many new iterations (the schedule still follows
    config.training_iterations), which is how tests and notebooks train in slices.
    """
    config.validate()
    run_dir = runs.ensure_writable(run_dir or config.output_dir)
    config_path = os.path.join(run_dir, "config.json")
    if os.path.exists(config_path):
        runs.check_compatible(Config.load(config_path), config, run_dir)
    config.save(config_path)

    dataset = datasets.load_dataset(config)
    n_fixed = min(8, len(dataset.split.test_files))
    _, x_fixed, c_fixed = datasets.preview(config, dataset, n=n_fixed) if n_fixed else (None, None, None)
    c_targets = create_labels(c_fixed, config.selected_attrs) if n_fixed else []

    device = devices.resolve_device(config.device)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(config.seed)
        images, labels = tf.data.make_one_shot_iterator(datasets.make_input(config, dataset, "train")).get_next()
        g = build_training_graph(images, labels, config, device)
        saver = tf.train.Saver(max_to_keep=config.keep_checkpoints)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph, config=devices.session_config(device, config.precision_mode))
    ckpt_dir = runs.checkpoint_dir(run_dir)
    os.makedirs(ckpt_dir, exist_ok=True)
    runs.remove_partial_checkpoints(run_dir)
    latest = runs.latest_checkpoint(run_dir)
    if latest:
        _check_resumable(latest, graph, sess)
        saver.restore(sess, latest)
        # Let the saver rotate the checkpoints of earlier sessions too (keep_checkpoints in all).
        saver.recover_last_checkpoints(list(tf.train.get_checkpoint_state(ckpt_dir).all_model_checkpoint_paths))
    else:
        sess.run(init)
    step = int(sess.run(g.global_step))
    start_step = step
    runs.truncate_metrics(run_dir, step)
    writer = tf.summary.FileWriter(os.path.join(run_dir, "logs"), graph=graph if step == 0 else None)

    def save_checkpoint():
        return saver.save(sess, os.path.join(ckpt_dir, "model"), global_step=step, write_meta_graph=False)

    def save_samples():
        if not n_fixed:
            return None
        fakes = [sess.run(g.fake_sample, {g.x_sample: x_fixed, g.c_sample: c}) for c in c_targets]
        grid = sample_grid(x_fixed, fakes)
        write_bytes_atomic(os.path.join(run_dir, "samples", "step_{:06d}.png".format(step)), _png(grid))
        return grid

    target = config.training_iterations if max_iterations is None else min(
        config.training_iterations, step + int(max_iterations))
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=config.training_iterations, initial=step, desc="training", unit="it",
                   dynamic_ncols=True)
    def close():
        if bar is not None:
            bar.close()
        writer.close()
        sess.close()

    last_saved = step if latest else None
    d_vals, g_vals = {}, {}
    t_start = time.time()
    stopped_by = None
    with _StopRequest() as stop:
        while step < target:
            try:
                lr, d_vals, new_g_vals = run_iteration(sess, g, step, config)
            except tf.errors.InvalidArgumentError as err:
                # The decoder met a bad image. Keep what was trained, then say which files are broken.
                save_checkpoint()
                close()
                from .pipeline import unreadable_images_error
                named = unreadable_images_error(dataset.paths("train"), dataset.table.path, progress)
                raise (named or err) from None
            g_vals = new_g_vals or g_vals
            step += 1
            bad = {k: v for k, v in list(d_vals.items()) + list(g_vals.items()) if not math.isfinite(v)}
            if bad:
                close()
                raise TrainingDivergedError(
                    "training diverged at iteration {}: {}. Nothing was saved after it; the last good "
                    "checkpoint is {}. Lower init_learning_rate or check the input images.".format(
                        step, ", ".join("{} = {}".format(k, v) for k, v in bad.items()),
                        runs.latest_checkpoint(run_dir) or "none (no checkpoint was written yet)"))
            if bar is not None:
                bar.update(1)
            if step % config.summary_steps == 0 or step == target:
                row = dict(step=step, lr=float(lr), seconds=round(time.time() - t_start, 2),
                           **{k: float(v) for k, v in d_vals.items()}, **{k: float(v) for k, v in g_vals.items()})
                runs.append_metrics(run_dir, row)
                writer.add_summary(_summary({k: v for k, v in row.items() if "/" in k or k == "lr"}, step), step)
                if bar is not None:
                    bar.set_postfix({"D": "{:.3f}".format(d_vals["D/loss"]),
                                     "G/cls": "{:.3f}".format(g_vals.get("G/loss_cls", float("nan"))),
                                     "G/rec": "{:.3f}".format(g_vals.get("G/loss_rec", float("nan")))})
            if step % config.save_steps == 0:
                grid = save_samples()
                if grid is not None:
                    writer.add_summary(_summary({}, step, image=grid), step)
            if step % config.checkpoint_steps == 0:
                save_checkpoint()
                last_saved = step
            if stop.signal:
                stopped_by = stop.signal
                break
    if last_saved != step:
        save_checkpoint()
        if step % config.save_steps:
            save_samples()
    elapsed = time.time() - t_start
    close()
    trained = step - start_step
    result = {
        "run_dir": run_dir, "step": step, "start_step": start_step, "device": device,
        "checkpoint": runs.latest_checkpoint(run_dir), "seconds": round(elapsed, 1),
        "s_per_iter": round(elapsed / trained, 4) if trained else None,
        "finished": step >= config.training_iterations, "interrupted_by": stopped_by,
    }
    if stopped_by:
        print("Stopped by {} at iteration {}; checkpoint written: {}. Run again to resume.".format(
            stopped_by, step, result["checkpoint"]))
    return result


def main(argv=None):
    """python -m stargan_nb.train --preset toy [--run-dir outputs/toy] [--set key=value ...]"""
    import argparse
    import json
    p = argparse.ArgumentParser(description="Train or resume a StarGAN run.")
    p.add_argument("--preset", default="toy")
    p.add_argument("--run-dir", default=None)
    p.add_argument("--max-iterations", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a Config field (JSON value), e.g. --set training_iterations=500")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    config = Config.preset(a.preset, **parse_overrides(a.set))
    result = train(config, a.run_dir or str(resolve(config.output_dir)), progress=not a.no_progress,
                   max_iterations=a.max_iterations)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

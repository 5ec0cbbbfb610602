"""Train StarGAN: `train(config, run_dir)` starts a run or resumes the one already in run_dir.

One iteration is one discriminator step; every d_train_repeat-th iteration adds one generator
step on the same batch (`model.training_graph`). The pieces the loop calls each do one thing:
`checkpoints` (resume and save), `monitor` (metrics, TensorBoard, progress, sample grids) and
`guards` (stop requests, divergence, bad images).
"""
import os
import time

import numpy as np

from .. import runs
from ..config import Config, parse_overrides
from ..data import dataset as datasets
from ..kinds import kind_of
from ..model.labels import space
from ..model.training_graph import build_training_graph, run_iteration
from ..runtime import device as devices
from ..runtime.paths import resolve
from ..runtime.tfcompat import tf
from .checkpoints import Checkpointer, checkpoint_bytes, make_saver, plan_restore
from .guards import StopRequest, TrainingDivergedError, bad_image_error, check_finite  # noqa: F401 (public)
from .monitor import Monitor, SampleWriter


def check_resumable_with(run, config, allow_split_change=False, found=None):
    """Refuse a config that may not resume the run there (another network, another split); True if trained.
    found: the run's checkpoints, where the caller has listed them already."""
    trained = bool(run.checkpoints() if found is None else found)
    if run.has_config():
        runs.check_compatible(run.load_config(), config, run.path, trained=trained,
                              allow_split_change=allow_split_change)
    return trained


def check_run(run, config, datasets, allow_split_change=False):
    """Check the run directory against this config and data; returns (the restore plan, whether the split changed).

    Called with the run's lock held. Everything that can refuse (another architecture, another split, data
    that would split otherwise, checkpoints none of which can be restored) does so here, before anything is
    written; `record_start` writes once the checkpoint has been restored."""
    found = run.checkpoints()  # listed and checked once, for both questions
    trained = check_resumable_with(run, config, allow_split_change, found)
    changed = run.check_split(datasets, allow_change=allow_split_change or not trained)
    return plan_restore(run, found), changed


def record_start(run, config, datasets, changed, step):
    """config.json and (when new or changed) split.json, after the restore that could still refuse."""
    run.save_config(config)
    if changed or not os.path.exists(run.split_path):
        run.record_split(datasets, step=step)


def build_graph(config, dataset, device, sample_batch=None, second=None):
    """The training graph fed by the training split's pipeline (and joint training's second dataset's),
    its saver and its initialiser."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(config.seed)
        images, labels = tf.data.make_one_shot_iterator(datasets.make_input(config, dataset, "train")).get_next()
        if second is not None:
            second = tf.data.make_one_shot_iterator(datasets.make_input(config, second, "train")).get_next()
        g = build_training_graph(images, labels, config, device, sample_batch=sample_batch, second=second)
        saver = make_saver()
        init = tf.global_variables_initializer()
    return graph, g, saver, init


def fixed_test_batch(config, dataset, n=8):
    """The first n test images and labels: the rows of every sample grid of the run."""
    n = min(n, len(dataset.split.test_files))
    if n == 0:
        s = config.image_size
        return np.zeros((0, s, s, 3), np.float32), np.zeros((0, config.label_dim), np.float32)
    _, images, labels = datasets.preview(config, dataset, n=n)
    return images, labels


def train(config: Config, run_dir=None, progress=True, max_iterations=None, allow_split_change=False):
    """Train (or resume) a run; returns a dict with the final step, checkpoint and timing.

    max_iterations stops this call after that many new iterations (the schedule still follows
    config.training_iterations), which is how tests and notebooks train in slices.
    allow_split_change: resume even though seed, n_test or metadata_path changed the train/test split.
    """
    config.validate()
    device = devices.resolve_device(config.device)
    session_config = devices.session_config(device, config.precision_mode)  # a mode this machine lacks stops here
    run = runs.Run(run_dir or config.output_dir)
    check_resumable_with(run, config, allow_split_change)  # the config first: it names the field that differs
    dataset = datasets.load_dataset(config)
    second = datasets.load_second_dataset(config) if kind_of(config).joint else None
    x_fixed, c_fixed = fixed_test_batch(config, dataset)
    graph, g, saver, init = build_graph(config, dataset, device, sample_batch=len(x_fixed) or None, second=second)
    run.check_writable(checkpoint_bytes(graph))
    data = {"first": dataset, "second": second}
    created = run.make()  # the folders this call made, and only those, are removed if the start fails
    lock = run.lock()
    sess = None
    try:
        lock.acquire()
        plan, changed = check_run(run, config, data, allow_split_change)
        os.makedirs(run.checkpoint_dir, exist_ok=True)
        sess = tf.Session(graph=graph, config=session_config)
        checkpoints = Checkpointer(sess, saver, run, config.keep_checkpoints, lock)
        checkpoints.restore_or_initialise(init, plan)
        step = start_step = int(sess.run(g.global_step))
        record_start(run, config, data, changed, step)
    except BaseException:
        if sess is not None:
            sess.close()
        lock.release()
        run.unmake(created)  # a failed start leaves the directory as it found it
        raise
    monitor = None
    try:
        target = config.training_iterations if max_iterations is None else min(
            config.training_iterations, step + int(max_iterations))
        samples = SampleWriter(run, x_fixed, c_fixed, space(config), g)
        monitor = Monitor(run, graph, step, config, progress)
        g_vals = {}
        with StopRequest() as stop:
            while step < target and not stop.signal:
                try:
                    lr, d_vals, new_g_vals, scaling = run_iteration(sess, g, step, config)
                except tf.errors.InvalidArgumentError as err:  # the decoder met a bad image
                    checkpoints.save(step)  # keep what was trained, then name the broken files
                    monitor.close()
                    raise bad_image_error(dataset, err, progress, second) from None
                step += 1
                g_vals = new_g_vals or g_vals  # D-only iterations report G's last values
                check_finite(step, dict(d_vals, **g_vals), run)
                monitor.iteration_done(step, lr, d_vals, g_vals, scaling, last=(step == target))
                if step % config.save_steps == 0:
                    monitor.add_samples(samples.write(sess, step), step)
                if step % config.checkpoint_steps == 0:
                    checkpoints.save(step)
        if checkpoints.last_saved != step:
            checkpoints.save(step)
            if step % config.save_steps:
                samples.write(sess, step)
    finally:
        if monitor is not None:
            monitor.close()
        sess.close()
        lock.release()
    return _report(run, step, start_step, device, config, monitor.t_start, stop.signal, checkpoints.skipped)


def _report(run, step, start_step, device, config, t_start, stopped_by, skipped):
    elapsed = time.time() - t_start
    trained = step - start_step
    result = {
        "run_dir": run.path, "step": step, "start_step": start_step, "device": device,
        "checkpoint": run.latest_checkpoint(), "seconds": round(elapsed, 1), "skipped_checkpoints": skipped,
        "s_per_iter": round(elapsed / trained, 4) if trained else None,
        "finished": step >= config.training_iterations, "interrupted_by": stopped_by,
    }
    if stopped_by:
        print("Stopped by {} at iteration {}; checkpoint written: {}. Run again to resume.".format(
            stopped_by, step, result["checkpoint"]))
    return result


def main(argv=None):
    """python -m stargan_nb train --preset toy [--run-dir outputs/toy] [--set key=value ...]"""
    import argparse
    import json
    p = argparse.ArgumentParser(prog="python -m stargan_nb train", description="Train or resume a StarGAN run.")
    p.add_argument("--preset", default="toy")
    p.add_argument("--run-dir", default=None)
    p.add_argument("--max-iterations", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a Config field (JSON value), e.g. --set training_iterations=500")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--allow-split-change", action="store_true",
                   help="resume although seed, n_test or metadata_path changed the train/test split")
    a = p.parse_args(argv)
    config = Config.preset(a.preset, **parse_overrides(a.set))
    result = train(config, a.run_dir or str(resolve(config.output_dir)), progress=not a.no_progress,
                   max_iterations=a.max_iterations, allow_split_change=a.allow_split_change)
    print(json.dumps(result))

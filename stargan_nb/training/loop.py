"""Train StarGAN: `train(config, run_dir)` starts a run or resumes the one already in run_dir.

One iteration is one discriminator step; every d_train_repeat-th iteration adds one generator
step on the same batch (`model.training_graph`). The pieces the loop calls each do one thing:
`checkpoints` (resume and save), `monitor` (metrics, TensorBoard, progress, sample grids) and
`guards` (stop requests, divergence, bad images).
"""
import dataclasses
import os
import sys
import time

import numpy as np

from .. import distribute, runs
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


def build_graph(config, dataset, device, sample_batch=None, second=None, world=None):
    """The training graph fed by this rank's shard of the training split (and joint training's second dataset's),
    its saver and its initialiser."""
    world = world or distribute.World()
    graph = tf.Graph()
    with graph.as_default(), world.device_scope():
        tf.set_random_seed(config.seed)
        images, labels = tf.data.make_one_shot_iterator(
            datasets.make_input(config, dataset, "train", world.rank, world.size)).get_next()
        if second is not None:
            second = tf.data.make_one_shot_iterator(
                datasets.make_input(config, second, "train", world.rank, world.size)).get_next()
        g = build_training_graph(images, labels, config, device, sample_batch=sample_batch, second=second,
                                 gradient_reducer=world.reduce_gradients if world.size > 1 else None)
        saver = make_saver()
        init = tf.global_variables_initializer()
    return graph, g, saver, init


def broadcast_op(graph, world):
    """Rank 0's variables to every rank, run after rank 0's restore (None on one device); it also initialises
    the stop vote, which is no checkpoint's variable."""
    with graph.as_default(), world.device_scope():
        broadcast = world.broadcast_variables(graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES))
        return None if broadcast is None else tf.group(broadcast, world.local_init())


def scaled_learning_rate(config, world):
    """The config the graph is built with: init_learning_rate times the number of ranks under lr_scaling
    "linear" (config.json keeps the value asked for)."""
    if config.lr_scaling == "linear" and world.size > 1:
        return dataclasses.replace(config, init_learning_rate=config.init_learning_rate * world.size)
    return config


def describe_batch(config, world, graph_config):
    """The line every rank prints at start: its place in the job, the batches and the learning rate."""
    return "{}: batch {} per device, global batch {}, learning rate {:g}{}".format(
        world.describe(), config.batch_size, config.batch_size * world.size, graph_config.init_learning_rate,
        " (init_learning_rate x {} ranks, lr_scaling linear)".format(world.size)
        if graph_config is not config else "")


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
    On more than one device (`distribute`) every rank calls this; rank 0 alone checks and writes the run
    (lock, config.json, split.json, checkpoints, samples, metrics, TensorBoard) and restores it, and the others
    start from rank 0's variables, broadcast.
    """
    config.validate()
    world = distribute.world_from_environment(config)
    device = devices.resolve_device(config.device)
    # a mode this machine lacks stops here
    session_config = world.session_config(devices.session_config(device, config.precision_mode))
    graph_config = scaled_learning_rate(config, world)
    run = runs.Run(run_dir or config.output_dir)
    check_resumable_with(run, config, allow_split_change)  # the config first: it names the field that differs
    dataset = datasets.load_dataset(config)
    second = datasets.load_second_dataset(config) if kind_of(config).joint else None
    x_fixed, c_fixed = fixed_test_batch(config, dataset)
    graph, g, saver, init = build_graph(graph_config, dataset, device, len(x_fixed) or None, second, world)
    broadcast = broadcast_op(graph, world)
    target_address = world.start(session_config)
    if world.size > 1:
        print(describe_batch(config, world, graph_config), flush=True)
    if world.is_writer:
        run.check_writable(checkpoint_bytes(graph))
        sess, checkpoints, lock = _start_writer(run, config, graph, g, saver, init, dataset, second,
                                                allow_split_change, session_config, target_address)
    else:
        sess = tf.Session(target_address, graph=graph, config=session_config)
        sess.run(init)
        checkpoints, lock = _NoCheckpoints(), None
    try:
        if broadcast is not None:
            with world.guard("the broadcast of rank 0's variables at the start", first=True):
                sess.run(broadcast)
        step = start_step = int(sess.run(g.global_step))
    except BaseException:
        _close(sess, lock)
        raise
    monitor = None
    try:
        target = config.training_iterations if max_iterations is None else min(
            config.training_iterations, step + int(max_iterations))
        if world.is_writer:
            samples = SampleWriter(run, x_fixed, c_fixed, space(config), g)
            monitor = Monitor(run, graph, step, config, progress)
        else:
            samples, monitor = None, _Silent()
        g_vals, kinds_run = {}, set()
        with StopRequest() as stop:
            while step < target:
                if stop.signal:
                    if world.size == 1:
                        break
                    world.vote_stop(sess)
                kind = (step + 1) % config.d_train_repeat == 0  # with G's step or without: two graphs to optimise
                try:
                    with world.guard("iteration {}".format(step + 1), first=kind not in kinds_run):
                        lr, d_vals, new_g_vals, scaling = run_iteration(sess, g, step, graph_config)
                except tf.errors.InvalidArgumentError as err:  # the decoder met a bad image
                    checkpoints.save(step)  # keep what was trained, then name the broken files
                    monitor.close()
                    raise bad_image_error(dataset, err, progress, second) from None
                step += 1
                kinds_run.add(kind)
                g_vals = new_g_vals or g_vals  # D-only iterations report G's last values
                check_finite(step, dict(d_vals, **g_vals), run)
                monitor.iteration_done(step, lr, d_vals, g_vals, scaling, last=(step == target))
                if samples is not None and step % config.save_steps == 0:
                    monitor.add_samples(samples.write(sess, step), step)
                if step % config.checkpoint_steps == 0:
                    checkpoints.save(step)
                if world.size > 1 and world.stop_agreed(sess, stop.signal):  # every rank stops at the same step
                    stop.signal = stop.signal or "a stop request to another rank"
                    break
        if checkpoints.last_saved != step:
            checkpoints.save(step)
            if samples is not None and step % config.save_steps:
                samples.write(sess, step)
    finally:
        if monitor is not None:
            monitor.close()
        _close(sess, lock)
    return _report(run, step, start_step, device, config, monitor.t_start, stop.signal, checkpoints.skipped)


def _start_writer(run, config, graph, g, saver, init, dataset, second, allow_split_change, session_config, target):
    """Rank 0 (or the only rank): take the run's lock, check the run, restore or initialise, record the start.
    A failed start leaves the directory as it found it. Returns (session, checkpointer, lock)."""
    data = {"first": dataset, "second": second}
    created = run.make()  # the folders this call made, and only those, are removed if the start fails
    lock = run.lock()
    sess = None
    try:
        lock.acquire()
        plan, changed = check_run(run, config, data, allow_split_change)
        os.makedirs(run.checkpoint_dir, exist_ok=True)
        sess = tf.Session(target, graph=graph, config=session_config)
        checkpoints = Checkpointer(sess, saver, run, config.keep_checkpoints, lock)
        checkpoints.restore_or_initialise(init, plan)
        record_start(run, config, data, changed, int(sess.run(g.global_step)))
    except BaseException:
        _close(sess, lock)
        run.unmake(created)
        raise
    return sess, checkpoints, lock


def _close(sess, lock):
    if sess is not None:
        sess.close()
    if lock is not None:
        lock.release()


class _NoCheckpoints:
    """A rank other than 0: it saves nothing (rank 0's checkpoint holds the same variables)."""
    last_saved = None
    skipped = []

    def save(self, step):
        self.last_saved = step


class _Silent:
    """A rank other than 0: no metrics, TensorBoard or progress bar (rank 0 reports the job)."""

    def __init__(self):
        self.t_start = time.time()

    def iteration_done(self, *args, **kwargs):
        pass

    def add_samples(self, *args):
        pass

    def close(self):
        pass


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
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="train data-parallel in N processes on this machine, joined by TensorFlow's collectives "
                        "on 127.0.0.1 (batch_size is per process)")
    argv = list(sys.argv[1:] if argv is None else argv)
    a = p.parse_args(argv)
    if a.workers < 1:
        p.error("--workers must be at least 1, got {}".format(a.workers))
    if a.workers > 1:
        from ..distribute.launcher import launch
        return launch(_without_workers(argv), a.workers)
    config = Config.preset(a.preset, **parse_overrides(a.set))
    result = train(config, a.run_dir or str(resolve(config.output_dir)), progress=not a.no_progress,
                   max_iterations=a.max_iterations, allow_split_change=a.allow_split_change)
    print(json.dumps(result))


def _without_workers(argv):
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--workers":
            skip = True
        elif not arg.startswith("--workers="):
            out.append(arg)
    return out

"""Checkpoints of a training run: resume from the newest usable one, save, keep the last few, lose nothing.

A checkpoint holds the global step, both networks and both Adam states, so a resumed run continues
exactly where it left off. Checkpoints are found by listing the run's own checkpoints/ folder (never through
TensorFlow's `checkpoint` state file, which may name another directory), and only that folder's files are
ever rotated away. A checkpoint that cannot be restored is skipped out loud and moved to
checkpoints/unusable/, not overwritten; a run that has checkpoints never silently starts again from 0.
"""
import os
import shutil

from .. import runs
from ..runs import checkpoint_files as files
from ..runs.run import problems
from ..runtime.tfcompat import tf


def make_saver():
    """A Saver that writes checkpoint state relative to its folder and rotates nothing itself (see `save`)."""
    return tf.train.Saver(max_to_keep=None, save_relative_paths=True)


def checkpoint_bytes(graph):
    """What one checkpoint of the graph's variables takes on disk."""
    total = 0
    for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES):
        n = v.shape.num_elements() or 0
        total += n * v.dtype.base_dtype.size
    return total


def plan_restore(run, found=None):
    """(the newest usable checkpoint or None, the unusable ones newer than it); a RunError if the run has
    checkpoints but none that can be restored. found: run.checkpoints(), where already listed."""
    found = run.checkpoints() if found is None else found
    newest, skipped = run.newest_usable(found)
    if found and newest is None:
        raise runs.RunError(
            "{} has checkpoints but none can be restored: {}. Nothing was changed. Put the missing files back "
            "(from a copy of the run), or train into a new output_dir".format(run.checkpoint_dir, problems(found)))
    return newest, skipped


class Checkpointer:
    """Saves and restores the whole training state of `sess` in the run's checkpoints folder."""

    def __init__(self, sess, saver, run, keep=3, lock=None):
        """lock: the run's training lock, checked before every save (see save)."""
        self.sess, self.saver, self.run, self.keep, self.lock = sess, saver, runs.Run.of(run), keep, lock
        self.last_saved = None
        self.skipped = []

    def restore_or_initialise(self, init_op, plan=None):
        """Restore the newest usable checkpoint, else run init_op; newer unusable ones are moved aside and named.

        plan: (newest, skipped) as plan_restore found them before the run was written to (found anew if None)."""
        newest, skipped = plan if plan is not None else plan_restore(self.run)
        removed = files.remove_temporary_files(self.run.checkpoint_dir)
        if removed:
            print("Removed what an interrupted save left: " + ", ".join(removed))
        while newest is not None:
            check_resumable(newest.prefix, self.sess.graph)
            try:
                self.saver.restore(self.sess, newest.prefix)
                break
            except tf.errors.DataLossError as err:  # its bytes are damaged: skip it like one with a file missing
                newest.problem = "damaged: " + files.first_line(err)
                skipped.append(newest)
                older = [c for c in self.run.checkpoints() if c.usable and c.step < newest.step]
                newest = older[-1] if older else None
            except tf.errors.OpError as err:
                raise runs.RunError(
                    "{} does not fit this training graph ({}): the run was trained with other settings than these "
                    "(is its config.json the one it was trained with?). Nothing was changed; resume with the "
                    "settings it was trained with, or train into a new output_dir".format(
                        newest.prefix, files.first_line(err))) from None
        for ckpt in skipped:
            self.skipped.append("{} ({}), moved to {}".format(ckpt.name, ckpt.problem, move_aside(self.run, ckpt)))
        if self.skipped:
            print("Skipped checkpoints that cannot be restored: " + "; ".join(self.skipped))
        if newest is None:
            if skipped:
                raise runs.RunError("{} has checkpoints but none can be restored: {}".format(
                    self.run.checkpoint_dir, "; ".join(self.skipped)))
            self.sess.run(init_op)
            return None
        self.last_saved = newest.step
        if self.skipped:
            print("Resuming from {}".format(newest.name))
        return newest.prefix

    def save(self, step):
        """Write model-<step>, then remove the oldest beyond `keep` (never the one just written).

        A write that fails (a full disk, a read-only folder) removes what it left, keeps the previous
        checkpoint, and raises a RunError that says so."""
        prefix = "{}-{}".format(self.run.checkpoint_prefix, step)
        if self.lock is not None and not self.lock.still_ours():
            raise runs.RunError(
                "{} was removed or replaced while this training held it, so another training may be writing into "
                "the run now; stopped without saving iteration {} (the last checkpoint kept is {}). Deleting the "
                "lock file does not stop a training: interrupt it instead".format(
                    self.lock.path, step, self.last_saved))
        try:
            self.saver.save(self.sess, self.run.checkpoint_prefix, global_step=step, write_meta_graph=False)
        except (tf.errors.OpError, OSError) as err:
            raise self._failed(step, prefix, err) from None
        self.last_saved = step
        self._rotate(step)
        return prefix

    def _failed(self, step, prefix, err):
        files.remove_temporary_files(self.run.checkpoint_dir)
        if files.problem_of(prefix):
            files.remove_checkpoint_files(prefix)
        previous = self.run.latest_checkpoint()
        reason = files.first_line(err)
        plain = next((words for key, words in _REASONS if key in reason.lower()), "the write failed")
        return runs.RunError(
            "could not save the checkpoint of iteration {} in {}: {} ({}). Its partial files were removed; {}. "
            "Free space or fix the folder's permissions, then run again to resume".format(
                step, self.run.checkpoint_dir, plain, reason,
                "the previous checkpoint {} is complete and the run resumes from it".format(
                    os.path.basename(previous)) if previous else "no earlier checkpoint exists"))

    def _rotate(self, newest_step):
        usable = [c for c in self.run.checkpoints() if c.usable and c.step != newest_step]
        for ckpt in usable[:max(0, len(usable) - (self.keep - 1))]:
            try:
                files.remove_checkpoint_files(ckpt.prefix)
            except OSError as err:  # the new checkpoint is safe; an old one that stays is no reason to stop
                print("Could not remove the old checkpoint {} ({}); it stays".format(ckpt.name, err.strerror))


_REASONS = (("no space", "the disk is full"), ("file too large", "the file grew past the size allowed"),
            ("quota", "the disk quota is used up"), ("permission", "the folder is not writable"),
            ("read-only", "the folder is read-only"), ("operation not permitted", "the folder is not writable"))


def move_aside(run, ckpt):
    """Move an unusable checkpoint's files to checkpoints/unusable/ (never overwritten by a later save)."""
    folder = os.path.join(run.checkpoint_dir, runs.UNUSABLE)
    os.makedirs(folder, exist_ok=True)
    for path in ckpt.files():
        target = os.path.join(folder, os.path.basename(path))
        n = 1
        while os.path.exists(target):
            target = os.path.join(folder, "{}.{}".format(os.path.basename(path), n))
            n += 1
        shutil.move(path, target)
    return os.path.relpath(folder, run.path)


def check_resumable(checkpoint, graph):
    """A checkpoint without the optimizer state (a converted run) cannot resume: say so, not NotFoundError."""
    saved = dict(tf.train.list_variables(checkpoint))
    graph_vars = graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)
    # Resource variables take a restored value of any shape, so a checkpoint of another width would only fail
    # at the first iteration, with a raw reshape error: compare the shapes here.
    other = [(v.op.name, saved[v.op.name], v.shape.as_list()) for v in graph_vars
             if v.op.name in saved and list(saved[v.op.name]) != v.shape.as_list()]
    if other:
        raise runs.RunError(
            "{} does not fit this training graph: {} of its variables have other shapes (e.g. {} is {} there, {} "
            "here), so the run was trained with other settings than these (is its config.json the one it was "
            "trained with?). Nothing was changed; resume with the settings it was trained with, or train into a "
            "new output_dir".format(checkpoint, len(other), other[0][0], other[0][1], other[0][2]))
    missing = sorted(v.op.name for v in graph_vars if v.op.name not in saved)
    if missing and not any("adam" in name.lower() for name in missing):
        raise runs.RunError(
            "{} lacks {} variables of this training graph (e.g. {}): it was written with other training settings, "
            "such as a precision_mode without loss scaling, whose state is part of a checkpoint. Resume with the "
            "settings it was trained with, or train into a new output_dir".format(
                checkpoint, len(missing), ", ".join(missing[:3])))
    if missing:
        raise runs.RunError(
            "{} lacks {} variables that training needs (e.g. {}): it holds only the networks, as a run converted "
            "from the reference's weights does, so it can translate, evaluate and freeze but not resume. Train "
            "into a new output_dir".format(checkpoint, len(missing), ", ".join(missing[:3])))

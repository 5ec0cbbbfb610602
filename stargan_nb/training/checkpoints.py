"""Checkpoints of a training run: start fresh or resume, save, and never leave half a checkpoint behind.

A checkpoint holds the global step, both networks and both Adam states, so a resumed run continues
exactly where it left off.
"""
from .. import runs
from ..runtime.tfcompat import tf


class Checkpointer:
    """Saves and restores the whole training state of `sess` in run_dir's checkpoints folder."""

    def __init__(self, sess, saver, run_dir):
        self.sess, self.saver, self.run_dir = sess, saver, run_dir
        self.last_saved = None

    def restore_or_initialise(self, init_op):
        """Restore the latest complete checkpoint (removing partial ones first), else run init_op."""
        runs.remove_partial_checkpoints(self.run_dir)
        latest = runs.latest_checkpoint(self.run_dir)
        if latest is None:
            self.sess.run(init_op)
            return None
        check_resumable(latest, self.sess.graph)
        self.saver.restore(self.sess, latest)
        # Let the saver rotate the checkpoints of earlier sessions too (keep_checkpoints in all).
        state = tf.train.get_checkpoint_state(runs.checkpoint_dir(self.run_dir))
        self.saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))
        self.last_saved = runs.checkpoint_step(latest)
        return latest

    def save(self, step):
        prefix = self.saver.save(self.sess, runs.checkpoint_prefix(self.run_dir), global_step=step,
                                 write_meta_graph=False)
        self.last_saved = step
        return prefix


def check_resumable(checkpoint, graph):
    """A checkpoint without the optimizer state (a converted run) cannot resume: say so, not NotFoundError."""
    saved = {name for name, _ in tf.train.list_variables(checkpoint)}
    missing = sorted(v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) if v.op.name not in saved)
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

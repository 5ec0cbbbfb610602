"""The checkpoints of a run, found by listing its own folder, never through TensorFlow's `checkpoint` state file.

Why: the state file may hold absolute paths (a copied run would then restore from, and rotate away, the
original's files) and names only what the last writer saw. A checkpoint counts as usable when its index opens
and its data shards are all there, as long as the tensors the index lists; anything less is named with the
reason, so a resume can skip it out loud instead of starting from 0.
"""
import glob
import os
import re
from dataclasses import dataclass

PREFIX = "model"  # TensorFlow's Saver appends -<step>


@dataclass
class CheckpointFile:
    step: int
    prefix: str             # <folder>/model-<step>, what Saver.restore takes
    problem: str = None     # why it cannot be restored; None when usable

    @property
    def usable(self):
        return self.problem is None

    @property
    def name(self):
        return os.path.basename(self.prefix)

    def files(self):
        """Every file of this checkpoint on disk (index and data shards)."""
        return sorted(glob.glob(glob.escape(self.prefix) + ".index") +
                      glob.glob(glob.escape(self.prefix) + ".data-*-of-*"))


def checkpoint_step(prefix):
    m = re.search(re.escape(PREFIX) + r"-(\d+)$", str(prefix or ""))
    return int(m.group(1)) if m else None


def list_checkpoints(folder, check=True, prefix=PREFIX):
    """Every checkpoint <prefix>-<step> in `folder` by step, oldest first, each with its problem (None: usable)."""
    if not os.path.isdir(folder):
        return []
    pattern = re.compile(r"^" + re.escape(prefix) + r"-(\d+)(?:\.index|\.data-\d+-of-\d+)$")
    steps = sorted({int(m.group(1)) for m in map(pattern.match, os.listdir(folder)) if m})
    found = [CheckpointFile(s, os.path.join(folder, "{}-{}".format(prefix, s))) for s in steps]
    if check:
        for ckpt in found:
            ckpt.problem = problem_of(ckpt.prefix)
    return found


def problem_of(prefix):
    """Why the checkpoint at `prefix` cannot be restored, or None."""
    if not os.path.exists(prefix + ".index"):
        return "its .index file is missing"
    shards = glob.glob(glob.escape(prefix) + ".data-*-of-*")
    if not shards:
        return "its .data file is missing"
    expected = int(shards[0].rsplit("-of-", 1)[1])
    if len(shards) != expected:
        return "{} of its {} .data files are missing".format(expected - len(shards), expected)
    from ..runtime.tfcompat import tf
    try:
        reader = tf.train.NewCheckpointReader(prefix)
        shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    except Exception as err:  # DataLossError, NotFoundError, ...: an index that does not parse
        return "its .index cannot be read ({})".format(first_line(err))
    need = 0
    for name, shape in shapes.items():
        n = 1
        for d in shape:
            n *= d
        need += n * (dtypes[name].size if dtypes[name] != tf.string else 0)
    have = sum(os.path.getsize(p) for p in shards)
    if have < need:
        return "its .data holds {} of the {} bytes its index lists (cut short)".format(have, need)
    return None


def usable_checkpoints(folder, prefix=PREFIX):
    return [c for c in list_checkpoints(folder, prefix=prefix) if c.usable]


def newest_usable(folder, prefix=PREFIX):
    """The prefix of the newest usable checkpoint in folder, or None."""
    found = usable_checkpoints(folder, prefix)
    return found[-1].prefix if found else None


def remove_checkpoint_files(prefix):
    for path in glob.glob(glob.escape(prefix) + ".index") + glob.glob(glob.escape(prefix) + ".data-*-of-*"):
        os.unlink(path)


# What TensorFlow's Saver writes before renaming: <prefix>-<step>_temp[_<hex>]/ (its shards) and
# <file>.tempstate<digits> (TF 1.15 and 2.x). Nothing else in the folder is ever removed as temporary.
_TEMPORARY = re.compile(r"^(?:" + re.escape(PREFIX) + r"-\d+_temp(?:_[0-9a-f]+)?|.+\.tempstate\d+)$")


def remove_temporary_files(folder):
    """What a write cut short left behind (TensorFlow's temporary names only); complete checkpoints stay."""
    import shutil
    if not os.path.isdir(folder):
        return []
    removed = []
    for name in os.listdir(folder):
        if _TEMPORARY.match(name):
            path = os.path.join(folder, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)
            removed.append(name)
    return removed


def first_line(err):
    text = getattr(err, "message", None) or str(err)
    return text.strip().splitlines()[0][:160] if text.strip() else type(err).__name__

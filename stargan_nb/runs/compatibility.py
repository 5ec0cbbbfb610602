"""Whether a Config may resume the run a directory holds: the same network, and (once trained) the same split."""
from ..config import Config, ConfigError
from ..kinds import kind_of
from ..runtime.paths import resolve

ARCHITECTURE_FIELDS = ("image_size", "g_conv_dim", "d_conv_dim", "g_repeat_num", "d_repeat_num",
                       "dataset", "c_dim", "selected_attrs", "c2_dim", "rafd_domains", "attention")
# The fields that decide which rows are test images (data.attributes.split): changing one on resume would
# let test images into training. (selected_attrs, which also selects the labels, is an architecture field.)
# What the data itself holds is compared through the run's split.json (split_record).
SPLIT_FIELDS = ("metadata_path", "n_test", "seed", "rafd_image_root", "rafd_n_test")


def _differences(saved, requested, fields):
    def value(config, name):  # the same files, however their paths are written
        name = kind_of(config).split_field(name)  # a folder dataset's rows are the files under its root
        v = getattr(config, name)
        return str(resolve(v)) if name in ("metadata_path", "image_root", "rafd_image_root") else v
    return ["{} (saved {!r}, requested {!r})".format(f, getattr(saved, f), getattr(requested, f))
            for f in fields if value(saved, f) != value(requested, f)]


def check_compatible(saved: Config, requested: Config, where, trained=True, allow_split_change=False):
    """Once something was trained, refuse to resume into a different network or with a different split.

    Every differing field is named. allow_split_change resumes with the new split all the same. A run with no
    checkpoint yet (a start that failed before its first save) holds nothing to lose: the new config replaces it.
    """
    diffs = _differences(saved, requested, ARCHITECTURE_FIELDS)
    if diffs and trained:
        raise ConfigError(
            "{} holds a run with a different architecture: {}. Use a new output_dir for the new "
            "architecture, or the saved values to resume it".format(where, "; ".join(diffs)))
    diffs = _differences(saved, requested, SPLIT_FIELDS)
    if diffs and trained and not allow_split_change:
        raise ConfigError(
            "{} was trained on another train/test split: {}. Resuming would train on images that the run "
            "tests on. Use the saved values to resume, or a new output_dir; allow_split_change=True "
            "(--allow-split-change) resumes anyway, and the test figures of the run then include images it "
            "was trained on".format(where, "; ".join(diffs)))

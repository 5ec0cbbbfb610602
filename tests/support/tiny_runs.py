"""Tiny configurations and runs on the toy faces, so tests of later stages have a real run to read."""
from stargan_nb.config import Config

# The networks every tiny test run uses: 16 px, 8 channels, one residual block, two D layers.
TINY_NETWORKS = dict(image_size=16, g_conv_dim=8, d_conv_dim=8, g_repeat_num=1, d_repeat_num=2)
TINY = dict(TINY_NETWORKS, batch_size=4, n_test=8, training_iterations=10, num_step_decay=0, checkpoint_steps=5,
            save_steps=5)


def tiny_config(toy_root, **changes):
    values = dict(TINY, image_root=str(toy_root / "images"), metadata_path=str(toy_root / "list_attr_celeba.txt"))
    values.update(changes)
    return Config.preset("toy", **values)


def train_tiny(toy_root, run_dir, **changes):
    """Train a tiny run to completion in run_dir; returns run_dir as a string."""
    from stargan_nb.training.loop import train
    train(tiny_config(toy_root, **changes), str(run_dir), progress=False)
    return str(run_dir)


def tiny_folder_config(rafd_root, **changes):
    """A tiny run on the toy expressions' folders."""
    values = dict(TINY, image_root=str(rafd_root), n_test=16)
    values.update(changes)
    return Config.preset("toy_rafd", **values)


def tiny_joint_config(toy_root, rafd_root, **changes):
    """A tiny joint run: the toy faces and the toy expressions with the mask vector."""
    values = dict(TINY, image_root=str(toy_root / "images"), metadata_path=str(toy_root / "list_attr_celeba.txt"),
                  rafd_image_root=str(rafd_root), rafd_n_test=16)
    values.update(changes)
    return Config.preset("toy_both", **values)


def copy_run(run_dir, destination):
    """A private copy of a trained run, for tests that write into it (eval.json, judge/, more checkpoints)."""
    import shutil
    shutil.copytree(str(run_dir), str(destination))
    return str(destination)


def fingerprint(run_dir):
    """Every file under run_dir with its size and modification time: equal before and after means untouched."""
    import os
    found = {}
    for folder, _, names in os.walk(str(run_dir)):
        for name in names:
            path = os.path.join(folder, name)
            info = os.stat(path)
            found[os.path.relpath(path, str(run_dir))] = (info.st_size, info.st_mtime_ns)
    return found

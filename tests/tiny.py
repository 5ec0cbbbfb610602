"""Tiny configurations and runs on the toy faces, so tests of later stages have a real run to read."""
from stargan_nb.config import Config

TINY = dict(image_size=16, g_conv_dim=8, d_conv_dim=8, g_repeat_num=1, d_repeat_num=2, batch_size=4, n_test=8,
            training_iterations=10, num_step_decay=0, checkpoint_steps=5, save_steps=5)


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

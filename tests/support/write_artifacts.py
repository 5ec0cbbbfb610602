"""Write a tiny trained run, its frozen .pb and reference outputs under THIS interpreter's TensorFlow.

The cross-version test runs it with the other environment's Python (TF 2.x when the suite runs on
TF 1.15, and the other way round), then reads everything back under its own TensorFlow.

Usage: python write_artifacts.py OUT_DIR
"""
import json
import sys

import numpy as np

from tiny_runs import tiny_config  # this folder is on sys.path: the script runs from it

from stargan_nb.deploy.freeze import freeze_generator  # noqa: E402
from stargan_nb.deploy.inference import Generator  # noqa: E402
from stargan_nb.runtime.tfcompat import TF_VERSION  # noqa: E402
from stargan_nb.data.toy_faces import make_toy_celeba  # noqa: E402
from stargan_nb.training.loop import train  # noqa: E402


def main(out):
    from pathlib import Path
    out = Path(out).resolve()
    make_toy_celeba(str(out / "toy"), 48, seed=3, progress=False)
    config = tiny_config(out / "toy", training_iterations=4, checkpoint_steps=2, save_steps=2, n_test=8)
    train(config, str(out / "run"), progress=False)
    freeze_generator(str(out / "run"), str(out / "generator.pb"))
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (3, config.image_size, config.image_size, 3)).astype(np.float32)
    c = (rng.uniform(size=(3, config.c_dim)) > 0.5).astype(np.float32)
    gen = Generator(str(out / "run"))
    np.savez(str(out / "expected.npz"), x=x, c=c, y=gen(x, c))
    gen.close()
    with open(str(out / "written_by.json"), "w") as f:
        json.dump({"tensorflow": TF_VERSION, "python": sys.version.split()[0]}, f)


if __name__ == "__main__":
    main(sys.argv[1])

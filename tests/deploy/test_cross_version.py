"""Checkpoints and frozen .pb files written under one TensorFlow load under the other (issue 9).

The suite runs under TF 1.15 (.venv) and TF 2.x (.venv-tf2); each run has the OTHER environment
write a tiny trained run and .pb, then reads them here: so `make test` checks both directions.
"""
import json
import os
import subprocess

import numpy as np
import pytest

from stargan_nb.config import Config
from stargan_nb.deploy.freeze import load_frozen
from stargan_nb.deploy.inference import Generator
from stargan_nb.runtime.tfcompat import IS_TF2, TF_VERSION
from stargan_nb.training.loop import train
from repo_paths import REPO, SUPPORT

OTHER = REPO / (".venv" if IS_TF2 else ".venv-tf2") / "bin" / "python"


@pytest.fixture(scope="module")
def written_by_other(tmp_path_factory):
    if not OTHER.exists():
        message = "the other TensorFlow environment {} is missing (make setup / make setup-tf2)".format(OTHER.parent.parent)
        if os.environ.get("CI"):
            pytest.fail(message + " -- CI must run this test")
        pytest.skip(message)
    out = tmp_path_factory.mktemp("cross")
    done = subprocess.run([str(OTHER), str(SUPPORT / "write_artifacts.py"), str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=str(REPO))
    assert done.returncode == 0, done.stderr[-3000:]
    with open(str(out / "written_by.json")) as f:
        writer = json.load(f)
    assert writer["tensorflow"].split(".")[0] != TF_VERSION.split(".")[0]  # really the other major version
    return out, dict(np.load(str(out / "expected.npz")))


def test_checkpoint_from_the_other_tensorflow_translates_the_same(written_by_other):
    out, expected = written_by_other
    gen = Generator(str(out / "run"))
    np.testing.assert_allclose(gen(expected["x"], expected["c"]), expected["y"], atol=1e-5)
    gen.close()


def test_frozen_pb_from_the_other_tensorflow_translates_the_same(written_by_other):
    out, expected = written_by_other
    translate = load_frozen(str(out / "generator.pb"))
    np.testing.assert_allclose(translate(expected["x"], expected["c"]), expected["y"], atol=1e-5)
    translate.session.close()


def test_training_resumes_from_the_other_tensorflows_checkpoint(written_by_other):
    out, _ = written_by_other
    config = Config.load(str(out / "run" / "config.json")).replace(training_iterations=6)
    result = train(config, str(out / "run"), progress=False)
    assert (result["start_step"], result["step"]) == (4, 6)

"""`make setup TF_BUILD=system` over a STAND-IN Ascend image Python (tests/support/image_python.py: a Python 3.7 installation
whose site-packages hold this suite's TensorFlow 1.15 and the stand-in npu_bridge). The Makefile, pip and the venv
are real; PIP_NO_INDEX proves that nothing is downloaded, so nothing the image has can have been replaced.
TensorFlow 1.15 environment only: the image must be a Python 3.7 with TensorFlow 1.15, which the TF 2.x suite's
Python 3.11 is not."""
import os
import subprocess
import sys
import time

import pytest

import image_python
from repo_paths import REPO


pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 7),
                                reason="the image Python is this suite's Python 3.7 with TensorFlow 1.15")


def run(args, **env):
    full = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **env)
    full.pop("PYTHONPATH", None)
    return subprocess.run(args, cwd=str(REPO), env=full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=900)


def spec(python, module):
    return run([str(python), "-c", "import importlib.util as u; print(u.find_spec('{}').origin)".format(module)],
               ).stdout.strip()


def freeze(python):
    return run([str(python), "-m", "pip", "freeze"]).stdout


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return image_python.make(tmp_path_factory.mktemp("image"))


def test_setup_installs_over_the_image_python_without_replacing_anything(image, tmp_path):
    before = freeze(image)
    venv = tmp_path / "venv"
    t0 = time.time()
    r = run(["make", "setup", "TF_BUILD=system", "PYTHON37=" + str(image), "VENV=" + str(venv)])
    print("make setup TF_BUILD=system: {:.1f} s".format(time.time() - t0))
    assert r.returncode == 0, r.stdout
    tf_version = run([str(image), "-m", "pip", "show", "intel-tensorflow", "tensorflow"]).stdout
    assert "uses the system's TensorFlow 1.15" in r.stdout and "npu_bridge: " + str(image.parents[1]) in r.stdout
    python = venv / "bin" / "python"
    assert spec(python, "tensorflow") == spec(image, "tensorflow")
    assert spec(python, "npu_bridge") == spec(image, "npu_bridge")
    listed = run([str(python), "-m", "pip", "list", "--format=freeze"]).stdout.lower().replace("_", "-").splitlines()
    tensorflows = [line for line in listed if line.split("==")[0] in ("tensorflow", "intel-tensorflow",
                                                                       "tensorflow-cpu", "tensorflow-gpu")]
    assert len(tensorflows) == 1 and tensorflows[0].split("==")[1] in tf_version, tensorflows
    assert freeze(image) == before  # the image Python's packages are as they were
    constraints = (venv / "system-constraints.txt").read_text()
    assert "numpy==" in constraints and tensorflows[0] in constraints.lower().replace("_", "-")
    # The suite's NPU-path tests, in the new venv with the image's npu_bridge
    tests = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/runtime/test_device.py",
                 "tests/runtime/test_doctor.py", "-k", "npu or healthy"])
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout[-3000:]


def test_npu_bridge_in_the_python_make_finds_chooses_system(image, tmp_path):
    r = run(["make", "-n", "setup", "PYTHON37=" + str(image), "VENV=" + str(tmp_path / "v")])
    assert "setup-system-tf" in r.stdout, r.stdout


def test_aarch64_without_a_system_tensorflow_says_to_use_the_image_python(tmp_path):
    bare = image_python.make(tmp_path / "bare", packages=False)
    r = run(["make", "setup", "ARCH=aarch64", "PYTHON37=" + str(bare), "VENV=" + str(tmp_path / "v")])
    assert r.returncode != 0 and "PyPI has no TensorFlow 1.15 for aarch64" in r.stdout
    assert "TF_BUILD=system" in r.stdout and not (tmp_path / "v").exists()
    r = run(["make", "setup", "TF_BUILD=system", "PYTHON37=" + str(bare), "VENV=" + str(tmp_path / "v")])
    assert r.returncode != 0 and "has none" in r.stdout and "PYTHON37=" in r.stdout

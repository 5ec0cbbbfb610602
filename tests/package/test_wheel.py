"""`pip install .` ships the whole package: the wheel built from this tree holds every subpackage and
data file, installs without -e, and every module imports from the installed copy, with one version.

The wheel is built from a copy of the sources in tmp_path (an in-tree build leaves build/ in the
repo, and a stale build/lib can ship files that no longer exist), offline: --no-build-isolation uses
the running venv's setuptools. It is installed with `pip install --target`, and the subprocesses put
that folder first on sys.path through PYTHONPATH; the venvs' editable install of this repo is a
meta-path finder that comes after sys.path, so the installed copy wins, which the test checks.
"""
import email.parser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from repo_paths import REPO

PACKAGE = REPO / "stargan_nb"
# What the build reads: the project table, its readme, the package (and any setuptools files, if added).
BUILD_INPUTS = ["pyproject.toml", "README.md", "setup.py", "setup.cfg", "MANIFEST.in", "LICENSE"]

IMPORT_ALL = r"""
import importlib, json, pkgutil, sys
import stargan_nb
mods = ["stargan_nb"]
def fail(name):
    raise
for info in pkgutil.walk_packages(stargan_nb.__path__, "stargan_nb.", onerror=fail):
    importlib.import_module(info.name)
    mods.append(info.name)
for alias in sorted(stargan_nb.STABLE_MODULES):  # the 0.1 names resolve to the installed modules too
    importlib.import_module(alias)
try:
    from importlib.metadata import version
except ImportError:  # Python 3.7
    from importlib_metadata import version
print(json.dumps({
    "file": stargan_nb.__file__, "version": stargan_nb.__version__, "dist_version": version("stargan-nb"),
    "modules": {m: getattr(sys.modules[m], "__file__", None) for m in mods + sorted(stargan_nb.STABLE_MODULES)},
}))
"""


def _run(cmd, cwd, env=None):
    r = subprocess.run(cmd, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert r.returncode == 0, "{} failed ({}):\n{}\n{}".format(" ".join(cmd), r.returncode, r.stdout[-3000:],
                                                               r.stderr[-3000:])
    return r


def _package_files():
    """The repo's package files the wheel must hold: every module and data file, relative to the root."""
    return sorted(p.relative_to(REPO).as_posix() for p in PACKAGE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))


def test_the_wheel_holds_every_subpackage_installs_and_imports_from_outside_the_repo(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (REPO / name).exists():
            shutil.copy2(str(REPO / name), str(src / name))
    shutil.copytree(str(PACKAGE), str(src / "stargan_nb"), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    pip_env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(wheels), str(src)], cwd=tmp_path, env=pip_env)
    built = sorted(wheels.glob("stargan_nb-*.whl"))
    assert len(built) == 1, built
    wheel = built[0]

    names = set(zipfile.ZipFile(str(wheel)).namelist())
    subpackages = sorted(p.parent.relative_to(REPO).as_posix() for p in PACKAGE.rglob("__init__.py")
                         if "__pycache__" not in p.parts)
    assert len(subpackages) > 1, subpackages  # stargan_nb and its subpackages
    assert [s for s in subpackages if s + "/__init__.py" not in names] == []
    assert [f for f in _package_files() if f not in names] == []  # every module and data file

    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site),
          str(wheel)], cwd=tmp_path, env=pip_env)

    repo_version = _repo_version()
    dist_infos = sorted(site.glob("stargan_nb-*.dist-info"))
    assert len(dist_infos) == 1, dist_infos
    metadata = email.parser.Parser().parsestr((dist_infos[0] / "METADATA").read_text())
    assert metadata["Version"] == repo_version
    assert wheel.name.startswith("stargan_nb-{}-".format(repo_version))

    # Outside the repo, with only the installed copy on PYTHONPATH (TensorFlow and the rest come from the
    # running venv's site-packages); no STARGAN_NB_ROOT, so the workbook root falls back to this folder.
    run_dir = tmp_path / "elsewhere"
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "STARGAN_NB_ROOT", "PYTHONSTARTUP")}
    env.update(PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1", TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")

    r = _run([sys.executable, "-c", IMPORT_ALL], cwd=run_dir, env=env)
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    installed = site.resolve()
    assert Path(seen["file"]).resolve().parent == installed / "stargan_nb", seen["file"]
    outside = {m: f for m, f in seen["modules"].items() if f is None or installed not in Path(f).resolve().parents}
    assert outside == {}, "imported from outside the installed copy: {}".format(outside)
    expected = {"stargan_nb." + f[len("stargan_nb/"):-len(".py")].replace("/", ".")
                for f in _package_files() if f.endswith(".py")}
    expected = {m[:-len(".__init__")] if m.endswith(".__init__") else m for m in expected}
    assert sorted(expected - set(seen["modules"])) == []  # the walk reached every module
    assert seen["version"] == seen["dist_version"] == repo_version

    r = _run([sys.executable, "-m", "stargan_nb", "--help"], cwd=run_dir, env=env)
    assert "python -m stargan_nb" in r.stdout and "demo" in r.stdout


def _repo_version():
    """stargan_nb.__version__ of this tree, read from the file (the running process may hold another copy)."""
    for line in (PACKAGE / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise AssertionError("no __version__ in stargan_nb/__init__.py")

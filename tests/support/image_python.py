"""A STAND-IN for an Ascend image's Python (e.g. /usr/local/python3.7.5 in Huawei's ascend-tensorflow images): a
Python 3.7 installation of its own whose site-packages already hold TensorFlow 1.15 and npu_bridge.

It is this suite's interpreter laid out as a separate installation: the same executable copied into <image>/bin
(Python finds its prefix from where the executable is), the standard library linked in, and its own site-packages
holding links to the distributions this suite's environment has (TensorFlow 1.15 and everything else, but not
stargan-nb) plus the stand-in npu_bridge (tests/support/npu_stand_in.py) written into it. A venv made over it with
--system-site-packages sees exactly those packages, as a venv over the real image's Python sees CANN's.
"""
import os
import shutil
import sys
import sysconfig
import textwrap
from pathlib import Path

import npu_stand_in

try:
    from importlib import metadata
except ImportError:  # Python 3.7
    import importlib_metadata as metadata

VERSION = "python{}.{}".format(*sys.version_info[:2])


def make(image: Path, packages=True) -> Path:
    """Build the image Python under `image`; returns its executable. packages=False: a bare Python, no TensorFlow."""
    base = Path(sysconfig.get_paths()["stdlib"])  # the real installation's lib/python3.X
    (image / "bin").mkdir(parents=True)
    python = image / "bin" / VERSION
    shutil.copy2(os.path.realpath(sys.executable), str(python))
    lib = image / "lib" / VERSION
    site = lib / "site-packages"
    site.mkdir(parents=True)
    for entry in base.iterdir():
        if entry.name != "site-packages":
            (lib / entry.name).symlink_to(entry)
    # A shared libpython found relative to the executable ($ORIGIN/../lib, as conda builds it) is found here too.
    for shared in Path(sysconfig.get_config_var("LIBDIR") or "/nonexistent").glob("libpython*"):
        (image / "lib" / shared.name).symlink_to(shared)
    if not packages:
        return python
    ours = Path(sysconfig.get_paths()["purelib"])
    for dist in metadata.distributions():
        if (dist.metadata["Name"] or "").lower() in ("stargan-nb", "stargan_nb") or not dist.files:
            continue
        if Path(str(dist.locate_file(""))).resolve() != ours.resolve():
            continue
        tops = {Path(str(f)).parts[0] for f in dist.files if not str(f).startswith("..")}
        for top in tops:
            target = ours / top
            if target.exists() and not (site / top).exists() and not top.startswith("__editable__"):
                (site / top).symlink_to(target)
    pkg = site / "npu_bridge"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("STAND_IN = True\n")
    (pkg / "npu_init.py").write_text(textwrap.dedent(npu_stand_in.NPU_INIT))
    return python

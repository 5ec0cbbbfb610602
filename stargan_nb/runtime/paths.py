"""Where the workbook lives, so notebooks (run from notebooks/) and scripts (run from the root) agree on paths."""
import os
from pathlib import Path


def workbook_root() -> Path:
    """The folder holding notebooks/ and stargan_nb/; the current folder when installed elsewhere."""
    env = os.environ.get("STARGAN_NB_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parents[2]  # stargan_nb/runtime/paths.py -> the workbook
    if (here / "notebooks").is_dir() and (here / "stargan_nb").is_dir():
        return here
    return Path.cwd()


def resolve(path) -> Path:
    """Absolute paths stay; relative ones are taken from the workbook root, wherever the kernel runs."""
    p = Path(os.path.expanduser(str(path)))
    return p if p.is_absolute() else workbook_root() / p

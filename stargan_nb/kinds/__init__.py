"""Dataset kinds: what a run trains on, one strategy object each (`Config.dataset` names it).

    base      DatasetKind, the interface: label layout, classification loss, targets, the frozen label's meaning,
              which files a run reads and its split depends on, the toy data and oracles, the judge
    celeba    an attribute file in CelebA's format (several labels on; sigmoid classification)
    folders   one folder per domain (one-hot; softmax classification)
    joint     both at once, [c_celeba, c_rafd, mask] (the reference's --dataset Both)

Every module asks `kind_of(config)` instead of comparing `config.dataset`. A new kind is one module with a
DatasetKind subclass and one line in KINDS. Nothing here imports TensorFlow or a pipeline stage at import time.
"""
from .base import DatasetKind
from .celeba import CelebA
from .folders import Folders
from .joint import Joint

KINDS = {"celeba": CelebA(), "folders": Folders(), "both": Joint()}


def kind_of(config) -> DatasetKind:
    """The DatasetKind of a Config (or of a Config.dataset name)."""
    name = config if isinstance(config, str) else config.dataset
    try:
        return KINDS[name]
    except KeyError:
        from ..config import ConfigError
        raise ConfigError("dataset must be one of {}; got {!r}".format(", ".join(KINDS), name)) from None


__all__ = ["KINDS", "DatasetKind", "kind_of"]

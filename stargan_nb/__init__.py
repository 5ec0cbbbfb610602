"""Helper package of the StarGAN workbook, grouped by the pipeline's stages (ARCHITECTURE.md):

    config, runs, viz   what a run is, where it keeps its files, the pictures
    data/               attribute files, domain folders, split, input pipeline, toy faces and expressions, oracles
    model/              networks, losses, label rules, learning-rate schedule, training graph
    training/           the loop, checkpoints, monitoring, stop guards
    evaluation/         transfer accuracy, attribute classifier, FID
    deploy/             inference, translation, sliders, frozen .pb, the reference's weights
    runtime/            TensorFlow versions, devices, paths, atomic files

Nothing here imports TensorFlow, IPython or widgets at import time.
"""
import importlib
import importlib.abc
import importlib.util
import sys

__version__ = "0.2.0"

# Module names that DESIGN.md promises and code written for 0.1 imports (`from stargan_nb.networks
# import count_parameters`), each mapped to the module that owns it now. They are imported on first
# use and are the same module object, so there is still one owner.
STABLE_MODULES = {
    "stargan_nb.networks": "stargan_nb.model.networks",
    "stargan_nb.device": "stargan_nb.runtime.device",
    "stargan_nb.train": "stargan_nb.training.loop",
    "stargan_nb.fid": "stargan_nb.evaluation.fid",
    "stargan_nb.freeze": "stargan_nb.deploy.freeze",
}


class _StableNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in STABLE_MODULES:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return importlib.import_module(STABLE_MODULES[spec.name])

    def exec_module(self, module):
        pass  # already executed under its own name


if not any(isinstance(f, _StableNames) for f in sys.meta_path):
    sys.meta_path.append(_StableNames())

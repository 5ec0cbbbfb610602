"""Generator and open_run, where notebooks 05 and 07 import them; their home is `training.trained`, the stage
below both evaluation and deployment (one source: these are the same objects)."""
from ..training.trained import Generator, OpenRun, open_run  # noqa: F401

"""Stage 1, data: attribute files in CelebA's format, the reference's split, the input pipeline, toy faces.

    attributes   reading and checking list_attr_celeba.txt; the seeded split
    domain_folders  one folder per domain (RaFD's layout): domains, one-hot labels, layout errors
    pipeline     decode, crop, resize, flip: the tf.data input of training and testing
    dataset      a Config's dataset, its pipeline and a preview batch (what the notebooks call)
    toy_faces    the embedded toy dataset, drawn in CelebA's exact file format
    toy_oracle   reads the toy faces' attributes back from pixels (the judge of translations)
    toy_expressions     the toy faces' people with RaFD's eight expressions, one folder each
    expression_oracle   reads the toy expressions back from pixels

The names below are the ones notebooks use as `data.<name>`.
"""
from .attributes import DataFormatError, read_attributes
from .dataset import (Dataset, attribute_frequencies, co_occurrence, load_dataset, load_second_dataset, make_input,
                      oracle_can_judge, prepare_config, preview, toy_reader)
from .toy_expressions import make_toy_rafd
from .toy_faces import make_toy_celeba
from .toy_oracle import toy_oracle

__all__ = ["DataFormatError", "Dataset", "attribute_frequencies", "co_occurrence", "load_dataset", "make_input",
           "load_second_dataset", "make_toy_celeba", "make_toy_rafd", "oracle_can_judge", "prepare_config", "preview",
           "read_attributes", "toy_oracle", "toy_reader"]

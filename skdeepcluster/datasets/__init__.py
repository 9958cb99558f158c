"""Benchmark datasets for deep clustering.

Each loader reads one ``.npz`` cache file from the data folder returned by
:func:`get_data_home` and, where a verified source exists, downloads and
converts the original files when that cache file is missing. See
``docs/datasets.md`` for the file names, the sources and the cache format.
"""

from ._home import get_data_home
from ._loaders import (
    load_coil20,
    load_fashion_mnist,
    load_mnist,
    load_orl,
    load_reuters_r8,
    load_usps,
)

__all__ = [
    "get_data_home",
    "load_coil20",
    "load_fashion_mnist",
    "load_mnist",
    "load_orl",
    "load_reuters_r8",
    "load_usps",
]

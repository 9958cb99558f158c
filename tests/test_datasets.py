"""Tests of skdeepcluster.datasets.

Unit tests build tiny files in every original format and never touch the
network. Tests marked ``data`` read the real cache files from the folder of
``SKDEEPCLUSTER_DATA`` or from ``shared/data`` beside the repository, and are
skipped when a file is absent.
"""

import ast
import gzip
import hashlib
import io
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import scipy.io

from skdeepcluster.datasets import (
    _loaders,
    get_data_home,
    load_coil20,
    load_fashion_mnist,
    load_mnist,
    load_orl,
    load_reuters_r8,
    load_usps,
)
from skdeepcluster.datasets._download import (
    DownloadError,
    fetch_file,
    fetch_from_mirrors,
)
from skdeepcluster.datasets._formats import (
    convert_idx,
    convert_reuters_tab,
    convert_usps,
    read_idx,
    read_mat_images,
    read_orange_tab,
    read_usps,
)

RNG = np.random.default_rng(0)


# --------------------------------------------------------------------------
# helpers


def idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def usps_text(labels, pixels):
    rows = [
        " ".join([f"{label:.4f}"] + [f"{v:.4f}" for v in row])
        for label, row in zip(labels, pixels, strict=True)
    ]
    return ("\n".join(rows) + "\n").encode("ascii")


def orange_tab(rows):
    lines = ["Category\tText", "d\tstring", "class\t", ""]
    lines += [f"{label}\t{text}" for label, text in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


class FakeServer:
    """Replacement for urllib.request.urlopen serving bytes by URL."""

    def __init__(self, files):
        self.files = files
        self.requests = []

    def __call__(self, request, timeout=None):
        url = request.full_url
        self.requests.append(url)
        if url not in self.files:
            raise urllib.error.URLError("Name or service not known")
        return io.BytesIO(self.files[url])


def sha256(content):
    return hashlib.sha256(content).hexdigest()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail loudly if a test reaches for the network."""

    def refuse(request, timeout=None):
        raise AssertionError(f"test tried to open {request.full_url}")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


# --------------------------------------------------------------------------
# IDX


def test_read_idx_plain_gzip_bytes_and_path(tmp_path):
    images = RNG.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    raw = idx_bytes(images)
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(raw))
    for source in (raw, gzip.compress(raw), path, str(path)):
        np.testing.assert_array_equal(read_idx(source, ndim=3), images)
    labels = np.array([3, 1, 4], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(idx_bytes(labels), ndim=1), labels)


@pytest.mark.parametrize(
    "content, ndim, match",
    [
        (b"\x00\x00", 1, "too short"),
        (
            bytes([0, 0, 0x08, 1]) + np.array([5], ">u4").tobytes() + b"abc",
            1,
            "truncated",
        ),
        (bytes([0, 0, 0x0D, 1]) + np.array([1], ">u4").tobytes() + b"abcd", 1, "magic"),
        (bytes([0, 0, 0x08, 3]) + np.array([1, 2], ">u4").tobytes(), 3, "IDX header"),
        (b"\x1f\x8b" + b"not really gzip", 1, "not a valid gzip file"),
    ],
)
def test_read_idx_malformed(content, ndim, match):
    with pytest.raises(ValueError, match=match):
        read_idx(content, ndim=ndim)


def test_read_idx_wrong_number_of_dimensions():
    labels = idx_bytes(np.arange(4, dtype=np.uint8))
    with pytest.raises(ValueError, match="magic number 0x00000801.*0x00000803"):
        read_idx(labels, ndim=3)


def test_convert_idx():
    train_x = RNG.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    test_x = RNG.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    train_y, test_y = np.array([0, 9, 5], np.uint8), np.array([2, 2], np.uint8)
    arrays = convert_idx(
        *(gzip.compress(idx_bytes(a)) for a in (train_x, train_y, test_x, test_y))
    )
    np.testing.assert_array_equal(arrays["X"], np.concatenate([train_x, test_x]))
    np.testing.assert_array_equal(arrays["y"], [0, 9, 5, 2, 2])
    np.testing.assert_array_equal(arrays["split"], [0, 0, 0, 1, 1])
    assert (arrays["y"].dtype, arrays["split"].dtype) == (np.int64, np.uint8)
    with pytest.raises(ValueError, match="3 images but its label file holds 2"):
        convert_idx(*(idx_bytes(a) for a in (train_x, test_y, test_x, test_y)))


# --------------------------------------------------------------------------
# USPS


def test_read_usps_scale_and_orientation(tmp_path):
    pixels = np.round(RNG.uniform(-1, 1, size=(3, 256)), 4)
    pixels[0, :] = -1.0
    pixels[0, 17] = 1.0  # row 1, column 1
    path = tmp_path / "zip.train.gz"
    path.write_bytes(gzip.compress(usps_text([6, 5, 0], pixels)))
    images, labels = read_usps(path)
    assert images.shape == (3, 16, 16) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, [6, 5, 0])
    assert labels.dtype == np.int64
    np.testing.assert_allclose(images.reshape(3, -1), (pixels + 1) / 2, rtol=1e-6)
    assert images[0, 1, 1] == 1.0 and images[0].sum() == 1.0


def test_convert_usps():
    a = usps_text([1, 2], np.zeros((2, 256)))
    b = usps_text([3], np.ones((1, 256)))
    arrays = convert_usps(a, gzip.compress(b))
    assert arrays["X"].shape == (3, 16, 16)
    np.testing.assert_array_equal(arrays["y"], [1, 2, 3])
    np.testing.assert_array_equal(arrays["split"], [0, 0, 1])
    np.testing.assert_array_equal(arrays["X"][2], 1.0)


@pytest.mark.parametrize(
    "content, match",
    [
        (b"1 0.5 0.5\n", "257"),
        (usps_text([10], np.zeros((1, 256))), "digits"),
        (usps_text([1.5], np.zeros((1, 256))), "digits"),
        (usps_text([1], np.full((1, 256), 1.5)), r"outside \[-1, 1\]"),
        (b"x" * 257 + b"\n", "257"),
        ((" ".join(["a"] * 257) + "\n").encode(), "not a number"),
        (b"\n\n", "no USPS rows"),
        (b"\xff\xfe", "not a USPS text file"),
    ],
)
def test_read_usps_malformed(content, match):
    with pytest.raises(ValueError, match=match):
        read_usps(content)


# --------------------------------------------------------------------------
# MATLAB


def column_major(images):
    return np.stack([image.flatten(order="F") for image in images])


def test_read_mat_images_column_major_and_labels(tmp_path):
    images = RNG.integers(0, 256, size=(4, 6, 6), dtype=np.uint8)
    path = tmp_path / "COIL20.mat"
    scipy.io.savemat(
        path, {"X": column_major(images), "Y": np.array([[1], [2], [2], [3]])}
    )
    X, y = read_mat_images(path)
    np.testing.assert_array_equal(X, images)
    assert X.dtype == np.uint8 and X.flags.c_contiguous
    np.testing.assert_array_equal(y, [0, 1, 1, 2])
    assert y.dtype == np.int64


def test_read_mat_images_fea_gnd_float_and_rectangular():
    images = RNG.integers(0, 256, size=(2, 3, 5)).astype(np.float64)
    buffer = io.BytesIO()
    scipy.io.savemat(
        buffer,
        {
            "fea": column_major(images),
            "gnd": np.array([7, 9]),
            "im_height": 3,
            "im_width": 5,
        },
    )
    X, y = read_mat_images(buffer.getvalue())
    np.testing.assert_array_equal(X, images.astype(np.uint8))
    np.testing.assert_array_equal(y, [0, 1])


def _mat(variables):
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, variables)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, match",
    [
        (b"definitely not a MATLAB file" * 10, "not a readable MATLAB file"),
        (_mat({"X": np.zeros((2, 4)), "labels": np.ones(2)}), "none of the variables"),
        (_mat({"X": np.zeros((2, 4)), "Y": np.ones(3)}), "one label per image"),
        (_mat({"X": np.zeros((2, 5)), "Y": np.ones(2)}), "not a 2x2 image"),
        (_mat({"X": np.full((2, 4), 0.5), "Y": np.ones(2)}), "not integers in 0..255"),
        (_mat({"X": np.zeros((2, 4)), "Y": np.array([1.0, 1.5])}), "not integers"),
    ],
)
def test_read_mat_images_malformed(content, match):
    with pytest.raises(ValueError, match=match):
        read_mat_images(content)


# --------------------------------------------------------------------------
# Orange .tab / Reuters


def test_read_orange_tab(tmp_path):
    path = tmp_path / "r8.tab"
    path.write_bytes(
        orange_tab([("earn", "profit up reuter "), ("acq", "buys company")])
    )
    texts, labels = read_orange_tab(path)
    assert texts == ["profit up reuter ", "buys company"]
    assert labels == ["earn", "acq"]


def test_convert_reuters_tab():
    train = orange_tab(
        [
            ("earn", "net profit rose the company said"),
            ("acq", "company acquires rival for cash"),
            ("earn", "profit and dividend up"),
        ]
    )
    test = orange_tab([("crude", "oil prices élevés rose")])
    arrays = convert_reuters_tab(train, test)
    n = 4
    assert arrays["X"].dtype == np.float32 and arrays["X"].shape[0] == n
    np.testing.assert_allclose(np.linalg.norm(arrays["X"], axis=1), 1, rtol=1e-6)
    assert list(arrays["class_names"]) == ["acq", "crude", "earn"]
    np.testing.assert_array_equal(arrays["y"], [2, 0, 2, 1])
    np.testing.assert_array_equal(arrays["split"], [0, 0, 0, 1])
    vocab = list(arrays["vocab"])
    assert "the" not in vocab and "and" not in vocab and "profit" in vocab
    assert arrays["vocab"].dtype.kind == "U" and arrays["class_names"].dtype.kind == "U"
    offsets, text = arrays["text_offsets"], arrays["text_utf8"].tobytes()
    assert offsets.shape == (n + 1,) and offsets[-1] == len(text)
    assert text[offsets[3] : offsets[4]].decode() == "oil prices élevés rose"


@pytest.mark.parametrize(
    "content, match",
    [
        (b"Category\tText\n", "three header rows"),
        (b"Category\tText\nd\tstring\n\t\nearn\tx\n", "flagged 'class'"),
        (b"Category\tText\nd\td\nclass\t\nearn\tx\n", "type 'string'"),
        (orange_tab([("earn", "a\tb")]), "3 tab-separated fields"),
        (b"Category\tText\nd\tstring\nclass\t\n\n", "no documents"),
        (b"Category\tText\nd\tstring\tx\nclass\t\n", "different lengths"),
    ],
)
def test_read_orange_tab_malformed(content, match):
    with pytest.raises(ValueError, match=match):
        read_orange_tab(content)


# --------------------------------------------------------------------------
# download helper


def test_fetch_file_verified_and_atomic(tmp_path, monkeypatch):
    content = b"payload" * 1000
    server = FakeServer({"https://example.org/a/file.gz": content})
    monkeypatch.setattr(urllib.request, "urlopen", server)
    path = fetch_file("https://example.org/a/file.gz", sha256(content), tmp_path)
    assert path == os.path.join(tmp_path, "file.gz")
    assert Path(path).read_bytes() == content
    assert os.listdir(tmp_path) == ["file.gz"]


def test_fetch_file_wrong_checksum_leaves_nothing(tmp_path, monkeypatch):
    url = "https://example.org/file.gz"
    monkeypatch.setattr(urllib.request, "urlopen", FakeServer({url: b"tampered"}))
    wrong = "0" * 64
    with pytest.raises(
        ValueError, match=f"expected {wrong}, got {sha256(b'tampered')}"
    ):
        fetch_file(url, wrong, tmp_path)
    assert os.listdir(tmp_path) == []


def test_fetch_file_network_error(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeServer({}))
    url = "https://unreachable.example/file.gz"
    with pytest.raises(
        DownloadError, match="Could not download https://unreachable"
    ) as info:
        fetch_file(url, "0" * 64, tmp_path)
    assert isinstance(info.value, OSError) and info.value.urls == (url,)
    assert os.listdir(tmp_path) == []


def test_fetch_from_mirrors(tmp_path, monkeypatch):
    content = b"data"
    server = FakeServer({"https://b.example/f": content, "https://c.example/f": b"bad"})
    monkeypatch.setattr(urllib.request, "urlopen", server)
    path = fetch_from_mirrors(
        ["https://a.example/f", "https://b.example/f"],
        sha256(content),
        tmp_path,
        filename="f",
    )
    assert Path(path).read_bytes() == content
    assert server.requests == ["https://a.example/f", "https://b.example/f"]
    with pytest.raises(ValueError, match="No verified copy of g"):
        fetch_from_mirrors(
            ["https://a.example/f", "https://c.example/f"],
            sha256(content),
            tmp_path,
            filename="g",
        )
    with pytest.raises(DownloadError, match="from any source"):
        fetch_from_mirrors(
            ["https://a.example/f"], sha256(content), tmp_path, filename="g"
        )
    assert os.listdir(tmp_path) == ["f"]


# --------------------------------------------------------------------------
# data home


def test_get_data_home_order(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("SKDEEPCLUSTER_DATA", raising=False)
    default = tmp_path / "home" / ".cache" / "skdeepcluster"
    assert get_data_home() == str(default) and default.is_dir()

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert get_data_home() == str(tmp_path / "xdg" / "skdeepcluster")

    monkeypatch.setenv("SKDEEPCLUSTER_DATA", str(tmp_path / "env"))
    assert get_data_home() == str(tmp_path / "env")
    assert not (tmp_path / "env").exists()

    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert not (tmp_path / "arg").exists()


def test_get_data_home_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home("~/data") == str(tmp_path / "data")


# --------------------------------------------------------------------------
# loaders on synthetic cache files


def write_mnist_like(folder, name="mnist.npz", n_train=3, n_test=2):
    n = n_train + n_test
    arrays = {
        "X": RNG.integers(0, 256, size=(n, 28, 28), dtype=np.uint8),
        "y": np.arange(n, dtype=np.int64) % 10,
        "split": np.repeat(np.array([0, 1], np.uint8), [n_train, n_test]),
    }
    arrays["X"][0, 0, 0] = 255
    np.savez(folder / name, **arrays)
    return arrays


@pytest.mark.parametrize(
    "loader, name",
    [(load_mnist, "mnist.npz"), (load_fashion_mnist, "fashion_mnist.npz")],
)
def test_load_idx_cache(tmp_path, loader, name):
    arrays = write_mnist_like(tmp_path, name)
    bunch = loader(data_home=tmp_path, download_if_missing=False)
    assert bunch.data.shape == (5, 784) and bunch.data.dtype == np.float32
    assert bunch.data.max() == 255.0  # raw scale is kept
    np.testing.assert_array_equal(bunch.images, arrays["X"])
    assert bunch.target.dtype == np.int64 and len(bunch.target_names) == 10
    assert bunch.filename == os.path.join(tmp_path, name)
    assert "Citation" in bunch.DESCR

    test = loader(data_home=tmp_path, subset="test")
    np.testing.assert_array_equal(test.split, [1, 1])
    np.testing.assert_array_equal(test.images, arrays["X"][3:])
    X, y = loader(data_home=tmp_path, subset="train", return_X_y=True)
    assert X.shape == (3, 784)
    np.testing.assert_array_equal(y, arrays["y"][:3])
    with pytest.raises(ValueError, match="subset must be"):
        loader(data_home=tmp_path, subset="validation")


def test_load_data_is_a_copy(tmp_path):
    np.savez(
        tmp_path / "usps.npz",
        X=np.full((2, 16, 16), 0.5, np.float32),
        y=np.array([0, 1]),
        split=np.array([0, 1], np.uint8),
    )
    bunch = load_usps(data_home=tmp_path)
    bunch.data /= 2
    assert bunch.images.max() == 0.5


@pytest.mark.parametrize(
    "loader, name, year",
    [(load_coil20, "coil20_32x32.npz", "1996"), (load_orl, "orl_32x32.npz", "1994")],
)
def test_load_mat_caches(tmp_path, loader, name, year):
    X = RNG.integers(0, 256, size=(4, 32, 32), dtype=np.uint8)
    np.savez(tmp_path / name, X=X, y=np.array([0, 0, 1, 1]))
    bunch = loader(data_home=tmp_path)
    assert bunch.data.shape == (4, 1024) and bunch.data.dtype == np.float32
    np.testing.assert_array_equal(bunch.data, X.reshape(4, -1))
    np.testing.assert_array_equal(bunch.images, X)
    assert "split" not in bunch and year in bunch.DESCR


def test_load_reuters_cache(tmp_path):
    arrays = convert_reuters_tab(
        orange_tab([("earn", "profit up"), ("acq", "buys rival")]),
        orange_tab([("earn", "dividend café")]),
    )
    np.savez(tmp_path / "reuters_r8.npz", **arrays)
    bunch = load_reuters_r8(data_home=tmp_path)
    assert bunch.documents == ["profit up", "buys rival", "dividend café"]
    assert list(bunch.target_names) == list(bunch.class_names) == ["acq", "earn"]
    assert bunch.data.dtype == np.float32 and "images" not in bunch
    assert list(bunch.vocab) == list(arrays["vocab"])
    test = load_reuters_r8(data_home=tmp_path, subset="test")
    assert test.documents == ["dividend café"] and test.data.shape[0] == 1


def test_missing_file_without_download(tmp_path, monkeypatch):
    monkeypatch.delenv("SKDEEPCLUSTER_DATA", raising=False)
    with pytest.raises(FileNotFoundError) as info:
        load_usps(data_home=tmp_path, download_if_missing=False)
    message = str(info.value)
    assert "'usps.npz'" in message and str(tmp_path) in message
    assert "data_home" in message and "SKDEEPCLUSTER_DATA" in message
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError) as info:
        load_orl(data_home=tmp_path, download_if_missing=False)
    assert "'orl_32x32.npz'" in str(info.value)
    assert "download_if_missing=True" not in str(info.value)


def test_missing_file_uses_env_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SKDEEPCLUSTER_DATA", str(tmp_path))
    write_mnist_like(tmp_path)
    assert load_mnist(download_if_missing=False).data.shape == (5, 784)


def test_orl_has_no_automatic_download(tmp_path):
    with pytest.raises(
        NotImplementedError, match="automatic download of ORL is unavailable"
    ) as info:
        load_orl(data_home=tmp_path)
    assert isinstance(info.value, FileNotFoundError)
    assert "'orl_32x32.npz'" in str(info.value) and str(tmp_path) in str(info.value)


def test_corrupt_npz(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match="mnist.npz' could not be read"):
        load_mnist(data_home=tmp_path)


@pytest.mark.parametrize(
    "arrays, match",
    [
        (
            {"X": np.zeros((2, 28, 28), np.uint8), "y": np.zeros(2, int)},
            r"lacks the arrays \['split'\]",
        ),
        (
            {
                "X": np.zeros((2, 28, 28), np.uint8),
                "y": np.zeros(3, int),
                "split": np.zeros(3, np.uint8),
            },
            "X has 2 samples",
        ),
        (
            {
                "X": np.zeros((2, 16, 16), np.uint8),
                "y": np.zeros(2, int),
                "split": np.zeros(2, np.uint8),
            },
            r"expected \(n_samples, 28, 28\)",
        ),
        (
            {
                "X": np.zeros((2, 28, 28), np.uint8),
                "y": -np.ones(2, int),
                "split": np.zeros(2, np.uint8),
            },
            "non-negative integer",
        ),
        (
            {
                "X": np.zeros((2, 28, 28), np.uint8),
                "y": np.zeros(2, int),
                "split": np.full(2, 3, np.uint8),
            },
            "split must hold",
        ),
    ],
)
def test_mismatching_npz(tmp_path, arrays, match):
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(
        ValueError, match=f"mnist.npz' is not a valid MNIST file: .*{match}"
    ):
        load_mnist(data_home=tmp_path)


def test_mismatching_text_npz(tmp_path):
    arrays = convert_reuters_tab(
        orange_tab([("a", "oil price")]), orange_tab([("b", "grain")])
    )
    arrays["text_offsets"] = arrays["text_offsets"][:-1]
    np.savez(tmp_path / "reuters_r8.npz", **arrays)
    with pytest.raises(ValueError, match="text_offsets does not index"):
        load_reuters_r8(data_home=tmp_path)


# --------------------------------------------------------------------------
# loaders downloading from a fake server


@pytest.fixture
def usps_server(monkeypatch):
    train = gzip.compress(usps_text([0, 1, 2], np.zeros((3, 256))))
    test = gzip.compress(usps_text([3], np.ones((1, 256))))
    files = {
        "https://mirror.example/zip.train.gz": train,
        "https://origin.example/zip.test.gz": test,
    }
    remotes = (
        _loaders._Remote(
            "zip.train.gz",
            sha256(train),
            (
                "https://origin.example/zip.train.gz",
                "https://mirror.example/zip.train.gz",
            ),
        ),
        _loaders._Remote(
            "zip.test.gz", sha256(test), ("https://origin.example/zip.test.gz",)
        ),
    )
    monkeypatch.setitem(_loaders.REMOTES, "usps.npz", remotes)
    server = FakeServer(files)
    monkeypatch.setattr(urllib.request, "urlopen", server)
    return server


def test_download_builds_cache(tmp_path, usps_server, monkeypatch):
    home = tmp_path / "new" / "home"
    bunch = load_usps(data_home=home)
    assert os.listdir(home) == ["usps.npz"]
    assert bunch.data.shape == (4, 256) and bunch.images.dtype == np.float32
    np.testing.assert_array_equal(bunch.target, [0, 1, 2, 3])
    np.testing.assert_array_equal(bunch.split, [0, 0, 0, 1])
    np.testing.assert_array_equal(bunch.data[:3], 0.5)
    with np.load(home / "usps.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["X", "split", "y"]
        assert npz["X"].shape == (4, 16, 16) and npz["y"].dtype == np.int64
        assert npz["split"].dtype == np.uint8

    def refuse(request, timeout=None):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    X, y = load_usps(data_home=home, return_X_y=True)
    assert X.shape == (4, 256)


def test_download_checksum_failure(tmp_path, usps_server, monkeypatch):
    remote = _loaders.REMOTES["usps.npz"][1]
    monkeypatch.setitem(
        _loaders.REMOTES,
        "usps.npz",
        (
            _loaders.REMOTES["usps.npz"][0],
            _loaders._Remote(remote.filename, "1" * 64, remote.urls),
        ),
    )
    with pytest.raises(ValueError, match="Downloading USPS failed.*expected 1111"):
        load_usps(data_home=tmp_path)
    assert os.listdir(tmp_path) == []


def test_download_network_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeServer({}))
    with pytest.raises(OSError) as info:
        load_coil20(data_home=tmp_path)
    message = str(info.value)
    assert "Downloading COIL-20 failed" in message
    assert "https://raw.githubusercontent.com/hyzhang98/AdaGAE/" in message
    assert "'coil20_32x32.npz'" in message and str(tmp_path) in message
    assert "SKDEEPCLUSTER_DATA" in message
    assert os.listdir(tmp_path) == []


def test_every_download_is_pinned_to_a_sha256():
    for name, remotes in _loaders.REMOTES.items():
        for remote in remotes:
            assert len(remote.sha256) == 64 and int(remote.sha256, 16) >= 0, name
            assert remote.urls and all(
                u.startswith(("https://", "http://")) for u in remote.urls
            )
    assert "orl_32x32.npz" not in _loaders.REMOTES


def test_imports_only_numpy_scipy_sklearn_and_stdlib():
    allowed = {"numpy", "scipy", "sklearn"} | set(sys.stdlib_module_names)
    folder = Path(_loaders.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


# --------------------------------------------------------------------------
# the real benchmark data


def real_data_home():
    from_env = os.environ.get("SKDEEPCLUSTER_DATA")
    if from_env:
        return Path(from_env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


MNIST_COUNTS = [6903, 7877, 6990, 7141, 6824, 6313, 6876, 7293, 6825, 6958]
USPS_COUNTS = [1553, 1269, 929, 824, 852, 716, 834, 792, 708, 821]
R8_COUNTS = [2292, 374, 3923, 51, 271, 293, 144, 326]


@pytest.mark.data
@pytest.mark.parametrize(
    "loader, filename, shape, counts, n_train, max_value",
    [
        (load_mnist, "mnist.npz", (70000, 784), MNIST_COUNTS, 60000, 255),
        (
            load_fashion_mnist,
            "fashion_mnist.npz",
            (70000, 784),
            [7000] * 10,
            60000,
            255,
        ),
        (load_usps, "usps.npz", (9298, 256), USPS_COUNTS, 7291, 1),
        (load_coil20, "coil20_32x32.npz", (1440, 1024), [72] * 20, None, 255),
        (load_orl, "orl_32x32.npz", (400, 1024), [10] * 40, None, 235),
        (load_reuters_r8, "reuters_r8.npz", (7674, 2000), R8_COUNTS, 5485, 1),
    ],
)
def test_real_data(loader, filename, shape, counts, n_train, max_value):
    home = real_data_home()
    if not (home / filename).is_file():
        pytest.skip(f"{filename} is not in {home}")
    bunch = loader(data_home=home, download_if_missing=False)
    assert bunch.data.shape == shape and bunch.data.dtype == np.float32
    assert bunch.target.dtype == np.int64 and bunch.target.shape == (shape[0],)
    np.testing.assert_array_equal(np.bincount(bunch.target), counts)
    assert bunch.data.min() >= 0 and np.isclose(bunch.data.max(), max_value)
    if n_train is not None:
        assert (bunch.split == 0).sum() == n_train
        assert np.all(np.diff(bunch.split.astype(int)) >= 0)
    if "images" in bunch:
        np.testing.assert_array_equal(bunch.images.reshape(shape[0], -1), bunch.data)
    if loader is load_reuters_r8:
        assert len(bunch.documents) == shape[0] and len(bunch.vocab) == shape[1]
        assert list(bunch.target_names)[:3] == ["acq", "crude", "earn"]
        np.testing.assert_allclose(np.linalg.norm(bunch.data, axis=1), 1, rtol=1e-5)

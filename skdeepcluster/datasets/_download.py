"""Download of original dataset files with sha256 verification."""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request

_CHUNK_SIZE = 1 << 20
_USER_AGENT = "skdeepcluster-datasets (Python urllib)"


class DownloadError(OSError):
    """A file could not be fetched because its server could not be reached.

    Parameters
    ----------
    message : str
        What went wrong and what to do instead.
    urls : tuple of str, default=()
        The addresses that were tried.
    """

    def __init__(self, message, urls=()):
        super().__init__(message)
        self.urls = tuple(urls)


def fetch_file(url, sha256, dest_dir, *, filename=None, timeout=60.0):
    """Download one file, check its sha256 and move it into place atomically.

    The content is streamed into a temporary file inside ``dest_dir`` while
    its sha256 is computed. Only when the digest matches is the temporary
    file renamed to its final name with :func:`os.replace`, so the final path
    never holds a partial or unverified file.

    Parameters
    ----------
    url : str
        Address of the file (``http``, ``https`` or ``file``).
    sha256 : str
        Expected sha256 of the file, as 64 hexadecimal digits.
    dest_dir : str or os.PathLike
        Existing folder to write the file into.
    filename : str, default=None
        Name of the file in ``dest_dir``. Defaults to the last part of
        ``url``.
    timeout : float, default=60.0
        Seconds to wait for the server before giving up.

    Returns
    -------
    str
        Path of the verified file.

    Raises
    ------
    DownloadError
        If the server cannot be reached or the transfer breaks off. It is a
        subclass of :class:`OSError`.
    ValueError
        If the downloaded content does not have the expected sha256. The
        temporary file is removed and the message gives both digests.
    """
    if filename is None:
        filename = url.rstrip("/").rsplit("/", 1)[-1]
    dest = os.path.join(os.fspath(dest_dir), filename)
    fd, tmp_path = tempfile.mkstemp(
        prefix=f".{filename}.", suffix=".part", dir=os.fspath(dest_dir)
    )
    try:
        digest = hashlib.sha256()
        request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:
                    for chunk in iter(lambda: response.read(_CHUNK_SIZE), b""):
                        digest.update(chunk)
                        out.write(chunk)
            except (
                urllib.error.URLError,
                http.client.HTTPException,
                TimeoutError,
                ConnectionError,
            ) as exc:
                if isinstance(exc, urllib.error.HTTPError):
                    reason = exc
                else:
                    reason = getattr(exc, "reason", exc)
                raise DownloadError(
                    f"Could not download {url}: {reason}.", urls=(url,)
                ) from exc
        actual = digest.hexdigest()
        if actual != sha256.lower():
            raise ValueError(
                f"The file downloaded from {url} does not have the expected "
                f"sha256 (expected {sha256.lower()}, got {actual}). It was "
                "discarded. The server may serve a changed or broken copy; "
                "try again later or place a verified copy by hand."
            )
        os.replace(tmp_path, dest)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise
    return dest


def fetch_from_mirrors(urls, sha256, dest_dir, *, filename, timeout=60.0):
    """Download a file from the first of several addresses that serves it.

    Each address is tried in turn with :func:`fetch_file` until one yields
    content with the expected sha256.

    Parameters
    ----------
    urls : sequence of str
        Addresses of the same file, most trusted first.
    sha256 : str
        Expected sha256 of the file.
    dest_dir : str or os.PathLike
        Existing folder to write the file into.
    filename : str
        Name of the file in ``dest_dir``.
    timeout : float, default=60.0
        Seconds to wait for each server.

    Returns
    -------
    str
        Path of the verified file.

    Raises
    ------
    DownloadError
        If no address could be reached.
    ValueError
        If at least one address served content with a wrong sha256 and none
        served the right content.
    """
    failures = []
    checksum_failed = False
    for url in urls:
        try:
            return fetch_file(url, sha256, dest_dir, filename=filename, timeout=timeout)
        except DownloadError as exc:
            failures.append(str(exc))
        except ValueError as exc:
            checksum_failed = True
            failures.append(str(exc))
    details = " ".join(failures)
    if checksum_failed:
        raise ValueError(f"No verified copy of {filename} could be obtained. {details}")
    raise DownloadError(
        f"Could not download {filename} from any source. {details}", urls=urls
    )

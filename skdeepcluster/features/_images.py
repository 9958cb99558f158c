"""Image arrays: validation and layout on the host, preprocessing of one batch on the device.

The host side only checks the array and decides how to read it; it never copies the whole set
to float. Each batch travels to the device in its stored dtype (uint8 is a quarter of float32)
and is converted, resized and normalised there, which is what keeps a GPU busy.
"""

import numpy as np
import scipy.sparse
import torch
import torch.nn.functional as F

from ..utils._torch import tensor_to_numpy

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

MIN_SIDE = 8
"""Smallest image side accepted: smaller images carry too little content to upsample to a CNN."""

_CHANNEL_COUNTS = (1, 3)


def check_images(X, channels, estimator_name):
    """Validate an image array and work out its layout, without copying uint8 or float data.

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_images, height, width), (n_images, height, width,
        channels) or (n_images, channels, height, width)
        Images as uint8 in [0, 255] or floats in [0, 1], with 1 (grayscale) or 3 (RGB)
        channels. Other integer dtypes are accepted when their values lie in [0, 255].
    channels : {"auto", "last", "first"}
        Where the channel axis of a 4-D array is. ``"auto"`` decides from the shape and refuses
        shapes that read both ways, such as ``(n, 3, 32, 3)``.
    estimator_name : str
        Named in error messages.

    Returns
    -------
    images : ndarray
        ``X`` itself when it is already a uint8 or float ndarray; otherwise a copy as uint8
        (other integer dtypes) or float64 (object arrays).
    layout : {"gray", "first", "last"}
        ``"gray"`` for 3-D input, else where the channel axis is.

    Raises
    ------
    TypeError
        For SciPy sparse matrices and arrays, and sparse tensors: images must be dense.
    ValueError
        On a wrong number of dimensions or channels, an ambiguous layout, images smaller than
        ``MIN_SIDE`` pixels, an empty array, non-finite values or values out of range.
    """
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"{estimator_name} got sparse data ({type(X).__name__}), but images must be a dense "
            "array. Use X.toarray() to convert it, and reshape flattened images to (n_images, "
            "height, width)."
        )
    images = np.asarray(tensor_to_numpy(X))
    if images.dtype == object:
        images = images.astype(np.float64)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{estimator_name} expects images of shape (n_images, height, width), "
            "(n_images, height, width, channels) or (n_images, channels, height, width); got "
            f"an array of shape {images.shape}. Reshape flattened images first, e.g. "
            "X.reshape(-1, 28, 28)."
        )
    if images.shape[0] == 0:
        raise ValueError(f"{estimator_name} needs at least one image; got shape {images.shape}.")
    layout = "gray" if images.ndim == 3 else _channel_axis(images.shape, channels, estimator_name)
    height, width = images.shape[2:] if layout == "first" else images.shape[1:3]
    if min(height, width) < MIN_SIDE:
        raise ValueError(
            f"{estimator_name} needs images of at least {MIN_SIDE}x{MIN_SIDE} pixels; got "
            f"{height}x{width} (array of shape {images.shape}, read with the channel axis "
            f"{'absent' if layout == 'gray' else layout})."
        )
    return _checked_values(images, estimator_name), layout


def _channel_axis(shape, channels, estimator_name):
    first_ok, last_ok = shape[1] in _CHANNEL_COUNTS, shape[3] in _CHANNEL_COUNTS
    if channels == "auto":
        if first_ok and last_ok:
            raise ValueError(
                f"{estimator_name} cannot tell where the channel axis of an array of shape "
                f"{shape} is; pass channels='last' for (n, height, width, channels) or "
                "channels='first' for (n, channels, height, width)."
            )
        if first_ok or last_ok:
            return "first" if first_ok else "last"
    elif (channels == "first" and first_ok) or (channels == "last" and last_ok):
        return channels
    where = "" if channels == "auto" else f" on the {channels} axis (channels={channels!r})"
    raise ValueError(
        f"{estimator_name} expects 1 (grayscale) or 3 (RGB) channels{where}; got an array of "
        f"shape {shape}."
    )


def _checked_values(images, estimator_name):
    kind = images.dtype.kind
    if images.dtype == np.uint8:
        return images
    if kind in "ui":
        low, high = images.min(), images.max()
        if low < 0 or high > 255:
            raise ValueError(
                f"{estimator_name} reads integer images as 0-255 intensities; got values in "
                f"[{low}, {high}]."
            )
        return images.astype(np.uint8)
    if kind != "f":
        raise ValueError(
            f"{estimator_name} expects uint8 images in [0, 255] or float images in [0, 1]; got "
            f"dtype {images.dtype}."
        )
    if not np.isfinite(images).all():
        raise ValueError(f"{estimator_name} got images containing NaN or infinity.")
    low, high = float(images.min()), float(images.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"{estimator_name} reads float images as intensities in [0, 1]; got values in "
            f"[{low:.4g}, {high:.4g}]. Pass uint8 images, or divide 0-255 data by 255."
        )
    return images


def host_batch(images, start, stop):
    """A writable, contiguous copy of ``images[start:stop]``: uint8 kept, floats as float32."""
    dtype = np.uint8 if images.dtype == np.uint8 else np.float32
    return torch.from_numpy(np.array(images[start:stop], dtype=dtype, order="C"))


def to_network_input(batch, layout, input_size):
    """Turn a batch already on its device into the normalised float32 input of an ImageNet CNN.

    Parameters
    ----------
    batch : torch.Tensor
        uint8 (0-255) or float32 (0-1) images in the given layout.
    layout : {"gray", "first", "last"}
        As returned by :func:`check_images`.
    input_size : int
        Side of the square network input; images are resized to it (bilinear, antialiased,
        without cropping, so non-square images are stretched).

    Returns
    -------
    torch.Tensor of shape (n_images, 3, input_size, input_size), float32
    """
    x = batch.float()
    if batch.dtype == torch.uint8:
        x = x.div_(255.0)
    if layout == "gray":
        x = x.unsqueeze(1)
    elif layout == "last":
        x = x.permute(0, 3, 1, 2)
    if tuple(x.shape[-2:]) != (input_size, input_size):
        x = F.interpolate(
            x, size=(input_size, input_size), mode="bilinear", align_corners=False, antialias=True
        )
    x = x.expand(-1, 3, -1, -1)
    mean = torch.tensor(IMAGENET_MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std

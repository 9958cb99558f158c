"""The shared transformer behind the pretrained-CNN feature extractors.

A subclass only says how to obtain its backbone (:meth:`CNNFeatures._load_backbone`); this base
validates parameters and images, places the network on its device in the requested precision,
runs batched inference, and optionally caches the features on disk.
"""

import copy
import numbers
import warnings
from abc import ABCMeta, abstractmethod

import joblib
import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._memory import MEMORY_CONSTRAINT, joblib_memory
from ..utils._params import RejectBoolNumbersMixin
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._torch import resolve_device
from ._images import check_images, host_batch, to_network_input

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def weights_digest(backbone):
    """MD5 of a backbone's weights and buffers: which network produced a set of features."""
    return joblib.hash(
        {name: tensor.detach().cpu().numpy() for name, tensor in backbone.state_dict().items()}
    )


def _memory_format(dtype):
    """Channels-last for bfloat16, the layout of the GPUs' bfloat16 tensor-core kernels."""
    return torch.channels_last if dtype == torch.bfloat16 else torch.preserve_format


def _cached_features(digest, input_size, dtype, layout, images, extractor):
    """The cache entry of :meth:`CNNFeatures._extract`, keyed on everything but ``extractor``."""
    return extractor._extract(images, layout)


class CNNFeatures(RejectBoolNumbersMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                  BaseEstimator, metaclass=ABCMeta):
    """Base of the transformers that map images to a pretrained CNN's pooled features.

    ``n_features_in_`` is not set: scikit-learn defines it for 2-D tabular input, and these
    transformers take image arrays of any size (every image is resized to ``input_size``).
    The estimator tags declare this (``input_tags.two_d_array=False``,
    ``input_tags.three_d_array=True``).
    """

    _parameter_constraints: dict = {
        "input_size": [Interval(numbers.Integral, 32, None, closed="left")],
        "channels": [StrOptions({"auto", "first", "last"})],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "precision": [StrOptions(set(_DTYPES))],
        "memory": MEMORY_CONSTRAINT,
    }

    @abstractmethod
    def _load_backbone(self):
        """Return ``(backbone, n_features)``: the CPU float32 network and its output width."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` and build the backbone (nothing is learned from the images).

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_images, height, width), \
(n_images, height, width, channels) or (n_images, channels, height, width)
            Images as uint8 in [0, 255] or floats in [0, 1]; see ``channels``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        check_images(X, self.channels, type(self).__name__)
        joblib_memory(self.memory)  # a file given as the folder fails here, not at transform
        device = resolve_device(self.device)
        backbone, n_features = self._load_backbone()
        digest = weights_digest(backbone)
        backbone.eval().requires_grad_(False)
        dtype = _DTYPES[self.precision]
        backbone.to(device=device, dtype=dtype, memory_format=_memory_format(dtype))
        self.backbone_ = backbone
        self.device_ = device
        self.n_features_out_ = n_features
        self.weights_digest_ = digest
        return self

    def transform(self, X):
        """Compute the backbone's pooled features of every image.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_images, height, width), \
(n_images, height, width, channels) or (n_images, channels, height, width)
            Images as uint8 in [0, 255] or floats in [0, 1]; see ``channels``.

        Returns
        -------
        features : ndarray of shape (n_images, `n_features_out_`), dtype float32
        """
        check_is_fitted(self)
        images, layout = check_images(X, self.channels, type(self).__name__)
        if self.memory is None:
            return self._extract(images, layout)
        cached = joblib_memory(self.memory).cache(_cached_features, ignore=["extractor"])
        return cached(
            self.weights_digest_, self.input_size, str(self._network_dtype()), layout, images,
            extractor=self,
        )

    def _network_dtype(self):
        # The precision ``fit`` put the backbone in, even if ``precision`` was set since.
        return next(self.backbone_.parameters()).dtype

    def _extract(self, images, layout):
        features = np.empty((images.shape[0], self.n_features_out_), dtype=np.float32)
        dtype = self._network_dtype()
        with torch.inference_mode():
            for start in range(0, images.shape[0], self.batch_size):
                stop = start + self.batch_size
                batch = host_batch(images, start, stop).to(self.device_)
                x = to_network_input(batch, layout, self.input_size)
                x = x.to(dtype=dtype, memory_format=_memory_format(dtype))
                features[start:stop] = self.backbone_(x).float().cpu().numpy()
        return features

    def __getstate__(self):
        # Pickle the backbone from the CPU so that a model fitted on CUDA unpickles on a
        # machine without it (a CUDA tensor in a pickle loads only where CUDA is available).
        state = dict(super().__getstate__())  # Python's default is the live __dict__
        if "backbone_" in state and self.device_.type != "cpu":
            state["backbone_"] = copy.deepcopy(self.backbone_).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "backbone_" not in state or self.device_.type == "cpu":
            return
        try:
            self.device_ = resolve_device(self.device_)
        except ValueError:
            warnings.warn(
                f"{type(self).__name__} was fitted on {self.device_}, which this machine does "
                "not have: the backbone runs on the CPU instead.",
                UserWarning,
                stacklevel=2,
            )
            self.device_ = torch.device("cpu")
        self.backbone_.to(self.device_)

    @property
    def _n_features_out(self):
        return self.n_features_out_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


INFERENCE_PARAMETERS = """input_size : int, default=224
        Side of the square network input. Every image is resized to it (bilinear with
        antialiasing, no cropping: non-square images are stretched). At least 32, the
        ResNets' total stride.
    channels : {"auto", "last", "first"}, default="auto"
        Where the channel axis of 4-D input is: ``"last"`` for ``(n, height, width, c)``,
        ``"first"`` for ``(n, c, height, width)``. ``"auto"`` reads it from the shape and
        raises for shapes that read both ways, such as ``(n, 3, 32, 3)``. 3-D input is
        grayscale.
    batch_size : int, default=64
        Images per forward pass. Results do not depend on it beyond float rounding.
    device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device, default="auto"
        Where the network runs. ``"auto"`` uses CUDA when available.
    precision : {"float32", "bfloat16"}, default="float32"
        Numeric type of the network. ``"bfloat16"`` also switches to the channels-last memory
        format, the fast path of GPUs with bfloat16 tensor cores; features then agree with
        float32 ones to about two significant digits. It runs on the CPU too, usually slower.
    memory : None, str, path-like or joblib.Memory, default=None
        Disk cache of the features, as ``Pipeline(memory=...)``: transforming the same images
        again with the same weights, ``input_size`` and ``precision`` reads them back instead
        of running the network. In a grid search over a downstream clusterer, this is what
        saves the extraction when the pipeline predicts."""

FITTED_ATTRIBUTES = """backbone_ : torch.nn.Module
        The network in eval mode on ``device_``, ending in the global-average-pool layer.
    device_ : torch.device
        Where the network runs.
    n_features_out_ : int
        Number of features per image (2048 for ResNet-50, 512 for ResNet-18).
    weights_digest_ : str
        MD5 of the network's weights, identifying what produced the features."""

INPUT_NOTES = """Images are ``(n, height, width)`` (grayscale), ``(n, height, width, c)`` or
    ``(n, c, height, width)`` with ``c`` 1 or 3, as uint8 in [0, 255] or floats in [0, 1], each
    side at least 8 pixels. Grayscale is repeated to three channels. Each batch is moved to the
    device in its own dtype and converted, resized and normalised with the ImageNet mean and
    standard deviation there. Inference runs in eval mode under ``torch.inference_mode``.
    ``n_features_in_`` is not set: scikit-learn defines it for 2-D tabular input, and any image
    size is accepted."""

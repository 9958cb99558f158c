"""Raw images as scaled pixel vectors: the input of the MLP clusterers."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ..utils._params import RejectBoolNumbersMixin
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._torch import tensor_to_numpy


class ImageFlattener(RejectBoolNumbersMixin, OneToOneFeatureMixin, TransformerMixin,
                     BaseEstimator):
    """Flatten images to one row of pixels each, as float32, scaled to [0, 1].

    Puts image arrays in front of the clusterers, which take 2-D float input:
    ``make_pipeline(ImageFlattener(), WECMMD())`` clusters ``(n, 28, 28)`` uint8 MNIST.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        ``"auto"`` reads the data seen at ``fit`` as 0-255 intensities, and divides by 255,
        when it is uint8, or when its values lie in [0, 255] and exceed 1 (integer images,
        or float images such as ``fetch_openml``'s MNIST); data already in [0, 1], or with
        negative values, keeps its values. A number multiplies every value (e.g. ``1 / 16``
        for scikit-learn's ``load_digits``).

    Attributes
    ----------
    scale_ : float
        The factor ``transform`` multiplies by, fixed at ``fit``.
    n_features_in_ : int
        Pixels per image (``height * width * channels``) seen at ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``fit`` got a DataFrame of already flat rows.

    Notes
    -----
    Input is ``(n, ...)`` of any number of dimensions; 2-D input is taken as already flat.
    The input array is never modified; the output is a new float32 array.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeepcluster.features import ImageFlattener
    >>> images = np.full((2, 28, 28), 255, dtype=np.uint8)
    >>> Xt = ImageFlattener().fit_transform(images)
    >>> Xt.shape, Xt.dtype, float(Xt.max())
    ((2, 784), dtype('float32'), 1.0)
    """

    _parameter_constraints = {
        "scale": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, scale="auto"):
        self.scale = scale

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number of pixels per image.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_images, ...)
            Images (any number of dimensions after the first) or already flat rows.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        flat = self._flat(X, reset=True)
        self.scale_ = self._fitted_scale(flat)
        return self

    def transform(self, X):
        """Flatten and scale ``X``.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_images, ...)
            With as many pixels per image as at ``fit``.

        Returns
        -------
        Xt : ndarray of shape (n_images, `n_features_in_`), dtype float32
        """
        check_is_fitted(self)
        Xt = self._flat(X, reset=False).astype(np.float32)
        if self.scale_ != 1:
            Xt *= np.float32(self.scale_)
        return Xt

    def _fitted_scale(self, flat):
        if self.scale != "auto":
            return float(self.scale)
        if flat.dtype == np.uint8:
            return 1 / 255
        if flat.dtype.kind in "iuf" and flat.size:
            low, high = flat.min(), flat.max()
            if low >= 0 and 1 < high <= 255:
                return 1 / 255
        return 1.0

    def _flat(self, X, reset):
        X = tensor_to_numpy(X)
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if ndim > 2:
            images = check_array(X, allow_nd=True, dtype="numeric", input_name="X")
            X = images.reshape(images.shape[0], -1)
        return validate_data(self, X, dtype="numeric", reset=reset)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

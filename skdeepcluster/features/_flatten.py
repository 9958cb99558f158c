"""Raw images as scaled pixel vectors: the input of the MLP clusterers."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from ..utils._torch import tensor_to_numpy


class ImageFlattener(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Flatten images to one row of pixels each, as float32, scaled to [0, 1].

    Puts image arrays in front of the clusterers, which take 2-D float input:
    ``make_pipeline(ImageFlattener(), WECMMD())`` clusters ``(n, 28, 28)`` uint8 MNIST.

    Parameters
    ----------
    scale : "auto" or float, default="auto"
        ``"auto"`` divides uint8 images by 255 and keeps every other dtype's values. A number
        multiplies every value (e.g. ``1 / 16`` for scikit-learn's ``load_digits``).

    Attributes
    ----------
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
        self._flat(X, reset=True)
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
        flat = self._flat(X, reset=False)
        Xt = flat.astype(np.float32)
        factor = self._factor(flat.dtype)
        if factor != 1:
            Xt *= np.float32(factor)
        return Xt

    def _factor(self, dtype):
        if self.scale != "auto":
            return self.scale
        return 1 / 255 if dtype == np.uint8 else 1

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

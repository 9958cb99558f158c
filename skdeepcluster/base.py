"""The shared estimator base: validation, seeding, device, the fit template and inference."""

import collections.abc
import dataclasses
import numbers
import os
import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from ._training._callbacks import check_user_callbacks
from ._training._inference import apply_in_chunks, as_training_tensor, evaluating
from ._training._phases import MIN_PRETRAIN_STEPS, PAPER_PRETRAIN_EPOCHS, epochs_for_min_steps
from .utils._interrupt import interrupts_end_fit
from .utils._memory import MEMORY_CONSTRAINT
from .utils._params import RejectBoolNumbersMixin
from .utils._sklearn_compat import Interval, StrOptions, _fit_context, validate_data
from .utils._torch import (
    isolated_torch_rng,
    resolve_device,
    seed_from_random_state,
    tensor_to_numpy,
)


# float32 squares overflow above ~1.8e19; reconstruction losses square the input.
_MAX_ABS_INPUT = 1e15
# A feature range below which a collapse is blamed on the data's scale (see _warn_if_collapsed).
_SMALL_SPREAD = 1e-3


def check_magnitude(X):
    """Reject data whose magnitude overflows the float32 networks, at fit and at inference.

    Without this, training losses overflow at fit, and at inference the embeddings or soft
    assignments silently become NaN (and every label 0).
    """
    largest = max(float(X.max()), -float(X.min())) if X.size else 0.0  # no |X| temporary
    if largest > _MAX_ABS_INPUT:
        raise ValueError(
            f"X contains values up to {largest:.3g} in magnitude, which overflow the float32 "
            "networks. Rescale the data (e.g. MinMaxScaler or StandardScaler)."
        )


def check_conversion_keeps_meaning(X):
    """Refuse input whose conversion to float32 would silently change what it says.

    NumPy drops a masked array's mask when it converts the array, so masked (missing) entries
    would be clustered as whatever values lie under the mask; datetime and timedelta values
    would become counts of their unit since the epoch, on a scale set by the unit.
    scikit-learn's own estimators accept both silently.

    Raises
    ------
    ValueError
        For a masked array with masked entries.
    TypeError
        For datetime or timedelta values (a NumPy array or any DataFrame column).
    """
    if np.ma.isMaskedArray(X) and np.ma.count_masked(X):
        raise ValueError(
            f"X is a masked array with {np.ma.count_masked(X)} masked entries, which the "
            "conversion to float would replace by the values under the mask. Fill them "
            "(X.filled(value), or an imputer) or drop those samples."
        )
    dtypes = getattr(X, "dtypes", None)  # one per column in a DataFrame
    if not isinstance(dtypes, collections.abc.Iterable):
        dtypes = [getattr(X, "dtype", None)]
    if any(getattr(dtype, "kind", None) in ("M", "m") for dtype in dtypes):
        raise TypeError(
            "X holds datetime or timedelta values, which have no scale-free numeric form. "
            "Convert them to numeric features first (e.g. elapsed seconds, or calendar "
            "fields)."
        )


def physical_memory_bytes():
    """This machine's physical memory in bytes, or ``None`` where the OS does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows) or no such name
        return None


def check_network_size(n_features, hidden_dims, latent_dim):
    """Refuse an autoencoder whose float32 weights alone exceed this machine's memory.

    The modules are built on the host before they move to the device, so without this a
    width such as ``latent_dim=10**12`` ends in a raw torch error (an overflow, a failed
    allocation) or in the system running out of memory while the weights are initialised.
    """
    widths = (n_features, *hidden_dims, latent_dim)
    # Encoder and the mirrored decoder: one weight matrix and one bias per pair of widths each.
    n_parameters = 2 * sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))
    needed, available = 4 * n_parameters, physical_memory_bytes()
    if needed >= 2**63 or (available is not None and needed > available):
        raise ValueError(
            f"An autoencoder {' -> '.join(map(str, widths))} -> ... needs {needed / 2**30:.3g} "
            "GiB for its float32 weights alone"
            + ("" if available is None else f", more than this machine's "
               f"{available / 2**30:.3g} GiB of memory")
            + ". Lower hidden_dims or latent_dim."
        )


def check_n_samples(n_samples):
    """Validate the ``n_samples`` argument of a generative estimator's ``sample``."""
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool):
        raise TypeError(f"n_samples must be an int; got {type(n_samples).__name__}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1; got {n_samples}.")


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """What every training phase of one ``fit`` needs to know, resolved from the parameters."""

    device: torch.device
    seed: int
    batch_size: int
    lr: float
    verbose: int
    user_callbacks: tuple


@dataclasses.dataclass
class FitResult:
    """What a method's ``_fit_torch`` hands back to :meth:`BaseDeepClusterer.fit`.

    Attributes
    ----------
    net : PhaseNet
        The net holding the final module (used by ``transform`` and ``predict``).
    history : dict
        Phase name to that phase's skorch ``History``.
    n_iter : int
        Epochs run in the final training phase.
    attributes : dict
        Further fitted attributes of the method (names ending in ``_``).
    """

    net: object
    history: dict
    n_iter: int
    attributes: dict = dataclasses.field(default_factory=dict)


class BaseDeepClusterer(
    RejectBoolNumbersMixin, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin,
    BaseEstimator, metaclass=ABCMeta,
):
    """Base class of every deep clustering estimator in skdeepcluster.

    Subclasses list their parameters explicitly in ``__init__`` (scikit-learn reads them from
    the signature), using the common names ``n_clusters``, ``latent_dim``, ``hidden_dims``,
    ``pretrain_epochs``, ``max_epochs``, ``batch_size``, ``lr``, ``reconstruction``,
    ``callbacks``, ``device``, ``random_state`` and ``verbose`` where the method has the concept.

    A subclass implements :meth:`_fit_torch` (build the modules, run the training phases) and
    :meth:`_proba_from_embedding` (soft cluster assignments from the latent embedding). The
    base does everything else the same way for every method:

    * parameters are validated at ``fit`` against ``_parameter_constraints``, and a bool is
      refused where only a number is accepted (``RejectBoolNumbersMixin``);
    * input goes through ``validate_data`` (float32, finite, 2-D, no sparse);
    * ``random_state`` becomes a seed used inside a fork of torch's RNG, so the caller's NumPy
      and torch random states are never touched and a seed reproduces a fit on one device;
    * ``device`` is resolved once (``"auto"`` picks CUDA when present);
    * the final labels are computed by the same code as ``predict``, so
      ``fit_predict(X) == fit(X).predict(X)``;
    * an interrupted or failed ``fit`` (an exception, ``KeyboardInterrupt``) leaves the
      estimator exactly as it was: every fitted attribute is restored or removed. Ctrl-C ends
      the whole fit, not only the skorch training phase it falls in (skorch alone would stop
      that phase and let the fit go on with the next).

    Inference (``transform``, ``predict_proba``, ``predict``) runs in eval mode without
    gradients, in chunks of 4,096 rows so memory stays bounded for any input size.
    ``get_feature_names_out`` names the embedding dimensions after the class (``idec0``,
    ``idec1``, ...), so ``set_output(transform="pandas")`` and column-aware pipelines work.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(numbers.Integral, 1, None, closed="left")],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_dims": ["array-like"],
        "pretrain_epochs": [
            Interval(numbers.Integral, 0, None, closed="left"), StrOptions({"auto"})
        ],
        "max_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "pretrain_optimizer": [StrOptions({"adam", "sgd"})],
        "pretrain_lr": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "weight_init": [StrOptions({"glorot_uniform", "fan_in_uniform"})],
        "memory": MEMORY_CONSTRAINT,
        "reconstruction": [StrOptions({"mse", "bce"})],
        "callbacks": [list, tuple, None],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # ------------------------------------------------------------------ fitting

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the networks on ``X`` and assign every sample to a cluster.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
            Training data. Converted to float32; scale it as the method expects (e.g. [0, 1]
            for a binary cross-entropy reconstruction).
        y : None
            Ignored; present for API consistency (labels only ever score a clustering).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        previous_state = self._fitted_state()
        try:
            with interrupts_end_fit():
                self._fit_and_assign(X)
        except BaseException:
            self._restore_fitted_state(previous_state)
            raise
        return self

    def _fitted_state(self):
        """The public fitted attributes (``name_``) currently set on the estimator."""
        return {
            name: value
            for name, value in vars(self).items()
            if name.endswith("_") and not name.startswith("_")
        }

    def _restore_fitted_state(self, previous):
        """Put back exactly the fitted attributes of ``previous`` after an unfinished fit."""
        for name in self._fitted_state():
            delattr(self, name)
        for name, value in previous.items():
            setattr(self, name, value)

    def _fit_and_assign(self, X):
        check_conversion_keeps_meaning(X)
        X = validate_data(
            self, tensor_to_numpy(X), dtype=np.float32, order="C", ensure_min_samples=2
        )
        self._check_input_against_params(X)
        check_user_callbacks(self.callbacks)
        config = TrainingConfig(
            device=resolve_device(self.device),
            seed=seed_from_random_state(self.random_state),
            batch_size=int(self.batch_size),  # a NumPy int8 would overflow in batch arithmetic
            lr=self.lr,
            verbose=int(self.verbose),
            user_callbacks=tuple(self.callbacks or ()),
        )
        with isolated_torch_rng(config.seed, config.device):
            result = self._fit_torch(as_training_tensor(X, config.device), config)
        for name, value in result.attributes.items():
            setattr(self, name, value)
        self.net_ = result.net
        self.history_ = result.history
        self.n_iter_ = result.n_iter
        self.labels_ = self._predict_proba_array(X).argmax(axis=1)
        self._warn_if_collapsed(self.labels_, X)

    def _check_input_against_params(self, X):
        if self.n_clusters > X.shape[0]:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be <= n_samples={X.shape[0]}."
            )
        dims = self.hidden_dims
        # A set or dict is array-like to scikit-learn, but has no layer order (and a set drops
        # repeated widths).
        unordered = isinstance(dims, (str, collections.abc.Set, collections.abc.Mapping))
        if unordered or getattr(dims, "ndim", 1) != 1 or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in dims
        ):
            raise ValueError(
                f"hidden_dims must be a sequence of positive ints; got {self.hidden_dims!r}."
            )
        check_network_size(X.shape[1], [int(d) for d in dims], int(self._embedding_dim()))
        check_magnitude(X)

    def _embedding_dim(self):
        """Size of the embedding the autoencoder is built with."""
        return self.latent_dim

    # The pretraining epochs ``pretrain_epochs="auto"`` starts from (the paper's).
    _auto_pretrain_epochs = PAPER_PRETRAIN_EPOCHS

    def _pretrain_epoch_count(self, n_samples):
        """The epochs of autoencoder pretraining ``pretrain_epochs`` stands for on
        ``n_samples`` samples: ``"auto"`` is ``_auto_pretrain_epochs``, raised to at least
        ``MIN_PRETRAIN_STEPS`` optimiser steps; an int is taken as it is."""
        if isinstance(self.pretrain_epochs, str):
            return epochs_for_min_steps(
                self._auto_pretrain_epochs, MIN_PRETRAIN_STEPS, n_samples, self.batch_size
            )
        return int(self.pretrain_epochs)

    @abstractmethod
    def _fit_torch(self, X, config):
        """Build and train the modules on device tensor ``X``; return a :class:`FitResult`."""

    def _warn_if_collapsed(self, labels, X):
        """Warn when fewer than ``n_clusters`` clusters received samples, saying why if the
        training data ``X`` explains it (no variation, or too little for the networks)."""
        n_found = np.unique(labels).size
        if n_found >= self.n_clusters:
            return
        spread = float(np.ptp(X, axis=0).max())
        if spread == 0.0:
            advice = "Every sample of X is the same: there is nothing to cluster."
        elif spread < _SMALL_SPREAD:
            advice = (
                f"X's features vary by at most {spread:.3g}, too little for networks that "
                "start at unit scale. Rescale the data (e.g. StandardScaler or MinMaxScaler)."
            )
        else:
            advice = "Try another random_state, more pretraining, or fewer clusters."
        warnings.warn(
            f"Only {n_found} of n_clusters={self.n_clusters} clusters received samples: "
            f"the clustering collapsed. {advice}",
            ConvergenceWarning,
            stacklevel=5,  # the caller of fit (through _fit_context)
        )

    # ---------------------------------------------------------------- inference

    def _embed_array(self, X):
        device = self.net_.device
        with evaluating(self.net_.module_) as module:
            encoder = self._encoder(module)
            return apply_in_chunks(encoder, X, torch.device(device), to_numpy=True)

    @staticmethod
    def _encoder(module):
        """The callable mapping a batch to its embedding, inside the trained module."""
        if hasattr(module, "embed"):
            return module.embed
        return module.autoencoder.encoder if hasattr(module, "autoencoder") else module.encoder

    @abstractmethod
    def _proba_from_embedding(self, Z):
        """Soft assignments (n_samples, n_clusters), rows summing to one, from embeddings."""

    def _predict_proba_array(self, X):
        return self._proba_from_embedding(self._embed_array(X))

    def _validated(self, X):
        check_is_fitted(self)
        check_conversion_keeps_meaning(X)
        X = validate_data(self, tensor_to_numpy(X), dtype=np.float32, order="C", reset=False)
        check_magnitude(X)
        return X

    def transform(self, X):
        """Embed ``X`` in the learned latent space.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim), dtype float32
        """
        return self._embed_array(self._validated(X))

    def predict_proba(self, X):
        """Soft cluster assignments of ``X``.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
            Rows sum to one.
        """
        return self._predict_proba_array(self._validated(X))

    def predict(self, X):
        """Assign each sample of ``X`` to its most probable cluster.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64
        """
        return self.predict_proba(X).argmax(axis=1)

    def fit_predict(self, X, y=None):
        """Fit on ``X`` and return its cluster labels (identical to ``fit(X).predict(X)``).

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64
        """
        return self.fit(X).labels_

    @property
    def _n_features_out(self):
        """Width of the embedding ``transform`` returns (read by ``get_feature_names_out``)."""
        return self.cluster_centers_.shape[1]

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags

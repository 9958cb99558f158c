"""VaDE: Variational Deep Embedding (Jiang, Zheng, Tan, Tang and Zhou, IJCAI 2017)."""

import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import StepLR

from ..base import BaseDeepClusterer, FitResult
from ..losses import LIKELIHOODS, reconstruction_output
from ..nn import GaussianEncoder, GaussianMixturePrior, GaussianMixtureVAE, mixture_joint_log_prob
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import child_seed, seed_from_random_state
from .._training._cluster_init import initial_mixture
from .._training._criteria import GaussianMixtureELBOCriterion
from .._training._inference import apply_in_chunks, evaluating
from .._training._phases import fit_phase
from . import _params
from ._autoencoding import build_autoencoder, embed, pretrain_autoencoder

_PRETRAIN_LOSS = {"bernoulli": "bce", "gaussian": "mse"}


class VaDE(BaseDeepClusterer):
    __doc__ = f"""Variational Deep Embedding (Jiang et al., IJCAI 2017).

    A VAE whose prior is a mixture of Gaussians, ``p(c) = Cat(pi)``,
    ``p(z|c) = N(mu_c, diag(sigma_c^2))``, trained on the evidence lower bound (DVAE Eq. 3.6,
    DGG Eq. 21) with the cluster posterior taken from the prior itself,
    ``gamma_ic = p(c|z_i)``. An autoencoder is pretrained first; its encoder becomes the
    posterior mean, and a diagonal Gaussian mixture fitted on its embedding initialises
    ``pi``, ``mu_c`` and ``sigma_c^2``. Clusters are ``argmax_c p(c | mu(x))``.

    Parameters
    ----------
    {_params.N_CLUSTERS}
    {_params.ARCHITECTURE}
    likelihood : {{"auto", "bernoulli", "gaussian"}}, default="auto"
        ``p(x|z)``: Bernoulli (``X`` in ``[0, 1]``, e.g. pixels / 255) or Gaussian with
        variance ``likelihood_variance``. ``"auto"`` picks Bernoulli when every value of ``X``
        lies in ``[0, 1]`` and Gaussian otherwise; the choice is in ``likelihood_``. The
        autoencoder is pretrained with the matching loss (cross-entropy or squared error).
    likelihood_variance : float, default=1.0
        Variance ``lambda`` of the Gaussian likelihood.
    pretrain_epochs : int, default=50
        Epochs of autoencoder pretraining.
    max_epochs : int, default=300
        Epochs of ELBO training (VaDE's MNIST setting).
    init : {"gmm", "kmeans"}, default="gmm"
        How the prior is initialised from the pretrained embedding: a diagonal Gaussian mixture
        fitted by EM (VaDE), or KMeans clusters (their sizes, centres and per-dimension
        variances), which is more robust when a few outliers would each get an EM component.
    n_init : int, default=10
        Restarts of the mixture or KMeans that initialises the prior.
    batch_size : int, default=100
        Mini-batch size of both phases (VaDE's).
    lr : float, default=2e-3
        Initial Adam learning rate of both phases.
    lr_decay : float, default=0.9
        Factor applied to the ELBO phase's learning rate every ``lr_decay_epochs`` epochs.
    lr_decay_epochs : int, default=10
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks, a fresh copy in every phase; the list is never modified.
    {_params.RUNTIME}

    Attributes
    ----------
    {_params.COMMON_ATTRIBUTES}
    weights_ : ndarray of shape (n_clusters,)
        Mixture weights ``pi``.
    covariances_ : ndarray of shape (n_clusters, latent_dim)
        Diagonal variances ``sigma_c^2`` of the components (``cluster_centers_`` are the
        means).
    likelihood_ : str
        The likelihood used (``"auto"`` resolved).

    See Also
    --------
    AEKMeans : with ``clusterer="gmm"``, the two-stage version of the same model.

    Notes
    -----
    One code is drawn per sample and step. The prior's variances are kept above ``1e-6`` and
    every density is evaluated in log space.

    References
    ----------
    Z. Jiang, Y. Zheng, H. Tan, B. Tang, H. Zhou. Variational Deep Embedding: An Unsupervised
    and Generative Approach to Clustering. IJCAI 2017.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeepcluster import VaDE
    >>> X = load_digits().data / 16
    >>> model = VaDE(n_clusters=10, hidden_dims=(64,), pretrain_epochs=5, max_epochs=5,
    ...              random_state=0).fit(X)
    >>> model.predict_proba(X).shape
    (1797, 10)
    >>> X_new, y_new = model.sample(4)
    >>> X_new.shape
    (4, 64)
    """

    _parameter_constraints = {
        **BaseDeepClusterer._parameter_constraints,
        "likelihood": [StrOptions({"auto", *LIKELIHOODS})],
        "likelihood_variance": [Interval(numbers.Real, 0, None, closed="neither")],
        "init": [StrOptions({"gmm", "kmeans"})],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_decay": [Interval(numbers.Real, 0, 1, closed="right")],
        "lr_decay_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=10,
        hidden_dims=(500, 500, 2000),
        likelihood="auto",
        likelihood_variance=1.0,
        pretrain_epochs=50,
        max_epochs=300,
        init="gmm",
        n_init=10,
        batch_size=100,
        lr=2e-3,
        lr_decay=0.9,
        lr_decay_epochs=10,
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.latent_dim = latent_dim
        self.hidden_dims = hidden_dims
        self.likelihood = likelihood
        self.likelihood_variance = likelihood_variance
        self.pretrain_epochs = pretrain_epochs
        self.max_epochs = max_epochs
        self.init = init
        self.n_init = n_init
        self.batch_size = batch_size
        self.lr = lr
        self.lr_decay = lr_decay
        self.lr_decay_epochs = lr_decay_epochs
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_input_against_params(self, X):
        super()._check_input_against_params(X)
        in_unit_interval = bool(X.min() >= 0 and X.max() <= 1)
        if self.likelihood == "bernoulli" and not in_unit_interval:
            raise ValueError(
                "likelihood='bernoulli' needs X in [0, 1] (e.g. pixels / 255 or MinMaxScaler); "
                f"X spans [{X.min():.3g}, {X.max():.3g}]. Use likelihood='gaussian' otherwise."
            )
        self._likelihood = (
            ("bernoulli" if in_unit_interval else "gaussian")
            if self.likelihood == "auto"
            else self.likelihood
        )

    def _fit_torch(self, X, config):
        likelihood = self._likelihood
        autoencoder = build_autoencoder(X.shape[1], self.hidden_dims, self.latent_dim)
        _, history = pretrain_autoencoder(
            autoencoder,
            X,
            config=config,
            epochs=self.pretrain_epochs,
            strategy="end_to_end",
            reconstruction=_PRETRAIN_LOSS[likelihood],
        )
        prior = GaussianMixturePrior(self.n_clusters, self.latent_dim)
        prior.set_from_mixture(
            *initial_mixture(
                embed(autoencoder.encoder, X, config.device),
                self.n_clusters,
                method=self.init,
                seed=child_seed(config.seed, "mixture_init"),
                n_init=self.n_init,
            )
        )
        model = GaussianMixtureVAE(
            GaussianEncoder(autoencoder.encoder), autoencoder.decoder, prior
        ).to(config.device)
        schedule = LRScheduler(StepLR, step_size=self.lr_decay_epochs, gamma=self.lr_decay)
        net = fit_phase(
            model,
            GaussianMixtureELBOCriterion(likelihood, self.likelihood_variance),
            X,
            phase="elbo",
            config=config,
            epochs=self.max_epochs,
            callbacks=[("lr_decay", schedule)],
        )
        history["elbo"] = net.history
        with torch.no_grad():
            return FitResult(
                net=net,
                history=history,
                n_iter=len(net.history),
                attributes={
                    "cluster_centers_": prior.means.cpu().numpy().copy(),
                    "covariances_": prior.variances.cpu().numpy(),
                    "weights_": prior.log_weights.exp().cpu().numpy(),
                    "likelihood_": likelihood,
                },
            )

    def _proba_from_embedding(self, Z):
        log_joint = mixture_joint_log_prob(
            torch.from_numpy(Z).double(),
            torch.from_numpy(np.log(self.weights_)).double(),
            torch.from_numpy(self.cluster_centers_).double(),
            torch.from_numpy(self.covariances_).double(),
        )
        return torch.softmax(log_joint, dim=1).numpy()

    def sample(self, n_samples=1, cluster=None):
        """Generate samples from the learned mixture through the decoder.

        Draws ``c ~ Cat(pi)`` (or uses ``cluster``), ``z ~ N(mu_c, diag(sigma_c^2))`` and
        decodes ``z`` (the Bernoulli mean, or the Gaussian mean). Draws are seeded by
        ``random_state``.

        Parameters
        ----------
        n_samples : int, default=1
        cluster : int, optional
            Generate from this component only.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_), dtype float32
        y : ndarray of shape (n_samples,)
            The component of each sample.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool):
            raise TypeError(f"n_samples must be an int; got {type(n_samples).__name__}.")
        if n_samples < 1:
            raise ValueError(f"n_samples must be >= 1; got {n_samples}.")
        if cluster is not None and not (
            isinstance(cluster, numbers.Integral) and 0 <= cluster < self.n_clusters
        ):
            raise ValueError(f"cluster must be an int in [0, {self.n_clusters}); got {cluster!r}.")
        generator = torch.Generator().manual_seed(seed_from_random_state(self.random_state))
        module = self.net_.module_
        with evaluating(module), torch.no_grad():
            z, labels = module.prior.sample(n_samples, cluster, generator=generator)
            X = apply_in_chunks(
                lambda chunk: reconstruction_output(
                    module.decoder(chunk), _PRETRAIN_LOSS[self.likelihood_]
                ),
                z,
                z.device,
                to_numpy=True,
            )
        return X, labels.cpu().numpy()

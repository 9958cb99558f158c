"""The shared fit of the mixture-of-Gaussians VAE clusterers (VaDE, DVAE)."""

import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import StepLR

from ..base import BaseDeepClusterer, FitResult, check_n_samples
from ..losses import LIKELIHOODS, reconstruction_output
from ..nn import GaussianEncoder, GaussianMixturePrior, GaussianMixtureVAE
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import child_seed, seed_from_random_state
from .._training._cluster_init import initial_mixture
from .._training._criteria import GaussianMixtureELBOCriterion
from .._training._inference import apply_in_chunks, evaluating
from .._training._phases import fit_phase
from ._autoencoding import build_autoencoder, embed, pretrain_autoencoder

# Autoencoder pretraining loss matching each likelihood.
PRETRAIN_LOSS = {"bernoulli": "bce", "gaussian": "mse"}

LIKELIHOOD_DOC = """likelihood : {"auto", "bernoulli", "gaussian"}, default="auto"
        ``p(x|z)``: Bernoulli (``X`` in ``[0, 1]``, e.g. pixels / 255) or Gaussian with
        variance ``likelihood_variance``. ``"auto"`` picks Bernoulli when every value of ``X``
        lies in ``[0, 1]`` and Gaussian otherwise; the choice is in ``likelihood_``. The
        autoencoder is pretrained with the matching loss (cross-entropy or squared error).
    likelihood_variance : float, default=1.0
        Variance ``lambda`` of the Gaussian likelihood."""

SCHEDULE_DOC = """lr_decay : float, default=0.9
        Factor applied to the ELBO phase's learning rate every ``lr_decay_epochs`` epochs.
    lr_decay_epochs : int, default=10
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks, a fresh copy in every phase; the list is never modified."""

MIXTURE_ATTRIBUTES = """weights_ : ndarray of shape (n_clusters,)
        Mixture weights ``pi``.
    covariances_ : ndarray of shape (n_clusters, latent_dim)
        Diagonal variances ``sigma_c^2`` of the components (``cluster_centers_`` are the
        means).
    likelihood_ : str
        The likelihood used (``"auto"`` resolved)."""


class MixtureVAEClustering(BaseDeepClusterer):
    """Private base: pretrain an autoencoder, initialise the prior, train on the ELBO.

    Subclasses may add a classifier (:meth:`_build_classifier`), which then also gives
    ``predict_proba``, and extra ELBO-phase callbacks and criterion weights
    (:meth:`_elbo_phase_extras`).
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

    # ------------------------------------------------------------- method hooks
    def _build_classifier(self, Z, initial_labels, X, config, history):
        """A trained classifier ``q(c|z)``, or ``None`` to take ``gamma`` from the prior."""
        return None

    def _elbo_phase_extras(self):
        """``(criterion options, [(name, callback), ...])`` of the ELBO phase."""
        return {}, []

    # ---------------------------------------------------------------- pipeline
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
            reconstruction=PRETRAIN_LOSS[likelihood],
        )
        Z = embed(autoencoder.encoder, X, config.device)
        weights, means, variances, labels = initial_mixture(
            Z, self.n_clusters, method=self.init,
            seed=child_seed(config.seed, "mixture_init"), n_init=self.n_init,
        )
        prior = GaussianMixturePrior(self.n_clusters, self.latent_dim)
        prior.set_from_mixture(weights, means, variances)
        classifier = self._build_classifier(Z, labels, X, config, history)
        model = GaussianMixtureVAE(
            GaussianEncoder(autoencoder.encoder), autoencoder.decoder, prior, classifier
        ).to(config.device)
        criterion_options, callbacks = self._elbo_phase_extras()
        schedule = LRScheduler(StepLR, step_size=self.lr_decay_epochs, gamma=self.lr_decay)
        net = fit_phase(
            model,
            GaussianMixtureELBOCriterion(likelihood, self.likelihood_variance,
                                         **criterion_options),
            X,
            phase="elbo",
            config=config,
            epochs=self.max_epochs,
            callbacks=[("lr_decay", schedule), *callbacks],
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
        """The cluster posterior at ``z = mu(x)``: the prior's ``p(c|z)``, or the classifier's
        ``q(c|z)`` when the model has one."""
        module = self.net_.module_
        with evaluating(module), torch.no_grad():
            return apply_in_chunks(
                module.cluster_posterior, Z, torch.device(self.net_.device), to_numpy=True
            ).astype(np.float64)

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
        check_n_samples(n_samples)
        if cluster is not None and not (
            isinstance(cluster, numbers.Integral) and 0 <= cluster < len(self.weights_)
        ):
            raise ValueError(
                f"cluster must be an int in [0, {len(self.weights_)}); got {cluster!r}."
            )
        generator = torch.Generator().manual_seed(seed_from_random_state(self.random_state))
        module = self.net_.module_
        with evaluating(module), torch.no_grad():
            z, labels = module.prior.sample(n_samples, cluster, generator=generator)
            X = apply_in_chunks(
                lambda chunk: reconstruction_output(
                    module.decoder(chunk), PRETRAIN_LOSS[self.likelihood_]
                ),
                z,
                z.device,
                to_numpy=True,
            )
        return X, labels.cpu().numpy()

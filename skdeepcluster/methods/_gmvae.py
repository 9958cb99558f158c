"""The shared fit of the mixture-of-Gaussians VAE clusterers (VaDE, DVAE, DGG)."""

import dataclasses
import numbers
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ..base import BaseDeepClusterer, FitResult, check_n_samples
from ..losses import LIKELIHOODS, reconstruction_output
from ..nn import GaussianEncoder, GaussianMixturePrior, GaussianMixtureVAE, cluster_classifier
from ..nn._gaussian import VARIANCE_FLOOR
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import child_seed, seed_from_random_state
from .._training._cluster_init import initial_mixture
from .._training._criteria import GaussianMixtureELBOCriterion, PseudoLabelCriterion
from .._training._inference import apply_in_chunks, as_training_tensor, evaluating
from .._training._phases import epochs_for_min_steps, fit_phase
from .._training._schedules import warmup_step_decay
from ._autoencoding import PRETRAIN_STRATEGIES, build_and_pretrain, embed

# The reconstruction loss matching each likelihood: how the decoder's output is read (logits or
# values), and the pretraining loss of ``pretrain_loss="auto"``.
MATCHING_LOSS = {"bernoulli": "bce", "gaussian": "mse"}

LIKELIHOOD_DOC = """likelihood : {"auto", "bernoulli", "gaussian"}, default="auto"
        ``p(x|z)``: Bernoulli (``X`` in ``[0, 1]``, e.g. pixels / 255) or Gaussian with
        variance ``likelihood_variance``. ``"auto"`` picks Bernoulli when every value of ``X``
        lies in ``[0, 1]`` and Gaussian otherwise; the choice is in ``likelihood_``. The
        autoencoder is pretrained with the matching loss (cross-entropy or squared error).
    likelihood_variance : float, default=1.0
        Variance ``lambda`` of the Gaussian likelihood; the default assumes standardized
        features, and ``fit`` warns when the largest feature standard deviation is more than 10
        times above or below ``sqrt(lambda)``."""

SCHEDULE_DOC = """lr_decay : float, default=0.9
        Factor applied to the ELBO phase's learning rate every ``lr_decay_epochs`` epochs.
    lr_decay_epochs : int, default=10
    lr_warmup_steps : int, default=100
        The ELBO phase's learning rate rises linearly from ``lr / lr_warmup_steps`` to ``lr``
        over its first ``lr_warmup_steps`` optimiser steps; ``0`` starts at ``lr`` as the papers
        do. The phase starts a fresh Adam on the pretrained network, and Adam's first updates
        move every weight by about ``lr`` whatever the gradient's size: on ORL faces (400
        images, 40 clusters, seed 0) VaDE's first step at ``lr=2e-3`` took the initial
        clustering from 40 clusters (ACC 0.417) to 8 (ACC 0.133), and training ended with 2;
        with the warm-up it kept 34 (ACC 0.398). On MNIST 100 steps are a seventh of an epoch.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks, a fresh copy in every phase; the list is never modified."""

PRETRAIN_DOC = """pretrain : {"end_to_end", "layerwise"}, default="end_to_end"
        How the autoencoder is pretrained: end to end, or first each encoder/decoder pair as a
        denoising autoencoder (DEC's greedy layer-wise scheme, with ``pretrain_epochs`` epochs
        per pair) and then end to end. The DVAE paper (Section 4) stacks autoencoders "like
        VaDE", and DGG's (Section 4) trains them greedy layer-wise as denoising autoencoders;
        DGG then trains the stacked network as a plain VAE before fitting the mixture
        (``vae_pretrain_epochs``).
    pretrain_loss : {"auto", "bce", "mse"}, default="auto"
        Reconstruction loss of autoencoder pretraining. ``"auto"`` matches the likelihood
        (cross-entropy for Bernoulli, squared error for Gaussian). ``"mse"`` with a Bernoulli
        likelihood pretrains the decoder's output as values that the ELBO phase then reads as
        logits, as VaDE's published code did with the squared-error autoencoder weights it
        started from. ``"bce"`` needs ``X`` in ``[0, 1]``.
    vae_pretrain_epochs : int, default=0
        Epochs of training the pretrained autoencoder as a plain VAE, with a standard normal
        prior and the ELBO phase's likelihood and learning-rate schedule, before the mixture is
        fitted on its posterior means (DGG Section 4: "the network is trained as a variational
        autoencoder"). The ELBO phase then keeps this encoder's posterior variances. ``0``
        skips the stage. Neither stage is a default: on USPS (DVAE, seed 0) they ended at ACC
        74.0 (layer-wise) and 71.0 (50 VAE epochs), against 76.8 to 83.3 with the defaults
        (seeds 0-2)."""

MIXTURE_ATTRIBUTES = """weights_ : ndarray of shape (n_clusters,)
        Mixture weights ``pi``.
    covariances_ : ndarray of shape (n_clusters, latent_dim)
        Diagonal variances ``sigma_c^2`` of the components (``cluster_centers_`` are the
        means).
    likelihood_ : str
        The likelihood used (``"auto"`` resolved)."""


# Largest ratio, either way, between the features' spread and the Gaussian likelihood's
# standard deviation before fit warns that the data is on the wrong scale.
LIKELIHOOD_SCALE_TOLERANCE = 10.0


def warn_if_off_likelihood_scale(X, variance, estimator_name):
    """Warn when ``X`` is far off the scale that a Gaussian likelihood of ``variance`` assumes.

    The reconstruction term ``||x - x_hat||^2 / (2 lambda)`` is not scale-free: features whose
    standard deviation is far above ``sqrt(lambda)`` dominate the loss and can overflow it,
    and when every feature is far below it, reconstructing ``x`` can be worth less than the KL
    cost of encoding it, and the posterior (with the clustering) collapses.
    """
    scale = float(np.sqrt(variance))
    largest_std = float(X.std(axis=0, dtype=np.float64).max())
    if scale / LIKELIHOOD_SCALE_TOLERANCE <= largest_std <= scale * LIKELIHOOD_SCALE_TOLERANCE:
        return
    warnings.warn(
        f"The Gaussian likelihood assumes features with a standard deviation near "
        f"sqrt(likelihood_variance)={scale:.3g}, but the largest feature standard deviation "
        f"of X is {largest_std:.3g}. Standardize X (e.g. make_pipeline(StandardScaler(), "
        f"{estimator_name}(...))) or set likelihood_variance.",
        UserWarning,
        stacklevel=6,  # the caller of fit (through _check_input_against_params and fit)
    )


def initial_posterior_logvar(variances):
    """The encoder's initial ``log sigma^2`` per latent dimension: the log of the initial
    components' mean variance, at most 0 and at least ``log(VARIANCE_FLOOR)``.

    VaDE starts the posterior at unit variance, which is small beside the spread of the
    pretrained embeddings of image data (on the digits every component variance is above 0.5,
    and the per-dimension means above 1, so nothing changes there). When the embedding is much
    tighter than that (standardized iris: component variances near 0.02), unit-variance noise
    swamps it: the first reparameterised codes carry no information, the ELBO's prior term
    starts near 37,000 nats per sample (seed 0), and the first optimiser steps merge the
    clusters. Starting at the components' own scale (where the prior term of a code inside a
    component is smallest in ``sigma^2``) avoids that. The floor keeps a dimension along which
    the embedding does not vary at all (constant ``X``) at a finite log-variance: at ``-inf``
    the first ELBO was infinite.

    Parameters
    ----------
    variances : array-like of shape (n_clusters, latent_dim)
        Diagonal variances of the initial mixture.

    Returns
    -------
    ndarray of shape (latent_dim,)
    """
    mean_variance = np.asarray(variances, dtype=np.float64).mean(axis=0)
    return np.minimum(0.0, np.log(np.maximum(mean_variance, VARIANCE_FLOOR)))


@dataclasses.dataclass
class ELBOPhase:
    """The criterion, callbacks and tuple partners of a method's ELBO phase."""

    criterion: torch.nn.Module
    callbacks: list = dataclasses.field(default_factory=list)
    partners: torch.Tensor = None


class MixtureVAEClustering(BaseDeepClusterer):
    """Private base: pretrain an autoencoder, initialise the prior, train on the ELBO.

    Subclasses may add a classifier (:meth:`_build_classifier`), which then gives the cluster
    posterior, and change what the ELBO phase trains on (:meth:`_elbo_phase`).
    """

    _parameter_constraints = {
        **BaseDeepClusterer._parameter_constraints,
        "likelihood": [StrOptions({"auto", *LIKELIHOODS})],
        "likelihood_variance": [Interval(numbers.Real, 0, None, closed="neither")],
        "init": [StrOptions({"gmm", "kmeans"})],
        "pretrain": [PRETRAIN_STRATEGIES],
        "pretrain_loss": [StrOptions({"auto", "bce", "mse"})],
        "vae_pretrain_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_decay": [Interval(numbers.Real, 0, 1, closed="right")],
        "lr_decay_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr_warmup_steps": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    # ------------------------------------------------------------- method hooks
    def _build_classifier(self, Z, initial_labels, config, history):
        """A trained classifier ``q(c|z)``, or ``None`` to take ``gamma`` from the prior."""
        return None

    def _elbo_phase(self, X, Z, initial_weights, config, history):
        """What the ELBO phase trains on: an :class:`ELBOPhase`.

        Parameters
        ----------
        X : torch.Tensor
            The training data on ``config.device``.
        Z : ndarray
            The pretrained embedding of ``X``.
        initial_weights : ndarray of shape (n_clusters,)
            The initial mixture weights.
        config : TrainingConfig
        history : dict
            Phase histories; a method adds the phases it runs here.
        """
        return ELBOPhase(GaussianMixtureELBOCriterion(self._likelihood, self.likelihood_variance))

    # ---------------------------------------------------------------- pipeline
    def _check_input_against_params(self, X):
        super()._check_input_against_params(X)
        in_unit_interval = bool(X.min() >= 0 and X.max() <= 1)
        for name, value, unit_interval_value, otherwise in (
            ("likelihood", self.likelihood, "bernoulli", "likelihood='gaussian'"),
            ("pretrain_loss", self.pretrain_loss, "bce", "pretrain_loss='mse'"),
        ):
            if value == unit_interval_value and not in_unit_interval:
                raise ValueError(
                    f"{name}={value!r} needs X in [0, 1] (e.g. pixels / 255 or MinMaxScaler); "
                    f"X spans [{X.min():.3g}, {X.max():.3g}]. Use {otherwise} otherwise."
                )
        self._likelihood = (
            ("bernoulli" if in_unit_interval else "gaussian")
            if self.likelihood == "auto"
            else self.likelihood
        )
        if self._likelihood == "gaussian":
            warn_if_off_likelihood_scale(X, self.likelihood_variance, type(self).__name__)

    def _fit_torch(self, X, config):
        likelihood = self._likelihood
        autoencoder, _, history = build_and_pretrain(
            self, X, config, latent_dim=self.latent_dim, strategy=self.pretrain,
            reconstruction=(
                MATCHING_LOSS[likelihood] if self.pretrain_loss == "auto" else self.pretrain_loss
            ),
        )
        encoder = None
        if self.vae_pretrain_epochs > 0:
            encoder = self._pretrain_as_vae(autoencoder, X, config, history)
        Z = embed(autoencoder.encoder, X, config.device)
        weights, means, variances, labels = initial_mixture(
            Z, self.n_clusters, method=self.init,
            seed=child_seed(config.seed, "mixture_init"), n_init=self.n_init,
        )
        prior = GaussianMixturePrior(self.n_clusters, self.latent_dim)
        prior.set_from_mixture(weights, means, variances)
        classifier = self._build_classifier(Z, labels, config, history)
        if encoder is None:  # built after the classifier, whose initial weights it would shift
            encoder = GaussianEncoder(autoencoder.encoder, initial_posterior_logvar(variances))
        model = GaussianMixtureVAE(encoder, autoencoder.decoder, prior, classifier).to(
            config.device
        )
        phase = self._elbo_phase(X, Z, weights, config, history)
        net = fit_phase(
            model,
            phase.criterion,
            X,
            phase="elbo",
            config=config,
            epochs=self.max_epochs,
            callbacks=[("lr_schedule", self._elbo_schedule(len(X), config)), *phase.callbacks],
            partners=phase.partners,
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

    def _elbo_schedule(self, n_samples, config):
        """The learning-rate schedule of the ELBO phase (and of the plain-VAE stage)."""
        return warmup_step_decay(
            warmup_steps=self.lr_warmup_steps,
            decay=self.lr_decay,
            decay_epochs=self.lr_decay_epochs,
            n_samples=n_samples,
            batch_size=config.batch_size,
        )

    def _pretrain_as_vae(self, autoencoder, X, config, history):
        """Train the pretrained ``autoencoder`` as a VAE with prior ``N(0, I)`` (DGG Section 4).

        The prior is a frozen one-component :class:`GaussianMixturePrior`, under which the
        mixture ELBO is the plain VAE's. The posterior starts at the embedding's own spread
        (:func:`initial_posterior_logvar` of its per-dimension variance).

        Returns
        -------
        GaussianEncoder
            The trained encoder; its mean head is ``autoencoder.encoder``'s last layer.
        """
        spread = embed(autoencoder.encoder, X, config.device).var(axis=0, dtype=np.float64)
        encoder = GaussianEncoder(autoencoder.encoder, initial_posterior_logvar(spread[None]))
        standard_normal = GaussianMixturePrior(1, self.latent_dim).requires_grad_(False)
        model = GaussianMixtureVAE(encoder, autoencoder.decoder, standard_normal).to(config.device)
        net = fit_phase(
            model,
            GaussianMixtureELBOCriterion(self._likelihood, self.likelihood_variance),
            X,
            phase="vae",
            config=config,
            epochs=self.vae_pretrain_epochs,
            callbacks=[("lr_schedule", self._elbo_schedule(len(X), config))],
        )
        history["vae"] = net.history
        return encoder

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
            isinstance(cluster, numbers.Integral)
            and not isinstance(cluster, bool)
            and 0 <= cluster < len(self.weights_)
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
                    module.decoder(chunk), MATCHING_LOSS[self.likelihood_]
                ),
                z,
                z.device,
                to_numpy=True,
            )
        return X, labels.cpu().numpy()


# Fewest optimiser steps of classifier training on the pseudo-labels (see CLASSIFIER_DOC).
MIN_CLASSIFIER_STEPS = 300

CLASSIFIER_DOC = """classifier_depth : {1, 2} or None, default=None
        Linear layers of the classifier ``q(c|z)``: ``latent_dim-C`` or ``latent_dim-C-C``.
        ``None`` takes one layer when ``n_clusters == latent_dim`` and two otherwise. The
        papers use ``10-C`` for ``C = 10`` and ``10-C-C`` for ``C < 10``, and give no rule
        for ``C > 10``. There, one linear layer lost clusters during training: on ORL faces
        (40 clusters, seed 0), DVAE ended with 12 clusters (ACC 0.182) with one layer and all
        40 (ACC 0.420) with two; DGG ended with 1 cluster (ACC 0.025) and 34 (ACC 0.355).
    classifier_epochs : int, default=30
        Epochs of classifier training on the initial pseudo-labels, extended where needed to
        at least 300 optimiser steps (``MIN_CLASSIFIER_STEPS``): on a small dataset, where an
        epoch is one mini-batch, 30 epochs are only 30 steps, and the final clustering was
        clearly worse after them (standardized wine, seed 0: DVAE ACC 0.674 with 30 steps,
        0.876 with 300; DGG 0.635 and 0.955). ``0`` skips this training.
    classifier_lr : float, default=0.02
        Adam learning rate of that training (the DGG authors' code uses 0.02)."""


class ClassifierMixtureVAEClustering(MixtureVAEClustering):
    """Private base of the mixture VAEs whose cluster posterior is a classifier ``q(c|z)``.

    The classifier is trained first on the pseudo-labels of the initial clustering of the
    pretrained embedding (DVAE §3.1.2, DGG §4), then jointly with the VAE.
    """

    _parameter_constraints = {
        **MixtureVAEClustering._parameter_constraints,
        "classifier_depth": [Interval(numbers.Integral, 1, 2, closed="both"), None],
        "classifier_epochs": [Interval(numbers.Integral, 0, None, closed="left")],
        "classifier_lr": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def _build_classifier(self, Z, initial_labels, config, history):
        depth = self.classifier_depth
        if depth is None:
            depth = 1 if self.n_clusters == self.latent_dim else 2
        classifier = cluster_classifier(self.latent_dim, self.n_clusters, depth)
        labels = torch.as_tensor(np.asarray(initial_labels), dtype=torch.long)
        epochs = (
            epochs_for_min_steps(
                self.classifier_epochs, MIN_CLASSIFIER_STEPS, len(labels), config.batch_size
            )
            if self.classifier_epochs > 0
            else 0
        )
        net = fit_phase(
            classifier.to(config.device),
            PseudoLabelCriterion(labels.to(config.device)),
            as_training_tensor(Z, config.device),
            phase="classifier",
            config=config,
            epochs=epochs,
            lr=self.classifier_lr,
        )
        history["classifier"] = net.history
        return classifier

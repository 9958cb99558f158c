"""WEC-MMD and WEC-GAN: Wasserstein embedding clustering (Cai, Zhang, Wang, Fan and Guo, IEEE TMM).

One implementation of the Wasserstein embedding module (Eq. 5, 9, 10) and the self-optimised
clustering module (Eq. 6-8, 13); the two estimators differ only in the penalty
``D(E_Z, P_Z)``: an MMD (Eq. 12, 14) or an adversarial JS divergence (Eq. 11).
"""

import numbers

import torch
from sklearn.utils.validation import check_is_fitted

from ..losses import KERNELS, reconstruction_output
from ..nn import AdversarialPenalty, MMDPenalty, sample_gaussian_prior
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import seed_from_random_state
from .._training._adversarial import AdversarialPhaseNet
from .._training._callbacks import TargetDistributionRefresh
from .._training._criteria import SelfTrainingCriterion
from .._training._inference import apply_in_chunks, evaluating
from ..base import BaseDeepClusterer, check_n_samples
from . import _params
from ._self_training import StudentTSelfTraining

_COMMON = """latent_dim : int or None, default=None
        Size ``d'`` of the embedding; ``None`` uses ``n_clusters`` as the paper does.
    hidden_dims : tuple of int, default=(500, 500, 1000)
        Widths of the encoder's hidden layers (``d-500-500-1000-d'``); the decoder mirrors
        them.
    sigma_z : float, default=1.0
        Standard deviation of the prior :math:`P_Z = \\mathcal{N}(0, \\sigma_z^2 I)`.
    {penalty_doc}
    {pretrain_doc}
    max_epochs : int, default=200
        Epochs of joint optimisation (the paper's 200).
    update_interval : int, default=5
        Mini-batches between refreshes of the target distribution ``T`` over the whole data
        set: ``O`` in Algorithms 1-2, whose loop takes one mini-batch per step, and the
        paper's "T is updated every five iterations". Each refresh embeds every sample, so
        with large data on a CPU the refreshes dominate the fit time; a larger interval
        (IDEC's 140) is much cheaper. See Notes for what the interval changed.
    tol : float, default=0.0
        Training stops once fewer than this fraction of labels changed between two refreshes.
        The paper trains for a fixed number of epochs, which ``0`` does.
    n_init : int, default=20
        KMeans restarts for the initial centroids (on the pretrained embedding).""".replace(
    "{pretrain_doc}", _params.pretrain_epochs("Epochs of plain autoencoder pretraining.")
)

_ATTRIBUTES = f"""{_params.COMMON_ATTRIBUTES}
    converged_ : bool
        Whether ``tol`` stopped training before ``max_epochs``."""

_NOTES = """The objective of the joint phase is Eq. (9),

    .. math::

        L = \\lVert X - G(E(X)) \\rVert^2 + \\beta\\, \\mathcal{D}(E_Z, P_Z)
            + \\gamma\\, \\mathrm{KL}(T \\Vert S),

    with the reconstruction averaged over samples and features as in IDEC (the scale of the
    weights ``beta`` and ``gamma`` follows that convention), ``S`` the Student's t soft
    assignment of Eq. (7) and ``T`` the target distribution of Eq. (8). Labels are
    :math:`\\arg\\max_j s_{ij}` (Eq. 13). With ``gamma=0`` (Table V, "w/o L_C") the centroids
    and labels come from KMeans on the final embedding; ``beta=0`` removes the penalty (Table
    V, "w/o D"). Pretraining length and batch size are not given in the paper; the defaults
    are IDEC's.

    ``T`` is recomputed over the whole data set every ``update_interval`` mini-batches. On
    USPS (CPU, same initial centroids) every 5 mini-batches gave WEC-MMD ACC 77.40 / 76.52 /
    77.37 and NMI 80.18 / 80.36 / 79.79 (seeds 0 / 1 / 2) and WEC-GAN 77.20 / 79.75 (seed 0),
    against 75.69 / 74.70 / 75.35, 76.12 / 75.73 / 75.45 and 74.50 / 73.28 when ``T`` was
    refreshed every 5 epochs, at about three times the CPU fit time (``benchmarks/results/wec_usps_schedule_cpu.md``). On
    MNIST-70k (WEC-MMD, seed 1) every 140 mini-batches gave ACC 84.16 -> 86.65 and NMI
    79.20 -> 83.66 over every 5 epochs (``wec_mnist_refresh140_seed1_cpu.md``).

    The pretrained embedding decides most of the MNIST result. After DEC-Keras's pretraining
    (``pretrain_optimizer="sgd"``, ``pretrain_lr=1.0``, ``weight_init="fan_in_uniform"``,
    ``pretrain_epochs=300``) instead of the default Adam, MNIST-70k (seed 0, refresh every
    140 mini-batches) gave WEC-MMD ACC 94.86 and WEC-GAN 92.96, from initial centroids at
    91.50 instead of 81.78 (``wec_mnist_{mmd,gan}_dec_keras_pretraining_cpu.md``). Seeds 2-3
    of the same protocol started at 86.9 / 86.2 and ended at 88.6 / 88.5 (WEC-MMD), seed 4 at
    91.82 and 95.18, so the median of seeds 0-4 is 94.86
    (``wec_mnist_dec_keras_pretraining_seeds0-4_cpu.md``)."""

_REFERENCE = """J. Cai, Y. Zhang, S. Wang, J. Fan, W. Guo. Wasserstein Embedding Learning for Deep
    Clustering: A Generative Approach. IEEE Transactions on Multimedia."""


class _WassersteinEmbeddingClustering(StudentTSelfTraining):
    """Shared fit of WEC-MMD and WEC-GAN; subclasses provide the penalty module."""

    _parameter_constraints = {
        **BaseDeepClusterer._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "sigma_z": [Interval(numbers.Real, 0, None, closed="neither")],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "gamma": [Interval(numbers.Real, 0, None, closed="left")],
        "update_interval": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, 1, closed="both")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def _penalty(self, latent_dim):
        raise NotImplementedError

    def _embedding_dim(self):
        return self.n_clusters if self.latent_dim is None else self.latent_dim

    def _pretrain_strategy(self):
        return "end_to_end"

    def _degrees_of_freedom(self):
        return 1.0  # Eq. (7)

    def _refresh_schedule(self):
        return TargetDistributionRefresh(self.update_interval, self.tol)

    def _criterion(self, latent_dim):
        """Eq. (9): reconstruction, ``beta`` times the penalty, ``gamma`` times the KL."""
        return SelfTrainingCriterion(
            clustering_weight=float(self.gamma),  # an int beyond int64 overflows in torch
            reconstruction_weight=1.0,
            kind=self.reconstruction,
            penalty=self._penalty(latent_dim),
            penalty_weight=float(self.beta),
        )

    def sample(self, n_samples=1):
        """Generate samples by decoding draws from the prior :math:`P_Z` (Eq. 3).

        Draws are seeded by ``random_state``: with an int the same samples come back on every
        call.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_), dtype float32
        """
        check_is_fitted(self)
        check_n_samples(n_samples)
        generator = torch.Generator().manual_seed(seed_from_random_state(self.random_state))
        latent_dim = self.cluster_centers_.shape[1]
        # The prior and reconstruction loss the model was trained with (not the parameters,
        # which set_params may have changed since).
        criterion = self.net_.criterion_
        sigma_z = criterion.penalty.sigma_z
        Z = sample_gaussian_prior(n_samples, latent_dim, sigma_z, generator=generator)
        decoder = self.net_.module_.autoencoder.decoder
        with evaluating(decoder):
            X = apply_in_chunks(
                lambda z: reconstruction_output(decoder(z), criterion.kind),
                Z,
                torch.device(self.net_.device),
                to_numpy=True,
            )
        return X


class WECMMD(_WassersteinEmbeddingClustering):
    __doc__ = f"""Wasserstein embedding clustering with an MMD penalty (WEC-MMD, Algorithm 2).

    An autoencoder is pretrained, KMeans on its embedding initialises the centroids, and then
    encoder, decoder and centroids minimise the reconstruction error, ``beta`` times the squared
    maximum mean discrepancy between the embeddings and draws from the Gaussian prior (Eq. 12,
    with the inverse multiquadric kernel of Eq. 14), and ``gamma`` times the self-training KL
    loss of Eq. (6).

    Parameters
    ----------
    {_params.N_CLUSTERS}
    {_COMMON.replace('{penalty_doc}', '''kernel : {"imq", "imq_multiscale", "rbf"}, default="imq"
        Kernel of the MMD with scale ``C = 2 d' sigma_z**2``: Eq. (14)'s inverse
        multiquadric, the sum of IMQ kernels over scales ``C * (0.1, ..., 10)`` used by the
        WAE authors, or a Gaussian kernel.
    beta : float, default=5e-3
        Weight of the MMD penalty (the paper recommends 1e-4 to 1e-2).
    gamma : float, default=0.1
        Weight of the clustering loss (the paper recommends 0.05 to 0.1).''')}
    {_params.training()}
    {_params.PRETRAINING}
    {_params.RUNTIME}

    Attributes
    ----------
    {_ATTRIBUTES}

    See Also
    --------
    WECGAN : the adversarial variant.
    IDEC : the same objective without the penalty (``beta=0``), with other defaults.

    Notes
    -----
    {_NOTES}

    The MMD is the biased (V-statistic) estimate on each mini-batch and as many prior draws,
    the squared distance between the two kernel mean embeddings.

    Measured on MNIST-70k (seed 1, CPU, ``T`` refreshed every 5 epochs rather than the
    current 5 mini-batches): ``beta`` = 0, 5e-3, 0.1 and 1 all gave ACC 83.9-84.2
    from the same initial centroids (ACC 81.8), so the penalty made no measurable difference;
    the paper reports 85.65 without it and 96.74 with it
    (``benchmarks/results/wec_mnist_seed1_cpu.md``).

    References
    ----------
    {_REFERENCE}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeepcluster import WECMMD
    >>> X = load_digits().data / 16
    >>> model = WECMMD(n_clusters=10, hidden_dims=(64,), pretrain_epochs=5, max_epochs=5,
    ...                random_state=0).fit(X)
    >>> model.transform(X).shape
    (1797, 10)
    >>> model.sample(3).shape
    (3, 64)
    """

    _parameter_constraints = {
        **_WassersteinEmbeddingClustering._parameter_constraints,
        "kernel": [StrOptions(set(KERNELS))],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=None,
        hidden_dims=(500, 500, 1000),
        sigma_z=1.0,
        kernel="imq",
        beta=5e-3,
        gamma=0.1,
        pretrain_epochs="auto",
        max_epochs=200,
        update_interval=5,
        tol=0.0,
        n_init=20,
        batch_size=256,
        lr=1e-3,
        pretrain_optimizer="adam",
        pretrain_lr=None,
        weight_init="glorot_uniform",
        memory=None,
        reconstruction="mse",
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.latent_dim = latent_dim
        self.hidden_dims = hidden_dims
        self.sigma_z = sigma_z
        self.kernel = kernel
        self.beta = beta
        self.gamma = gamma
        self.pretrain_epochs = pretrain_epochs
        self.max_epochs = max_epochs
        self.update_interval = update_interval
        self.tol = tol
        self.n_init = n_init
        self.batch_size = batch_size
        self.lr = lr
        self.pretrain_optimizer = pretrain_optimizer
        self.pretrain_lr = pretrain_lr
        self.weight_init = weight_init
        self.memory = memory
        self.reconstruction = reconstruction
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _penalty(self, latent_dim):
        return MMDPenalty(latent_dim, self.sigma_z, self.kernel)


class WECGAN(_WassersteinEmbeddingClustering):
    __doc__ = f"""Wasserstein embedding clustering with an adversarial penalty (WEC-GAN,
    Algorithm 1).

    As :class:`WECMMD`, but the discrepancy between the embeddings and the Gaussian prior is the
    Jensen-Shannon divergence of Eq. (11), estimated by a discriminator ``d'-128-1`` on the
    latent space. Every mini-batch the discriminator takes one step with its own optimiser
    (Algorithm 1, line 15), then centroids, decoder and encoder take one step on Eq. (9) with
    the encoder penalised by ``-log D(z)`` (lines 16-18).

    Parameters
    ----------
    {_params.N_CLUSTERS}
    {_COMMON.replace('{penalty_doc}', '''beta : float, default=5e-3
        Weight of the adversarial penalty (the paper recommends 1e-4 to 5e-3).
    gamma : float, default=1.0
        Weight of the clustering loss (the paper recommends 0.5 to 1).''')}
    discriminator_lr : float, default=1e-3
        Adam learning rate of the discriminator.
    discriminator_betas : tuple of float, default=(0.9, 0.999)
        Adam ``betas`` of the discriminator.
    {_params.training()}
    {_params.PRETRAINING}
    {_params.RUNTIME}

    Attributes
    ----------
    {_ATTRIBUTES}

    See Also
    --------
    WECMMD : the adversary-free variant.

    Notes
    -----
    {_NOTES}

    The trained discriminator is ``net_.criterion_.penalty.discriminator`` and its optimiser
    ``net_.optimizer_discriminator_``.

    Measured on MNIST-70k (CPU, ``T`` refreshed every 5 epochs rather than the current 5
    mini-batches): ACC 83.49 and 83.54 (seeds 0 and 1), NMI 77.96 and 78.07,
    from initial centroids with ACC 81.78 and 81.76; the paper reports 93.07 / 88.20
    (``benchmarks/results/wec_gan_mnist_seed{0,1}_cpu.md``).

    References
    ----------
    {_REFERENCE}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeepcluster import WECGAN
    >>> X = load_digits().data / 16
    >>> labels = WECGAN(n_clusters=10, hidden_dims=(64,), pretrain_epochs=5, max_epochs=5,
    ...                 random_state=0).fit_predict(X)
    >>> labels.shape
    (1797,)
    """

    _parameter_constraints = {
        **_WassersteinEmbeddingClustering._parameter_constraints,
        "discriminator_lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "discriminator_betas": [tuple],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=None,
        hidden_dims=(500, 500, 1000),
        sigma_z=1.0,
        beta=5e-3,
        gamma=1.0,
        discriminator_lr=1e-3,
        discriminator_betas=(0.9, 0.999),
        pretrain_epochs="auto",
        max_epochs=200,
        update_interval=5,
        tol=0.0,
        n_init=20,
        batch_size=256,
        lr=1e-3,
        pretrain_optimizer="adam",
        pretrain_lr=None,
        weight_init="glorot_uniform",
        memory=None,
        reconstruction="mse",
        callbacks=None,
        device="auto",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.latent_dim = latent_dim
        self.hidden_dims = hidden_dims
        self.sigma_z = sigma_z
        self.beta = beta
        self.gamma = gamma
        self.discriminator_lr = discriminator_lr
        self.discriminator_betas = discriminator_betas
        self.pretrain_epochs = pretrain_epochs
        self.max_epochs = max_epochs
        self.update_interval = update_interval
        self.tol = tol
        self.n_init = n_init
        self.batch_size = batch_size
        self.lr = lr
        self.pretrain_optimizer = pretrain_optimizer
        self.pretrain_lr = pretrain_lr
        self.weight_init = weight_init
        self.memory = memory
        self.reconstruction = reconstruction
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_input_against_params(self, X):
        super()._check_input_against_params(X)
        betas = self.discriminator_betas
        if len(betas) != 2 or not all(
            isinstance(b, numbers.Real) and not isinstance(b, bool) and 0 <= b < 1
            for b in betas
        ):
            raise ValueError(
                f"discriminator_betas must be two floats in [0, 1); got {betas!r}."
            )

    def _penalty(self, latent_dim):
        return AdversarialPenalty(latent_dim, self.sigma_z)

    def _cluster_phase_options(self):
        return {
            "net_class": AdversarialPhaseNet,
            "net_options": {
                "optimizer_discriminator__lr": self.discriminator_lr,
                # torch's Adam takes Python floats only: ints (0, 0.9) or NumPy float32 fail there
                "optimizer_discriminator__betas": tuple(float(b) for b in self.discriminator_betas),
                "optimizer_discriminator__fused": True,
            },
        }

"""DGG: Gaussian-mixture VAE clustering with stochastic graph embedding (Yang et al., 2019)."""

import numbers

import torch

from ..neighbors import affinity_graph
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import child_seed, torch_generator
from .._training._callbacks import SampleMixtureWeightsUpdate
from .._training._criteria import GraphEmbeddingELBOCriterion
from .._training._inference import as_training_tensor
from .._training._siamese import siamese_embedding
from . import _params
from ._gmvae import (
    CLASSIFIER_DOC,
    LIKELIHOOD_DOC,
    MIXTURE_ATTRIBUTES,
    PRETRAIN_DOC,
    SCHEDULE_DOC,
    ClassifierMixtureVAEClustering,
    ELBOPhase,
)

# The Siamese network of affinity="siamese": hidden widths and positives per sample
# (SpectralNet's 2 nearest neighbours).
SIAMESE_HIDDEN_DIMS = (512, 512)
SIAMESE_POSITIVES = 2


class DGG(ClassifierMixtureVAEClustering):
    __doc__ = f"""Deep clustering by Gaussian-mixture VAE with graph embedding (DGG).

    A VaDE-like model (Gaussian encoder, mixture-of-Gaussians prior, Bernoulli or Gaussian
    decoder) with a classifier ``q(c|z)`` (Eq. 4-7), trained on the stochastic graph-embedding
    objective of Eq. (19): every sample ``x_i`` is reconstructed by its own code and by the
    codes of its graph neighbours ``x_j``, weighted by the affinities ``w_ij`` of a kNN graph
    (Eq. 32). This minimises an upper bound of the Jensen-Shannon divergence between the
    posteriors of neighbours (Eq. 12-13) while maximising the ELBO (Eq. 21, 26). Each sample has
    its own mixture weights ``pi_i``, updated in closed form after every step (Eq. 30-31).

    Training (Section 4, Algorithm 1): an autoencoder is pretrained; KMeans on its embedding
    gives pseudo-labels, on which the classifier is trained, and the prior's means and
    variances; the graph is built once; then the tuple batches (samples with their neighbours,
    gathered on the device) train the whole model.

    Parameters
    ----------
    {_params.N_CLUSTERS}
    {_params.ARCHITECTURE}
    {LIKELIHOOD_DOC}
    n_neighbors : int, default=10
        Neighbours per sample in the graph, ``N_s`` of Table 2. ``0`` trains on the ELBO of
        every sample alone (with per-sample weights ``pi_i``).
    n_candidates : int or None, default=None
        When set, the ``n_neighbors`` neighbours are drawn at random among this many nearest
        ones (the paper draws 20 of 100 Siamese neighbours). ``None`` keeps the nearest.
    graph_space : {{"embedding", "input"}}, default="embedding"
        Where neighbours are searched: the pretrained autoencoder's embedding or ``X``.
    affinity : {{"euclidean", "siamese"}}, default="euclidean"
        Euclidean distances in ``graph_space``, or distances in the output of a Siamese
        network trained there on nearest-neighbour pairs (the paper's choice, §3.3).
    siamese_epochs : int, default=50
        Epochs of Siamese training (``affinity="siamese"`` only).
    {CLASSIFIER_DOC}
    {_params.pretrain_epochs()}
    {PRETRAIN_DOC}
    max_epochs : int, default=100
        Epochs of training on Eq. (19).
    init : {{"kmeans", "gmm"}}, default="kmeans"
        Pseudo-labels and prior from KMeans (the paper) or from a diagonal Gaussian mixture
        fitted by EM from KMeans' centres (VaDE's start).
    n_init : int, default=10
        Restarts of the KMeans of that initial clustering.
    batch_size : int, default=100
        Samples (tuples) per mini-batch; each brings its ``n_neighbors`` neighbours along.
    lr : float, default=2e-3
        Initial Adam learning rate (the paper states 0.02, see Notes).
    {SCHEDULE_DOC}
    {_params.PRETRAINING}
    {_params.RUNTIME}

    Attributes
    ----------
    {_params.COMMON_ATTRIBUTES}
    {MIXTURE_ATTRIBUTES}

    See Also
    --------
    VaDE : the model without classifier and graph.
    DVAE : the classifier model with a within-batch similarity loss instead of a graph.

    Notes
    -----
    ``predict_proba`` is the classifier's ``q(c | z = mu(x))``; ``transform`` the posterior
    mean. The per-sample weights follow the Lagrange solution of Eq. (30),
    ``pi_ik = (gamma_ik + sum_j w_ij gamma_jk) / 2``; Eq. (31) as printed does not sum to one.
    ``weights_`` is the mean of the per-sample weights ``pi_i``.
    The bandwidth ``s_i`` of Eq. (32) is the median distance of ``x_i`` to its neighbours.
    The paper's learning rate of 0.02 made the ELBO phase diverge in our runs on the digits;
    the default is VaDE's 2e-3.

    References
    ----------
    L. Yang, N.-M. Cheung, J. Li, J. Fang. Deep Clustering by Gaussian Mixture Variational
    Autoencoders with Graph Embedding. ICCV 2019.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeepcluster import DGG
    >>> X = load_digits().data / 16
    >>> model = DGG(n_clusters=10, hidden_dims=(64,), n_neighbors=5, pretrain_epochs=5,
    ...             max_epochs=5, random_state=0).fit(X)
    >>> model.predict_proba(X).shape
    (1797, 10)
    """

    _parameter_constraints = {
        **ClassifierMixtureVAEClustering._parameter_constraints,
        "n_neighbors": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_candidates": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "graph_space": [StrOptions({"embedding", "input"})],
        "affinity": [StrOptions({"euclidean", "siamese"})],
        "siamese_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=10,
        hidden_dims=(500, 500, 2000),
        likelihood="auto",
        likelihood_variance=1.0,
        n_neighbors=10,
        n_candidates=None,
        graph_space="embedding",
        affinity="euclidean",
        siamese_epochs=50,
        classifier_depth=None,
        classifier_epochs=30,
        classifier_lr=0.02,
        pretrain_epochs="auto",
        pretrain="end_to_end",
        pretrain_loss="auto",
        vae_pretrain_epochs=0,
        max_epochs=100,
        init="kmeans",
        n_init=10,
        batch_size=100,
        lr=2e-3,
        pretrain_optimizer="adam",
        pretrain_lr=None,
        weight_init="glorot_uniform",
        memory=None,
        lr_decay=0.9,
        lr_decay_epochs=10,
        lr_warmup_steps=100,
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
        self.n_neighbors = n_neighbors
        self.n_candidates = n_candidates
        self.graph_space = graph_space
        self.affinity = affinity
        self.siamese_epochs = siamese_epochs
        self.classifier_depth = classifier_depth
        self.classifier_epochs = classifier_epochs
        self.classifier_lr = classifier_lr
        self.pretrain_epochs = pretrain_epochs
        self.pretrain = pretrain
        self.pretrain_loss = pretrain_loss
        self.vae_pretrain_epochs = vae_pretrain_epochs
        self.max_epochs = max_epochs
        self.init = init
        self.n_init = n_init
        self.batch_size = batch_size
        self.lr = lr
        self.pretrain_optimizer = pretrain_optimizer
        self.pretrain_lr = pretrain_lr
        self.weight_init = weight_init
        self.memory = memory
        self.lr_decay = lr_decay
        self.lr_decay_epochs = lr_decay_epochs
        self.lr_warmup_steps = lr_warmup_steps
        self.callbacks = callbacks
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_input_against_params(self, X):
        super()._check_input_against_params(X)
        pool = self.n_neighbors if self.n_candidates is None else self.n_candidates
        if self.n_candidates is not None and self.n_candidates < self.n_neighbors:
            raise ValueError(
                f"n_candidates ({self.n_candidates}) must be at least n_neighbors "
                f"({self.n_neighbors})."
            )
        if pool >= X.shape[0]:
            raise ValueError(
                f"The graph needs {pool} neighbours per sample (n_neighbors / n_candidates), "
                f"so at least {pool + 1} samples; got n_samples={X.shape[0]}."
            )
        if self.affinity == "siamese" and X.shape[0] <= SIAMESE_POSITIVES:
            raise ValueError(
                f"affinity='siamese' needs more than {SIAMESE_POSITIVES} samples; "
                f"got n_samples={X.shape[0]}."
            )

    def _elbo_phase(self, X, Z, initial_weights, config, history):
        points = as_training_tensor(Z, config.device) if self.graph_space == "embedding" else X
        if self.affinity == "siamese":
            points, net = siamese_embedding(
                points,
                output_dim=self.latent_dim,
                hidden_dims=SIAMESE_HIDDEN_DIMS,
                n_positives=SIAMESE_POSITIVES,
                epochs=self.siamese_epochs,
                config=config,
            )
            history["siamese"] = net.history
        graph = affinity_graph(
            points,
            self.n_neighbors,
            n_candidates=self.n_candidates,
            generator=torch_generator(child_seed(config.seed, "graph"), config.device),
        )
        initial = torch.as_tensor(initial_weights, dtype=X.dtype, device=config.device)
        sample_weights = initial.expand(X.shape[0], -1).clone()
        criterion = GraphEmbeddingELBOCriterion(
            self._likelihood, self.likelihood_variance, graph.weights, sample_weights
        )
        return ELBOPhase(
            criterion, [("mixture_weights", SampleMixtureWeightsUpdate())], graph.indices
        )

"""Autoencoder + KMeans (or GMM): the two-stage baseline of every deep clustering paper."""

import numbers

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from ..base import BaseDeepClusterer, FitResult
from ..nn import student_t_assignment
from ..utils._sklearn_compat import Interval, StrOptions
from ..utils._torch import child_seed
from .._training._cluster_init import fit_latent_clusterer
from . import _params
from ._autoencoding import PRETRAIN_STRATEGIES, build_and_pretrain, embed


_AUTO_PRETRAIN_EPOCHS = 100
_AE_PRETRAIN_EPOCHS = _params.pretrain_epochs(
    'Epochs of autoencoder training (and of each layer pair with ``pretrain="layerwise"``).',
    _AUTO_PRETRAIN_EPOCHS,
)


class AEKMeans(BaseDeepClusterer):
    __doc__ = f"""Autoencoder followed by KMeans or a Gaussian mixture on the embedding.

    The autoencoder is trained to reconstruct ``X``; the clusters are then found in its latent
    space and never fed back into the network. Every paper in this library reports it as the
    "AE+KMeans" baseline.

    Parameters
    ----------
    {_params.N_CLUSTERS}
    {_params.ARCHITECTURE}
    {_AE_PRETRAIN_EPOCHS}
    pretrain : {{"end_to_end", "layerwise"}}, default="end_to_end"
        ``"layerwise"`` first trains each encoder/decoder pair as a denoising autoencoder (DEC's
        scheme) and then fine-tunes end to end.
    clusterer : {{"kmeans", "gmm"}}, default="kmeans"
        Clustering of the embedding: KMeans, or a diagonal-covariance Gaussian mixture
        fitted by EM from KMeans' centres (as VaDE initialises its prior).
    n_init : int, default=10
        Restarts of KMeans (for ``"gmm"``, of the KMeans that gives EM its initial means).
    {_params.training()}
    {_params.PRETRAINING}
    {_params.RUNTIME}

    Attributes
    ----------
    {_params.COMMON_ATTRIBUTES}
    clusterer_ : KMeans or GaussianMixture
        The clusterer fitted on the training embedding.

    See Also
    --------
    DEC : fine-tunes the encoder with a clustering objective.
    IDEC : DEC that keeps the decoder's reconstruction loss.

    Notes
    -----
    ``predict_proba`` is the clusterer's posterior for ``"gmm"``; for ``"kmeans"`` it is the
    Student's t soft assignment to the centroids (DEC, Eq. 1), whose argmax is the nearest
    centroid.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeepcluster import AEKMeans
    >>> X = load_digits().data / 16
    >>> model = AEKMeans(n_clusters=10, hidden_dims=(64,), pretrain_epochs=5,
    ...                  random_state=0).fit(X)
    >>> model.transform(X).shape
    (1797, 10)
    """

    _auto_pretrain_epochs = _AUTO_PRETRAIN_EPOCHS

    _parameter_constraints = {
        **BaseDeepClusterer._parameter_constraints,
        "pretrain": [PRETRAIN_STRATEGIES],
        "clusterer": [StrOptions({"kmeans", "gmm"})],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        latent_dim=10,
        hidden_dims=(500, 500, 2000),
        pretrain_epochs="auto",
        pretrain="end_to_end",
        clusterer="kmeans",
        n_init=10,
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
        self.pretrain_epochs = pretrain_epochs
        self.pretrain = pretrain
        self.clusterer = clusterer
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

    def _fit_torch(self, X, config):
        autoencoder, net, history = build_and_pretrain(
            self, X, config, latent_dim=self.latent_dim, strategy=self.pretrain,
            reconstruction=self.reconstruction,
        )
        clusterer = fit_latent_clusterer(
            embed(autoencoder.encoder, X, config.device),
            self.n_clusters,
            method=self.clusterer,
            seed=child_seed(config.seed, "clusterer"),
            n_init=self.n_init,
        )
        centers = clusterer.cluster_centers_ if self.clusterer == "kmeans" else clusterer.means_
        return FitResult(
            net=net,
            history=history,
            n_iter=len(net.history),
            attributes={"clusterer_": clusterer, "cluster_centers_": centers.astype(np.float32)},
        )

    def _proba_from_embedding(self, Z):
        # The fitted clusterer, not ``clusterer``, which set_params may have changed since.
        if isinstance(self.clusterer_, GaussianMixture):
            return self.clusterer_.predict_proba(Z)
        return student_t_assignment(
            torch.from_numpy(Z), torch.from_numpy(self.cluster_centers_)
        ).numpy()

"""Training criteria as skorch criterion modules: ``criterion(output, x, index) -> terms``."""

import torch
import torch.nn.functional as F
from torch import nn

from ..losses import (
    dec_kl_divergence,
    gaussian_mixture_kl,
    negative_log_likelihood,
    reconstruction_loss,
    similarity_loss,
)

# Smallest per-sample mixture weight whose log DGG's criterion takes.
_MIN_WEIGHT = 1e-10


class ReconstructionCriterion(nn.Module):
    """Autoencoder pretraining: reconstruct ``x`` from ``output = (z, x_hat)``.

    Parameters
    ----------
    kind : {"mse", "bce"}
    """

    def __init__(self, kind="mse"):
        super().__init__()
        self.kind = kind

    def forward(self, output, x, index):
        _, x_hat = output
        loss = reconstruction_loss(x_hat, x, self.kind)
        return {"loss": loss, "reconstruction": loss}


class SelfTrainingCriterion(nn.Module):
    r"""Self-training objective on ``output = (q, x_hat, z)``.

    .. math::

        L = w_r L_r + w_p \mathcal{D}(E_Z, P_Z) + w_c \mathrm{KL}(P \Vert Q)

    * DEC: ``w_r = 0, w_c = 1`` (Xie et al., 2016, Eq. 2);
    * IDEC: ``w_r = 1, w_c = gamma`` (Guo et al., 2017, Eq. 3);
    * WEC: ``w_r = 1, w_p = beta, w_c = gamma`` with an MMD or adversarial ``penalty`` (Cai et
      al., Eq. 9).

    ``target`` holds ``P`` for every sample and is set by
    :class:`~skdeepcluster._training._callbacks.TargetDistributionRefresh` through
    :meth:`set_target`. A term whose weight is zero is not computed.

    Parameters
    ----------
    clustering_weight, reconstruction_weight : float
    kind : {"mse", "bce"}
        Reconstruction loss.
    penalty : torch.nn.Module, optional
        Maps the embedding batch ``z`` to a scalar penalty.
    penalty_weight : float, default=0.0
    """

    def __init__(
        self,
        clustering_weight=1.0,
        reconstruction_weight=0.0,
        kind="mse",
        *,
        penalty=None,
        penalty_weight=0.0,
    ):
        super().__init__()
        self.clustering_weight = clustering_weight
        self.reconstruction_weight = reconstruction_weight
        self.kind = kind
        self.penalty = penalty
        self.penalty_weight = penalty_weight
        self.target = None

    def set_target(self, target):
        """Hold the target distribution ``P`` of every sample.

        A new ``P`` of the held one's shape is copied into it, so that a training step
        captured as a CUDA graph, which reads the held tensor, sees every refresh.
        """
        if self.target is not None and self.target.shape == target.shape:
            self.target.copy_(target)
        else:
            self.target = target

    def forward(self, output, x, index):
        q, x_hat, z = output
        terms = {}
        loss = 0.0
        if self.clustering_weight > 0:
            terms["clustering"] = dec_kl_divergence(self.target[index], q)
            loss = loss + self.clustering_weight * terms["clustering"]
        if self.reconstruction_weight > 0:
            terms["reconstruction"] = reconstruction_loss(x_hat, x, self.kind)
            loss = loss + self.reconstruction_weight * terms["reconstruction"]
        if self.penalty is not None and self.penalty_weight > 0:
            terms["penalty"] = self.penalty(z)
            loss = loss + self.penalty_weight * terms["penalty"]
        terms["loss"] = loss
        return terms


class GaussianMixtureELBOCriterion(nn.Module):
    """Negative ELBO of a VAE with a mixture-of-Gaussians prior, averaged over the batch.

    ``output`` is a :class:`~skdeepcluster.nn.GMVAEOutput`; the terms are DVAE Eq. (3.6) /
    DGG Eq. (21): ``reconstruction`` (``-log p(x|z)``) and ``prior`` (the KL part). With a
    positive ``similarity_weight`` DVAE's similarity loss is added (Eq. 3.14); the weight is
    set per epoch by :class:`~skdeepcluster._training._callbacks.SimilarityWarmup`.

    Parameters
    ----------
    likelihood : {"bernoulli", "gaussian"}
    variance : float, default=1.0
        ``lambda`` of the Gaussian likelihood.
    similarity_weight : float, default=0.0
    """

    def __init__(self, likelihood, variance=1.0, similarity_weight=0.0):
        super().__init__()
        self.likelihood = likelihood
        self.variance = variance
        self.similarity_weight = similarity_weight

    def forward(self, output, x, index):
        reconstruction = negative_log_likelihood(
            output.x_hat, x, self.likelihood, self.variance
        ).mean()
        prior = gaussian_mixture_kl(
            output.mu, output.logvar, output.gamma,
            output.log_weights, output.means, output.variances,
        ).mean()
        terms = {"reconstruction": reconstruction, "prior": prior}
        loss = reconstruction + prior
        if self.similarity_weight > 0:
            terms["similarity"] = similarity_loss(output.mu, output.logvar, output.gamma)
            loss = loss + self.similarity_weight * terms["similarity"]
        terms["loss"] = loss
        return terms


class GraphEmbeddingELBOCriterion(nn.Module):
    r"""DGG's stochastic graph-embedding objective, Eq. (19), on tuple batches.

    For a sample ``x_i`` with graph neighbours ``j`` (weights ``w_ij`` summing to one, Eq. 32)
    the loss is the negative of

    .. math::

        \frac{1}{2} \Big( \mathcal{L}(x_i) + \sum_j w_{ij} \mathcal{L}(x_i, x_j) \Big)

    where ``L(x_i)`` is the mixture-prior ELBO of Eq. (21) and ``L(x_i, x_j)`` (Eq. 26) is the
    same bound with the code ``z_j ~ q(z|x_j)`` of the neighbour and its cluster posterior
    ``gamma_j`` reconstructing the centre ``x_i``. Both use the per-sample mixture weights
    ``pi_i`` of the centre (Eq. 30), held in ``sample_weights`` and updated by
    :class:`~skdeepcluster._training._callbacks.SampleMixtureWeightsUpdate`. With no
    neighbours the sample is its own neighbour and the loss is ``-L(x_i)``.

    ``output`` is a :class:`~skdeepcluster.nn.GMVAEOutput` of a tuple batch from
    :class:`~skdeepcluster._training._data.DeviceBatchIterator`: the ``m`` centres, then the
    neighbours of each centre in order.

    Parameters
    ----------
    likelihood : {"bernoulli", "gaussian"}
    variance : float
        ``lambda`` of the Gaussian likelihood.
    neighbor_weights : torch.Tensor of shape (n_samples, n_neighbors)
        ``w_ij`` of every sample's edges, on the training device.
    sample_weights : torch.Tensor of shape (n_samples, n_clusters)
        ``pi_i`` of every sample, on the training device; read here, written by the callback.
    """

    def __init__(self, likelihood, variance, neighbor_weights, sample_weights):
        super().__init__()
        self.likelihood = likelihood
        self.variance = variance
        self.neighbor_weights = neighbor_weights
        self.sample_weights = sample_weights

    def _negative_elbo(self, output, rows, x, log_weights):
        """``-log p(x|z)`` and the prior terms of ``rows`` of the batch, per row."""
        reconstruction = negative_log_likelihood(
            output.x_hat[rows], x, self.likelihood, self.variance
        )
        prior = gaussian_mixture_kl(
            output.mu[rows], output.logvar[rows], output.gamma[rows],
            log_weights, output.means, output.variances,
        )
        return reconstruction, prior

    def forward(self, output, x, index):
        n_centres, n_neighbors = index.shape[0], self.neighbor_weights.shape[1]
        centres = x[:n_centres]
        log_weights = torch.log(self.sample_weights[index].clamp_min(_MIN_WEIGHT))
        reconstruction, prior = self._negative_elbo(
            output, slice(0, n_centres), centres, log_weights
        )
        if n_neighbors > 0:
            cross_reconstruction, cross_prior = self._negative_elbo(
                output,
                slice(n_centres, None),
                centres.repeat_interleave(n_neighbors, dim=0),
                log_weights.repeat_interleave(n_neighbors, dim=0),
            )
            weights = self.neighbor_weights[index]
            reconstruction = 0.5 * (
                reconstruction + (weights * cross_reconstruction.view_as(weights)).sum(1)
            )
            prior = 0.5 * (prior + (weights * cross_prior.view_as(weights)).sum(1))
        terms = {"reconstruction": reconstruction.mean(), "prior": prior.mean()}
        terms["loss"] = terms["reconstruction"] + terms["prior"]
        return terms


class PseudoLabelCriterion(nn.Module):
    """Cross-entropy of classifier logits against fixed pseudo-labels (DVAE, DGG initialisation).

    Parameters
    ----------
    labels : torch.Tensor of shape (n_samples,)
        Pseudo-label of every training sample, on the training device.
    """

    def __init__(self, labels):
        super().__init__()
        self.labels = labels

    def forward(self, output, x, index):
        loss = F.cross_entropy(output, self.labels[index])
        return {"loss": loss, "cross_entropy": loss}

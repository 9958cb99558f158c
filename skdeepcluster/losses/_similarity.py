"""DVAE's similarity-based loss (Eq. 3.8-3.13): a graph on the mini-batch in the latent space.

Edge weights are transition probabilities through the clusters (Eq. 3.8),

.. math::

    w_{ij} = \\sum_k \\frac{\\gamma_{ik} \\gamma_{jk}}{\\sum_{i'} \\gamma_{i'k}},

similarities are Student's t of the 2-Wasserstein distance between the diagonal Gaussian
posteriors (Eq. 3.10), which has the closed form of Eq. (3.13),

.. math::

    d_W(i, j) = \\lVert \\tilde\\mu_i - \\tilde\\mu_j \\rVert^2
              + \\lVert \\tilde\\sigma_i - \\tilde\\sigma_j \\rVert^2, \\qquad
    Q_{ij} = (1 + d_W(i, j))^{-1},

and the loss is Eq. (3.9) multiplied by the batch size ``N``,

.. math::

    \\mathcal{L}_{sim} = -\\frac{1}{N} \\sum_{i,j} w_{ij}
        \\log \\frac{\\exp(Q_{ij})}{\\sum_{j'} Q_{ij'}},

a mean over the samples of the batch, like the ELBO it is added to. The sums run over the
``N`` samples of a mini-batch. With the printed ``1 / N^2`` the term is at most about
``log(N) / N`` (0.02 for the paper's batches of 300, against an ELBO of 20 to 200 per sample),
so its weight would shrink with the batch size and, at the paper's ``beta`` values, leave the
fit unchanged; ``beta`` of the printed form is ``N`` times ``beta`` of this one.
"""

import torch

from ._distances import pairwise_squared_distances


def diagonal_gaussian_w2_squared(mu, logvar):
    """Squared 2-Wasserstein distances between all pairs of diagonal Gaussians (Eq. 3.13)."""
    sigma = torch.exp(0.5 * logvar)
    return pairwise_squared_distances(mu, mu) + pairwise_squared_distances(sigma, sigma)


def transition_weights(gamma):
    """``w_ij`` of Eq. (3.8) from cluster posteriors ``gamma`` (N, K)."""
    return (gamma / gamma.sum(0).clamp_min(1e-12)) @ gamma.T


def similarity_loss(mu, logvar, gamma):
    """DVAE's similarity loss on one mini-batch: ``N`` times Eq. (3.9), a per-sample mean."""
    similarity = 1.0 / (1.0 + diagonal_gaussian_w2_squared(mu, logvar))
    log_ratio = similarity - torch.log(similarity.sum(1, keepdim=True))
    return -(transition_weights(gamma) * log_ratio).sum(1).mean()

"""The evidence lower bound of a VAE with a mixture-of-Gaussians prior (VaDE, DVAE, DGG).

DVAE Eq. (3.6) and DGG Eq. (21), per sample ``i`` with one reparameterised code ``z_i``,
posterior ``q(z|x_i) = N(mu~_i, diag(sigma~_i^2))`` and cluster posterior ``gamma_ik``:

.. math::

    -\\mathcal{L}(x_i) = -\\log p(x_i | z_i)
      + \\frac{1}{2} \\sum_k \\gamma_{ik} \\sum_m \\Big( \\log \\sigma_{km}^2
          + \\frac{\\tilde\\sigma_{im}^2}{\\sigma_{km}^2}
          + \\frac{(\\tilde\\mu_{im} - \\mu_{km})^2}{\\sigma_{km}^2} \\Big)
      - \\sum_k \\gamma_{ik} \\log \\frac{\\pi_k}{\\gamma_{ik}}
      - \\frac{1}{2} \\sum_m (1 + \\log \\tilde\\sigma_{im}^2)

The likelihood ``p(x|z)`` is Bernoulli with mean ``sigmoid(logits)`` (``x`` in ``[0, 1]``) or
Gaussian ``N(x | mu_x, lambda I)`` (DVAE Eq. 3.1). VaDE takes ``gamma`` from the prior,
``p(c|z)``; DVAE and DGG from a classifier ``q(c|z)``.
"""

import math

import torch
import torch.nn.functional as F

LIKELIHOODS = ("bernoulli", "gaussian")
_EPS = 1e-10


def negative_log_likelihood(x_hat, x, likelihood="bernoulli", variance=1.0):
    """``-log p(x|z)`` summed over features, per sample (shape ``(n,)``).

    ``x_hat`` holds logits for ``"bernoulli"`` and means for ``"gaussian"`` (variance
    ``variance``, the ``lambda`` of DVAE Eq. 3.1).
    """
    if likelihood == "bernoulli":
        return F.binary_cross_entropy_with_logits(x_hat, x, reduction="none").sum(1)
    if likelihood == "gaussian":
        squared = (x - x_hat).square().sum(1)
        return 0.5 * squared / variance + 0.5 * x.shape[1] * math.log(2 * math.pi * variance)
    raise ValueError(f"likelihood must be one of {LIKELIHOODS}; got {likelihood!r}.")


def gaussian_mixture_kl(mu, logvar, gamma, log_weights, means, variances):
    """The prior terms of the negative ELBO (everything after ``-log p(x|z)``), per sample.

    Parameters
    ----------
    mu, logvar : torch.Tensor of shape (n, M)
        The encoder's posterior mean and log-variance.
    gamma : torch.Tensor of shape (n, K)
        Cluster posterior of each sample.
    log_weights : torch.Tensor of shape (K,) or (n, K)
        ``log pi``: one mixture weight vector, or one per sample (DGG's ``pi_i``, Eq. 21).
    means, variances : torch.Tensor of shape (K, M)
        The prior's component means and variances.

    Returns
    -------
    torch.Tensor of shape (n,)
    """
    posterior_variance = logvar.exp()
    per_component = (
        torch.log(variances)[None]
        + posterior_variance[:, None, :] / variances[None]
        + (mu[:, None, :] - means[None]).square() / variances[None]
    ).sum(-1)
    gaussian_term = 0.5 * (gamma * per_component).sum(1)
    categorical_term = (gamma * (torch.log(gamma + _EPS) - log_weights)).sum(1)
    entropy_term = 0.5 * (1.0 + logvar).sum(1)
    return gaussian_term + categorical_term - entropy_term

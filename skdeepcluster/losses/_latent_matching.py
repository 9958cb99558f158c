"""Discrepancies between the aggregated posterior ``E_Z`` and the prior ``P_Z`` (WEC, WAE).

Cai et al. (WEC, IEEE TMM), Eq. (5): the Wasserstein embedding objective penalises
:math:`\\beta\\, \\mathcal{D}(E_Z, P_Z)` with either

* the maximum mean discrepancy, Eq. (12), estimated on a mini-batch ``z`` and as many prior
  draws ``z~``: the squared RKHS distance between the two empirical kernel mean embeddings,

  .. math::

      \\widehat{\\mathrm{MMD}}^2_k(z, \\tilde z) = \\frac{1}{n^2} \\sum_{i,j} k(z_i, z_j)
      + \\frac{1}{m^2} \\sum_{i,j} k(\\tilde z_i, \\tilde z_j)
      - \\frac{2}{nm} \\sum_{i,j} k(z_i, \\tilde z_j),

  which is never negative and is zero when the two samples coincide; or
* the Jensen-Shannon divergence, Eq. (11), through a discriminator ``D`` on the latent space:
  ``D`` ascends :math:`\\log D(\\tilde z) + \\log(1 - D(z))` (Algorithm 1, line 15) and the
  encoder descends the non-saturating :math:`-\\log D(z)` (as in the WAE-GAN of Tolstikhin et
  al., 2018).

The kernels use the scale of Eq. (14), :math:`C = 2 d' \\sigma_z^2`:

* ``"imq"``: :math:`k(x, y) = C / (C + \\lVert x - y \\rVert^2)` (Eq. 14);
* ``"imq_multiscale"``: the sum of IMQ kernels with scales
  :math:`C s,\\ s \\in \\{0.1, 0.2, 0.5, 1, 2, 5, 10\\}`, as in the WAE authors' code;
* ``"rbf"``: :math:`k(x, y) = \\exp(-\\lVert x - y \\rVert^2 / C)`.
"""

import torch
import torch.nn.functional as F

from ._distances import pairwise_squared_distances

KERNELS = ("imq", "imq_multiscale", "rbf")
_MULTISCALE_FACTORS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


def kernel_matrix(x, y, kernel="imq", *, scale):
    """Kernel values ``k(x_i, y_j)`` of shape ``(len(x), len(y))``.

    Parameters
    ----------
    x : torch.Tensor of shape (n, d)
    y : torch.Tensor of shape (m, d)
    kernel : {"imq", "imq_multiscale", "rbf"}
    scale : float
        ``C`` of Eq. (14), usually ``2 * d * sigma_z**2``.
    """
    squared_distances = pairwise_squared_distances(x, y)
    if kernel == "imq":
        return scale / (scale + squared_distances)
    if kernel == "imq_multiscale":
        return sum(
            scale * factor / (scale * factor + squared_distances)
            for factor in _MULTISCALE_FACTORS
        )
    if kernel == "rbf":
        return torch.exp(-squared_distances / scale)
    raise ValueError(f"kernel must be one of {KERNELS}; got {kernel!r}.")


def mmd_squared(x, y, kernel="imq", *, scale):
    """Squared maximum mean discrepancy between samples ``x`` and ``y`` (WEC Eq. 12).

    The biased (V-statistic) estimate: the squared distance between the empirical kernel mean
    embeddings, so it is ``>= 0`` and exactly ``0`` for identical samples.
    """
    return (
        kernel_matrix(x, x, kernel, scale=scale).mean()
        + kernel_matrix(y, y, kernel, scale=scale).mean()
        - 2.0 * kernel_matrix(x, y, kernel, scale=scale).mean()
    )


def discriminator_loss(prior_logits, embedding_logits):
    """Negated objective of the discriminator (WEC Algorithm 1, line 15).

    ``-[mean log D(z~) + mean log(1 - D(z))]`` from logits; at its minimum over ``D`` it equals
    ``log 4 - 2 JS(E_Z, P_Z)`` (Goodfellow et al., 2014), so it is ``log 4`` when the two
    distributions agree.
    """
    return F.softplus(-prior_logits).mean() + F.softplus(embedding_logits).mean()


def encoder_adversarial_loss(embedding_logits):
    """The encoder's adversarial penalty ``mean -log D(z)`` (non-saturating JS, Eq. 11)."""
    return F.softplus(-embedding_logits).mean()

"""DEC's self-training objective (Xie et al., 2016).

Target distribution, Eq. (3):

.. math::

    p_{ij} = \\frac{q_{ij}^2 / f_j}{\\sum_{j'} q_{ij'}^2 / f_{j'}}, \\qquad f_j = \\sum_i q_{ij}

Clustering loss, Eq. (2): :math:`L_c = \\mathrm{KL}(P \\Vert Q) = \\sum_i \\sum_j p_{ij}
\\log (p_{ij} / q_{ij})`, averaged over the samples of a mini-batch. IDEC (Guo et al., 2017,
Eq. 3) adds the reconstruction loss: :math:`L = L_r + \\gamma L_c`.
"""

import torch

_EPS = 1e-12


def target_distribution(q):
    """Sharpened, frequency-normalised targets ``p`` from soft assignments ``q`` (DEC Eq. 3)."""
    weight = q.square() / q.sum(dim=0).clamp_min(_EPS)
    return weight / weight.sum(dim=1, keepdim=True)


def dec_kl_divergence(p, q):
    """``KL(P || Q)`` summed over clusters and averaged over samples (DEC Eq. 2)."""
    p = p.clamp_min(_EPS)
    return torch.sum(p * (p.log() - q.clamp_min(_EPS).log()), dim=1).mean()

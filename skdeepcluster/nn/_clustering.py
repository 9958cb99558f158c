"""DEC's clustering layer: Student's t soft assignment to learnable centroids.

Xie et al. (2016), Eq. (1):

.. math::

    q_{ij} = \\frac{(1 + \\lVert z_i - \\mu_j \\rVert^2 / \\alpha)^{-\\frac{\\alpha + 1}{2}}}
                  {\\sum_{j'} (1 + \\lVert z_i - \\mu_{j'} \\rVert^2 / \\alpha)^{-\\frac{\\alpha + 1}{2}}}
"""

import torch
from torch import nn


def student_t_assignment(z, centers, alpha=1.0):
    """Soft assignment ``q`` of embeddings ``z`` (n, d) to ``centers`` (k, d); rows sum to one.

    Computed in log space (a softmax of log-kernels) so that distant points do not underflow.
    """
    squared_distances = torch.cdist(z, centers).square()
    log_kernel = -(alpha + 1.0) / 2.0 * torch.log1p(squared_distances / alpha)
    return torch.softmax(log_kernel, dim=1)


class StudentTAssignment(nn.Module):
    """Learnable centroids ``mu_j`` and the soft assignment of DEC Eq. (1).

    Parameters
    ----------
    n_clusters, latent_dim : int
    alpha : float, default=1.0
        Degrees of freedom of the Student's t kernel.
    """

    def __init__(self, n_clusters, latent_dim, alpha=1.0):
        super().__init__()
        self.centers = nn.Parameter(torch.zeros(n_clusters, latent_dim))
        self.alpha = float(alpha)

    def forward(self, z):
        return student_t_assignment(z, self.centers, self.alpha)


class ClusteringAutoencoder(nn.Module):
    """An autoencoder with a clustering layer on its embedding.

    ``forward`` returns ``(q, x_hat, z)``: the soft assignment, the reconstruction and the
    embedding. With ``decode=False`` (DEC, which discards the decoder) ``x_hat`` is ``None``
    and the decoder is not run; IDEC and WEC train on all three.
    """

    def __init__(self, autoencoder, assignment, *, decode=True):
        super().__init__()
        self.autoencoder = autoencoder
        self.assignment = assignment
        self.decode = decode

    def soft_assignment(self, x):
        """The soft assignment ``q`` of ``x`` alone; the decoder is not run."""
        return self.assignment(self.autoencoder.encoder(x))

    def forward(self, x):
        z = self.autoencoder.encoder(x)
        x_hat = self.autoencoder.decoder(z) if self.decode else None
        return self.assignment(z), x_hat, z

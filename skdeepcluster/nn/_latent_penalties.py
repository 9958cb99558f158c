"""The penalty ``D(E_Z, P_Z)`` of the Wasserstein embedding module (WEC Eq. 5, 11, 12).

Both penalties compare a mini-batch of embeddings with as many draws from the isotropic
Gaussian prior :math:`P_Z = \\mathcal{N}(0, \\sigma_z^2 I)`. The draws come from torch's
default generator, which the estimators seed and isolate for the duration of a fit.
"""

import torch
from torch import nn

from ..losses import discriminator_loss, encoder_adversarial_loss, mmd_squared
from ._mlp import MLPStack


def sample_gaussian_prior(n_samples, latent_dim, sigma_z, *, device=None, generator=None):
    """``n_samples`` draws from :math:`\\mathcal{N}(0, \\sigma_z^2 I_{d'})`."""
    noise = torch.randn(n_samples, latent_dim, device=device, generator=generator)
    return sigma_z * noise


class MMDPenalty(nn.Module):
    """Squared MMD between a batch of embeddings and prior draws (WEC-MMD, Eq. 12 and 14).

    Parameters
    ----------
    latent_dim : int
    sigma_z : float
        Standard deviation of the prior.
    kernel : {"imq", "imq_multiscale", "rbf"}, default="imq"
        The kernel scale is ``C = 2 * latent_dim * sigma_z**2`` (Eq. 14).
    """

    def __init__(self, latent_dim, sigma_z, kernel="imq"):
        super().__init__()
        self.sigma_z = float(sigma_z)
        self.kernel = kernel
        self.scale = 2.0 * latent_dim * self.sigma_z**2

    def forward(self, z):
        prior = sample_gaussian_prior(z.shape[0], z.shape[1], self.sigma_z, device=z.device)
        return mmd_squared(z, prior, self.kernel, scale=self.scale)


class AdversarialPenalty(nn.Module):
    """JS penalty through a latent discriminator ``d'-128-1`` (WEC-GAN, Eq. 11, Algorithm 1).

    ``forward(z)`` is the encoder's penalty; :meth:`discriminator_loss` is what the
    discriminator's own optimiser minimises. The discriminator outputs logits.

    Parameters
    ----------
    latent_dim : int
    sigma_z : float
        Standard deviation of the prior.
    hidden_dim : int, default=128
    """

    def __init__(self, latent_dim, sigma_z, hidden_dim=128):
        super().__init__()
        self.sigma_z = float(sigma_z)
        self.discriminator = MLPStack((latent_dim, hidden_dim, 1))

    def forward(self, z):
        return encoder_adversarial_loss(self.discriminator(z))

    def discriminator_loss(self, z):
        """Loss of the discriminator on embeddings ``z`` (detached) against prior draws."""
        prior = sample_gaussian_prior(z.shape[0], z.shape[1], self.sigma_z, device=z.device)
        return discriminator_loss(self.discriminator(prior), self.discriminator(z.detach()))

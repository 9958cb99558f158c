"""Gaussian encoders ``q(z|x) = N(mu, diag(sigma^2))`` and the mixture-of-Gaussians prior.

VaDE (Jiang et al., 2017), DVAE (Eq. 3.1-3.4) and DGG (Eq. 1-5, 22-24) share both: the encoder
outputs ``[mu, log sigma^2] = g(x)`` and codes are drawn by reparameterisation
``z = mu + sigma * eps`` (DVAE Eq. 3.4); the prior is ``p(c) = Cat(pi)``,
``p(z|c) = N(mu_c, diag(sigma_c^2))`` (DVAE Eq. 3.1).
"""

import math
from typing import NamedTuple

import torch
from torch import nn

from ._mlp import MLPStack

# Smallest variance a Gaussian of the prior may reach: keeps log-densities finite.
VARIANCE_FLOOR = 1e-6
_LOG_2PI = math.log(2.0 * math.pi)


def reparameterize(mu, logvar, generator=None):
    """``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)`` (DVAE Eq. 3.4)."""
    noise = torch.randn(mu.shape, device=mu.device, dtype=mu.dtype, generator=generator)
    return mu + torch.exp(0.5 * logvar) * noise


def mixture_joint_log_prob(z, log_weights, means, variances):
    """``log pi_k + log N(z_i | mu_k, diag(sigma_k^2))``, shape ``(n, K)``."""
    squared = (z[:, None, :] - means[None]).square() / variances[None]
    log_normal = -0.5 * (squared + torch.log(variances)[None] + _LOG_2PI).sum(-1)
    return log_weights[None] + log_normal


class GaussianEncoder(nn.Module):
    """Wraps a deterministic :class:`MLPStack` encoder into ``x -> (mu, log sigma^2)``.

    The stack's last linear layer becomes the mean head; a new linear layer from the same last
    hidden layer gives the log-variance (initialised at zero weights and a bias of
    ``initial_logvar``, so every sample starts with the posterior variance
    ``exp(initial_logvar)``). Pretraining the deterministic autoencoder first and then wrapping
    its encoder is VaDE's initialisation.

    Parameters
    ----------
    stack : MLPStack
        ``d -> hidden... -> latent_dim`` with a linear last layer.
    initial_logvar : float or array-like of shape (latent_dim,), default=0.0
        The initial log-variance, one value or one per latent dimension.
    """

    def __init__(self, stack, initial_logvar=0.0):
        super().__init__()
        self.stack = stack
        last = stack.linears[-1]
        self.logvar_head = nn.Linear(last.in_features, last.out_features)
        nn.init.zeros_(self.logvar_head.weight)
        with torch.no_grad():
            self.logvar_head.bias.copy_(
                torch.as_tensor(initial_logvar, dtype=self.logvar_head.bias.dtype)
            )

    def forward(self, x):
        for linear in self.stack.linears[:-1]:
            x = torch.relu(linear(x))
        return self.stack.linears[-1](x), self.logvar_head(x)


class GaussianMixturePrior(nn.Module):
    """Learnable ``p(c) = Cat(pi)`` and ``p(z|c) = N(mu_c, diag(sigma_c^2))``.

    Parameters are stored unconstrained: ``pi = softmax(pi_logits)`` and
    ``sigma_c^2 = exp(log_variances) + VARIANCE_FLOOR``; every density is computed in log space.

    Parameters
    ----------
    n_components, latent_dim : int
    """

    def __init__(self, n_components, latent_dim):
        super().__init__()
        self.pi_logits = nn.Parameter(torch.zeros(n_components))
        self.means = nn.Parameter(torch.zeros(n_components, latent_dim))
        self.log_variances = nn.Parameter(torch.zeros(n_components, latent_dim))

    @property
    def log_weights(self):
        """``log pi``, shape ``(K,)``."""
        return torch.log_softmax(self.pi_logits, dim=0)

    @property
    def variances(self):
        """``sigma_c^2``, shape ``(K, M)``, never below :data:`VARIANCE_FLOOR`."""
        return torch.exp(self.log_variances) + VARIANCE_FLOOR

    def set_from_mixture(self, weights, means, variances):
        """Initialise from a fitted diagonal mixture (e.g. ``GaussianMixture`` on embeddings)."""
        with torch.no_grad():
            weights = torch.as_tensor(weights, dtype=self.means.dtype)
            self.pi_logits.copy_(torch.log(weights.clamp_min(1e-12)))
            self.means.copy_(torch.as_tensor(means, dtype=self.means.dtype))
            variances = torch.as_tensor(variances, dtype=self.means.dtype)
            self.log_variances.copy_(torch.log((variances - VARIANCE_FLOOR).clamp_min(1e-12)))

    def joint_log_prob(self, z):
        """``log p(c) + log p(z|c)`` for every sample and component, shape ``(n, K)``."""
        return mixture_joint_log_prob(z, self.log_weights, self.means, self.variances)

    def responsibilities(self, z):
        """Posterior ``p(c|z)`` of every component, rows summing to one (VaDE's gamma)."""
        return torch.softmax(self.joint_log_prob(z), dim=1)

    def sample(self, n_samples, cluster=None, generator=None):
        """Draw ``(z, c)``: ``c ~ Cat(pi)`` (or the given ``cluster``), ``z ~ p(z|c)``."""
        device = self.means.device
        if cluster is None:
            probabilities = self.log_weights.exp().detach().cpu()
            labels = torch.multinomial(probabilities, n_samples, replacement=True,
                                       generator=generator)
        else:
            labels = torch.full((n_samples,), int(cluster), dtype=torch.long)
        noise = torch.randn(n_samples, self.means.shape[1], generator=generator)
        labels, noise = labels.to(device), noise.to(device)
        z = self.means[labels] + self.variances[labels].sqrt() * noise
        return z, labels


class GMVAEOutput(NamedTuple):
    """What :class:`GaussianMixtureVAE` returns for a batch."""

    mu: torch.Tensor
    logvar: torch.Tensor
    z: torch.Tensor
    x_hat: torch.Tensor
    gamma: torch.Tensor
    log_weights: torch.Tensor
    means: torch.Tensor
    variances: torch.Tensor


def cluster_classifier(latent_dim, n_clusters, depth=1):
    """The classifier ``q(c|z)`` of DVAE and DGG, returning logits.

    ``depth=1`` is ``latent_dim-C``; ``depth=2`` is ``latent_dim-C-C`` (the papers use the
    former when ``C`` equals the latent size, 10, and the latter when it is smaller).
    """
    return MLPStack((latent_dim, *([n_clusters] * depth)))


class GaussianMixtureVAE(nn.Module):
    """A VAE whose prior is a :class:`GaussianMixturePrior` (VaDE, DVAE, DGG).

    ``forward(x)`` draws one code ``z`` per sample and returns a :class:`GMVAEOutput` with the
    prior's current parameters, so a criterion can evaluate the ELBO without holding the
    module. ``gamma`` is the cluster posterior: the prior's ``p(c|z)`` (VaDE) or, when a
    ``classifier`` is given, ``q(c|z) = softmax(classifier(z))`` (DVAE Eq. 3.2-3.3, DGG).
    ``embed(x)`` is the posterior mean.
    """

    def __init__(self, encoder, decoder, prior, classifier=None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.prior = prior
        self.classifier = classifier

    def embed(self, x):
        return self.encoder(x)[0]

    def cluster_posterior(self, z):
        """``gamma``: the classifier's ``q(c|z)`` if there is one, else the prior's ``p(c|z)``."""
        if self.classifier is None:
            return self.prior.responsibilities(z)
        return torch.softmax(self.classifier(z), dim=1)

    def forward(self, x):
        mu, logvar = self.encoder(x)
        z = reparameterize(mu, logvar)
        return GMVAEOutput(
            mu, logvar, z, self.decoder(z), self.cluster_posterior(z),
            self.prior.log_weights, self.prior.means, self.prior.variances,
        )

"""Pure torch loss functions; each formula is defined once, with its equation in the docstring."""

from ._dec import dec_kl_divergence, target_distribution
from ._elbo import LIKELIHOODS, gaussian_mixture_kl, negative_log_likelihood
from ._latent_matching import (
    KERNELS,
    discriminator_loss,
    encoder_adversarial_loss,
    kernel_matrix,
    mmd_squared,
)
from ._reconstruction import reconstruction_loss, reconstruction_output
from ._similarity import diagonal_gaussian_w2_squared, similarity_loss, transition_weights

__all__ = [
    "KERNELS",
    "LIKELIHOODS",
    "dec_kl_divergence",
    "diagonal_gaussian_w2_squared",
    "discriminator_loss",
    "encoder_adversarial_loss",
    "gaussian_mixture_kl",
    "kernel_matrix",
    "mmd_squared",
    "negative_log_likelihood",
    "reconstruction_loss",
    "reconstruction_output",
    "similarity_loss",
    "target_distribution",
    "transition_weights",
]

"""Pure torch loss functions; each formula is defined once, with its equation in the docstring."""

from ._dec import dec_kl_divergence, target_distribution
from ._latent_matching import (
    KERNELS,
    discriminator_loss,
    encoder_adversarial_loss,
    kernel_matrix,
    mmd_squared,
)
from ._reconstruction import reconstruction_loss, reconstruction_output

__all__ = [
    "KERNELS",
    "dec_kl_divergence",
    "discriminator_loss",
    "encoder_adversarial_loss",
    "kernel_matrix",
    "mmd_squared",
    "reconstruction_loss",
    "reconstruction_output",
    "target_distribution",
]

"""Pure torch loss functions; each formula is defined once, with its equation in the docstring."""

from ._dec import dec_kl_divergence, target_distribution
from ._reconstruction import reconstruction_loss, reconstruction_output

__all__ = [
    "dec_kl_divergence",
    "reconstruction_loss",
    "reconstruction_output",
    "target_distribution",
]

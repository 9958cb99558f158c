"""Autoencoder reconstruction losses.

``"mse"``: :math:`\\frac{1}{nd}\\sum_i \\lVert x_i - g(f(x_i)) \\rVert^2` (DEC, IDEC Eq. 2).
``"bce"``: binary cross-entropy of the decoder logits against ``x`` in ``[0, 1]``, averaged the
same way; the sigmoid is folded into the loss for numerical stability.
"""

import torch.nn.functional as F


def reconstruction_loss(x_hat, x, kind="mse"):
    """Mean reconstruction loss of decoder output ``x_hat`` (values or logits) against ``x``."""
    if kind == "mse":
        return F.mse_loss(x_hat, x)
    if kind == "bce":
        return F.binary_cross_entropy_with_logits(x_hat, x)
    raise ValueError(f"reconstruction loss must be 'mse' or 'bce'; got {kind!r}.")


def reconstruction_output(x_hat, kind="mse"):
    """Map decoder output to data space: identity for MSE, sigmoid of the logits for BCE."""
    return x_hat.sigmoid() if kind == "bce" else x_hat

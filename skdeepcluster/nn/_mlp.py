"""Fully connected encoders and decoders (the d-500-500-2000-k stacks of DEC, IDEC, WEC, VaDE)."""

import math

import torch
from torch import nn


class MLPStack(nn.Module):
    """Linear layers with ReLU between them, kept addressable layer by layer.

    Parameters
    ----------
    dims : sequence of int
        Widths from input to output, e.g. ``(784, 500, 500, 2000, 10)``.
    activate_last : bool, default=False
        Whether a ReLU follows the last linear layer too.
    init : {"glorot_uniform", "fan_in_uniform"}, default="glorot_uniform"
        Distribution of the initial weights; biases start at zero. ``"glorot_uniform"`` is
        ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``, the Keras default of the
        DEC, IDEC and VaDE reference code. ``"fan_in_uniform"`` is ``U(-a, a)`` with
        ``a = sqrt(1 / fan_in)`` (Keras ``VarianceScaling(1/3, "fan_in", "uniform")``), which
        DEC-Keras pairs with SGD pretraining on MNIST.

    Notes
    -----
    The layers are exposed as ``linears`` so that DEC's greedy layer-wise pretraining can train
    one encoder/decoder pair at a time.

    With Adam pretraining, PyTorch's default initialisation gave clearly worse clusterings
    than Glorot: IDEC on scikit-learn's digits, 5 seeds, mean ACC 0.768 against 0.814.
    """

    def __init__(self, dims, *, activate_last=False, init="glorot_uniform"):
        super().__init__()
        dims = [int(d) for d in dims]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.activate_last = activate_last
        for linear in self.linears:
            if init == "glorot_uniform":
                nn.init.xavier_uniform_(linear.weight)
            elif init == "fan_in_uniform":
                bound = 1.0 / math.sqrt(linear.in_features)
                nn.init.uniform_(linear.weight, -bound, bound)
            else:
                raise ValueError(f"Unknown init {init!r}; use 'glorot_uniform' or 'fan_in_uniform'.")
            nn.init.zeros_(linear.bias)

    def activated(self, position):
        """Whether the ReLU follows linear layer ``position``."""
        return self.activate_last or position < len(self.linears) - 1

    def forward(self, x):
        for position, linear in enumerate(self.linears):
            x = linear(x)
            if self.activated(position):
                x = torch.relu(x)
        return x


def mlp_encoder(n_features, hidden_dims, latent_dim, *, init="glorot_uniform"):
    """Encoder ``n_features -> hidden_dims... -> latent_dim`` with a linear embedding layer."""
    return MLPStack((n_features, *hidden_dims, latent_dim), init=init)


def mlp_decoder(latent_dim, hidden_dims, n_features, *, init="glorot_uniform"):
    """Decoder mirroring :func:`mlp_encoder`; its output is linear (values or logits)."""
    return MLPStack((latent_dim, *reversed(tuple(hidden_dims)), n_features), init=init)

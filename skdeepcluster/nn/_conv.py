"""Convolutional encoder and decoder for image inputs (the DCEC / conv-DEC family).

Inputs arrive flattened, as every estimator takes ``(n_samples, n_features)``; the modules
reshape to ``(N, C, H, W)`` themselves so that they drop into the same autoencoder as the MLPs.
"""

import math

import torch
from torch import nn


def _conv_output_size(size, n_layers):
    for _ in range(n_layers):
        size = math.ceil(size / 2)
    return size


class ConvEncoder(nn.Module):
    """Strided 3x3 convolutions (stride 2, ReLU) followed by a linear embedding.

    Parameters
    ----------
    image_shape : tuple of int
        ``(channels, height, width)`` of one image.
    channels : sequence of int
        Output channels of the successive convolutions; each halves height and width.
    latent_dim : int
        Size of the embedding.
    """

    def __init__(self, image_shape, channels, latent_dim):
        super().__init__()
        in_channels, height, width = (int(s) for s in image_shape)
        self.image_shape = (in_channels, height, width)
        layers = []
        for out_channels in channels:
            layers += [nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1), nn.ReLU()]
            in_channels = out_channels
        self.convs = nn.Sequential(*layers)
        self.feature_shape = (
            in_channels,
            _conv_output_size(height, len(channels)),
            _conv_output_size(width, len(channels)),
        )
        self.embed = nn.Linear(math.prod(self.feature_shape), latent_dim)

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.image_shape)
        return self.embed(torch.flatten(self.convs(x), 1))


class ConvDecoder(nn.Module):
    """Mirror of :class:`ConvEncoder` with transposed convolutions; returns flattened images.

    Parameters
    ----------
    encoder : ConvEncoder
        The encoder to mirror (only its shapes are read).
    """

    def __init__(self, encoder):
        super().__init__()
        self.feature_shape = encoder.feature_shape
        self.image_shape = encoder.image_shape
        self.expand = nn.Linear(encoder.embed.out_features, math.prod(self.feature_shape))
        conv_channels = [m.out_channels for m in encoder.convs if isinstance(m, nn.Conv2d)]
        targets = list(reversed(conv_channels[:-1])) + [self.image_shape[0]]
        layers = []
        in_channels = conv_channels[-1]
        for position, out_channels in enumerate(targets):
            layers.append(
                nn.ConvTranspose2d(
                    in_channels, out_channels, 3, stride=2, padding=1, output_padding=1
                )
            )
            if position < len(targets) - 1:
                layers.append(nn.ReLU())
            in_channels = out_channels
        self.deconvs = nn.Sequential(*layers)

    def forward(self, z):
        x = torch.relu(self.expand(z)).reshape(z.shape[0], *self.feature_shape)
        x = self.deconvs(x)
        _, height, width = self.image_shape
        return torch.flatten(x[:, :, :height, :width], 1)

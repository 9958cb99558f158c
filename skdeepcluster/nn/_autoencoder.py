"""The autoencoder that every method pretrains and then keeps as its embedding."""

from torch import nn


class Autoencoder(nn.Module):
    """An encoder ``f`` and decoder ``g``; ``forward`` returns ``(z, x_hat)``.

    Parameters
    ----------
    encoder, decoder : torch.nn.Module
        ``decoder(encoder(x))`` has the shape of ``x``. The decoder output is linear: values for
        a mean-squared-error loss, logits for a binary cross-entropy loss.
    """

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        z = self.encoder(x)
        return z, self.decoder(z)

"""Run one training phase (a skorch fit) and DEC's greedy layer-wise pretraining."""

import copy
import math

import torch
from skorch.exceptions import SkorchException
from torch import nn

from ..utils._torch import child_seed, torch_generator
from ._callbacks import NonFiniteLossGuard, PhaseProgressBar
from ._criteria import ReconstructionCriterion
from ._data import DeviceDataset
from ._inference import apply_in_chunks, evaluating
from ._net import PhaseNet


# The papers' epochs of autoencoder pretraining, where pretrain_epochs="auto" starts.
PAPER_PRETRAIN_EPOCHS = 50

# Fewest optimiser steps of autoencoder pretraining with pretrain_epochs="auto" (per layer pair
# in DEC's layer-wise scheme): the steps of the digits' schedule, 50 epochs of 15 batches.
MIN_PRETRAIN_STEPS = 750


# Optimisers a phase can train with: the torch class and its fixed skorch options. "sgd" is
# SGD with momentum 0.9, DEC-Keras's MNIST pretraining (there with lr=1).
OPTIMIZERS = {
    "adam": (torch.optim.Adam, {"optimizer__fused": True}),
    "sgd": (torch.optim.SGD, {"optimizer__momentum": 0.9}),
}


def steps_per_epoch(n_samples, batch_size):
    """Optimiser steps in one epoch of :func:`fit_phase` (the batch is capped at
    ``n_samples``, and the last, smaller batch is kept)."""
    return math.ceil(n_samples / min(batch_size, n_samples))


def epochs_for_min_steps(epochs, min_steps, n_samples, batch_size):
    """``epochs``, raised until they give at least ``min_steps`` optimiser steps."""
    return max(epochs, math.ceil(min_steps / steps_per_epoch(n_samples, batch_size)))


def fit_phase(
    module,
    criterion,
    X,
    *,
    phase,
    config,
    epochs,
    lr=None,
    optimizer="adam",
    callbacks=(),
    net_class=PhaseNet,
    net_options=None,
    partners=None,
):
    """Train ``module`` on device-resident ``X`` for ``epochs`` epochs; return the skorch net.

    Parameters
    ----------
    module, criterion : torch.nn.Module
        The criterion follows the :class:`PhaseNet` protocol.
    X : torch.Tensor
        Training data, already on ``config.device``.
    phase : str
        Name used in the history, progress bar and error messages; also seeds the shuffling.
    config : TrainingConfig
        Device, seed, batch size, learning rate, verbosity and user callbacks of the estimator.
    epochs : int
    lr : float, optional
        Overrides ``config.lr`` for this phase.
    optimizer : {"adam", "sgd"}, default="adam"
        A key of :data:`OPTIMIZERS`.
    callbacks : sequence of (name, Callback)
        The method's own callbacks for this phase.
    net_class : type, default=PhaseNet
        A :class:`PhaseNet` subclass, e.g. one with a second optimiser.
    net_options : dict, optional
        Further skorch parameters of the net (``optimizer_discriminator__lr``, ...).
    partners : torch.Tensor of shape (n_samples, n_partners), optional
        Train on tuple batches: every sample with these rows of ``X`` (its graph neighbours).

    Returns
    -------
    PhaseNet
        The fitted net; its ``history`` holds the per-epoch losses.
    """
    generator = torch_generator(child_seed(config.seed, phase), config.device)
    phase_callbacks = [("nonfinite_guard", NonFiniteLossGuard(phase)), *callbacks]
    if config.verbose == 1:
        phase_callbacks.append(("progress", PhaseProgressBar(phase)))
    phase_callbacks += [copy.deepcopy(cb) for cb in config.user_callbacks]
    optimizer_class, optimizer_options = OPTIMIZERS[optimizer]
    net = net_class(
        module,
        criterion,
        optimizer=optimizer_class,
        lr=config.lr if lr is None else lr,
        max_epochs=epochs,
        batch_size=min(config.batch_size, X.shape[0]),
        device=config.device,
        callbacks=phase_callbacks,
        verbose=int(config.verbose >= 2),
        **optimizer_options,
        **(net_options or {}),
    )
    try:
        net.fit(DeviceDataset(X, generator, partners))
    except (KeyError, SkorchException) as error:
        # EarlyStopping asks the history for its monitor (a KeyError), Checkpoint for
        # ``valid_loss_best`` by default (skorch's own exception).
        if "not found in history" not in str(error):
            raise
        logged = sorted(
            key for key in (net.history[-1] if net.history else {})
            if key.startswith("train_") and key not in ("train_batch_count", "train_loss_best")
        )
        raise ValueError(
            f"A callback asked the history of the {phase!r} phase for a key it does not have "
            f"({error}). Phases train without a validation split: monitor one of {logged}."
        ) from error
    return net


class DenoisingLayerPair(nn.Module):
    """One encoder layer and its mirror decoder layer trained as a denoising autoencoder.

    Dropout corrupts the input and the code (DEC §3.2); ReLU follows each layer except the
    decoder layer that reconstructs the raw input and the encoder layer that outputs the
    embedding.
    """

    def __init__(self, encoder_layer, decoder_layer, *, encode_relu, decode_relu, dropout):
        super().__init__()
        self.encoder_layer = encoder_layer
        self.decoder_layer = decoder_layer
        self.encode_relu = encode_relu
        self.decode_relu = decode_relu
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        z = self.encoder_layer(self.dropout(x))
        z = torch.relu(z) if self.encode_relu else z
        x_hat = self.decoder_layer(self.dropout(z))
        return z, (torch.relu(x_hat) if self.decode_relu else x_hat)


def pretrain_layerwise(autoencoder, X, *, config, epochs, optimizer="adam", lr=None, dropout=0.2):
    """DEC's greedy layer-wise pretraining of an :class:`~skdeepcluster.nn.MLPStack` autoencoder.

    Each encoder/decoder pair is trained for ``epochs`` epochs to reconstruct the (clean) output
    of the layers below it from a corrupted copy; the pairs share their parameters with
    ``autoencoder``, which is then ready for end-to-end fine-tuning. ``optimizer`` and ``lr``
    are passed to :func:`fit_phase`.

    Returns
    -------
    list of PhaseNet
        One fitted net per layer pair, in training order.
    """
    encoder, decoder = autoencoder.encoder.linears, autoencoder.decoder.linears
    n_layers = len(encoder)
    inputs, nets = X, []
    for depth in range(n_layers):
        pair = DenoisingLayerPair(
            encoder[depth],
            decoder[n_layers - 1 - depth],
            encode_relu=autoencoder.encoder.activated(depth),
            decode_relu=depth > 0,
            dropout=dropout,
        )
        net = fit_phase(
            pair,
            ReconstructionCriterion("mse"),
            inputs,
            phase=f"pretrain_layer{depth + 1}",
            config=config,
            epochs=epochs,
            optimizer=optimizer,
            lr=lr,
        )
        nets.append(net)
        with evaluating(pair):
            inputs = apply_in_chunks(lambda x: pair(x)[0], inputs, config.device, to_numpy=False)
    return nets

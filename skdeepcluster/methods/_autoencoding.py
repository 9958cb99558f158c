"""Autoencoder construction and pretraining shared by every autoencoder-based method."""

from .._training._criteria import ReconstructionCriterion
from .._training._inference import apply_in_chunks, evaluating
from .._training._phases import fit_phase, pretrain_layerwise
from ..nn import Autoencoder, mlp_decoder, mlp_encoder


def build_autoencoder(n_features, hidden_dims, latent_dim):
    """The symmetric MLP autoencoder ``d - hidden_dims - latent_dim - reversed - d``."""
    hidden_dims = tuple(int(d) for d in hidden_dims)
    return Autoencoder(
        mlp_encoder(n_features, hidden_dims, latent_dim),
        mlp_decoder(latent_dim, hidden_dims, n_features),
    )


def pretrain_autoencoder(autoencoder, X, *, config, epochs, strategy, reconstruction):
    """Pretrain ``autoencoder`` on ``X``: end to end, or DEC's layer-wise scheme then end to end.

    Parameters
    ----------
    autoencoder : Autoencoder
    X : torch.Tensor on ``config.device``
    config : TrainingConfig
    epochs : int
        Epochs of end-to-end training, and of each layer pair with ``"layerwise"``.
    strategy : {"end_to_end", "layerwise"}
    reconstruction : {"mse", "bce"}

    Returns
    -------
    net : PhaseNet
        The end-to-end pretraining net.
    history : dict
        Phase name to skorch ``History``.
    """
    history = {}
    if strategy == "layerwise":
        for position, net in enumerate(
            pretrain_layerwise(autoencoder, X, config=config, epochs=epochs), start=1
        ):
            history[f"pretrain_layer{position}"] = net.history
    net = fit_phase(
        autoencoder,
        ReconstructionCriterion(reconstruction),
        X,
        phase="pretrain",
        config=config,
        epochs=epochs,
    )
    history["pretrain"] = net.history
    return net, history


def embed(encoder, X, device):
    """Embeddings of device tensor ``X`` as a host array (eval mode, batched)."""
    with evaluating(encoder):
        return apply_in_chunks(encoder, X, device, to_numpy=True)

"""Autoencoder construction and pretraining shared by every autoencoder-based method."""

from .._training._criteria import ReconstructionCriterion
from .._training._inference import apply_in_chunks, evaluating
from .._training._phases import fit_phase, pretrain_layerwise
from ..nn import Autoencoder, mlp_decoder, mlp_encoder
from ..utils._sklearn_compat import StrOptions

# The ``strategy`` values of :func:`pretrain_autoencoder`, as the estimators' ``pretrain``
# parameter constraint.
PRETRAIN_STRATEGIES = StrOptions({"end_to_end", "layerwise"})


def build_autoencoder(n_features, hidden_dims, latent_dim, *, init="glorot_uniform"):
    """The symmetric MLP autoencoder ``d - hidden_dims - latent_dim - reversed - d``."""
    hidden_dims = tuple(int(d) for d in hidden_dims)
    return Autoencoder(
        mlp_encoder(n_features, hidden_dims, latent_dim, init=init),
        mlp_decoder(latent_dim, hidden_dims, n_features, init=init),
    )


def pretrain_autoencoder(
    autoencoder, X, *, config, epochs, strategy, reconstruction, optimizer="adam", lr=None
):
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
    optimizer : {"adam", "sgd"}, default="adam"
        Optimiser of every pretraining phase: Adam, or SGD with momentum 0.9.
    lr : float, optional
        Learning rate of every pretraining phase; ``config.lr`` if not given.

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
            pretrain_layerwise(
                autoencoder, X, config=config, epochs=epochs, optimizer=optimizer, lr=lr
            ),
            start=1,
        ):
            history[f"pretrain_layer{position}"] = net.history
    net = fit_phase(
        autoencoder,
        ReconstructionCriterion(reconstruction),
        X,
        phase="pretrain",
        config=config,
        epochs=epochs,
        optimizer=optimizer,
        lr=lr,
    )
    history["pretrain"] = net.history
    return net, history


def build_and_pretrain(estimator, X, config, *, latent_dim, strategy, reconstruction):
    """The autoencoder of ``estimator``, pretrained on ``X`` with its pretraining parameters
    (``hidden_dims``, ``weight_init``, ``pretrain_epochs``, ``pretrain_optimizer``,
    ``pretrain_lr``).

    Returns
    -------
    autoencoder : Autoencoder
    net, history
        As :func:`pretrain_autoencoder` returns them.
    """
    autoencoder = build_autoencoder(
        X.shape[1], estimator.hidden_dims, latent_dim, init=estimator.weight_init
    )
    net, history = pretrain_autoencoder(
        autoencoder,
        X,
        config=config,
        epochs=estimator._pretrain_epoch_count(len(X)),
        strategy=strategy,
        reconstruction=reconstruction,
        optimizer=estimator.pretrain_optimizer,
        lr=estimator.pretrain_lr,
    )
    return autoencoder, net, history


def embed(encoder, X, device):
    """Embeddings of device tensor ``X`` as a host array (eval mode, batched)."""
    with evaluating(encoder):
        return apply_in_chunks(encoder, X, device, to_numpy=True)

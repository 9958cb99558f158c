"""Autoencoder construction and pretraining shared by every autoencoder-based method."""

import dataclasses
import pickle

import joblib
import torch

from .._training._criteria import ReconstructionCriterion
from .._training._inference import apply_in_chunks, evaluating
from .._training._phases import fit_phase, pretrain_layerwise
from ..nn import Autoencoder, mlp_decoder, mlp_encoder
from ..utils._memory import joblib_memory
from ..utils._sklearn_compat import StrOptions
from ..utils._torch import set_torch_rng_state, torch_rng_state

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
    ``pretrain_lr``), or read back from its ``memory`` cache.

    With ``estimator.memory`` set, the pretraining is a joblib-cached function of the data,
    those parameters, the seed, the device, ``batch_size``, the callbacks and the learning rate
    it trains with (``pretrain_lr``, or ``lr`` when that is ``None``; with ``pretrain_lr`` set,
    ``lr`` is the clustering phase's alone and not part of the key). A cache hit restores
    torch's global RNG state as the pretraining left it, so the rest of the fit is the same as
    without the cache.

    Returns
    -------
    autoencoder : Autoencoder
    net, history
        As :func:`pretrain_autoencoder` returns them.
    """
    settings = {
        "hidden_dims": tuple(int(d) for d in estimator.hidden_dims),
        "latent_dim": int(latent_dim),
        "weight_init": estimator.weight_init,
        "epochs": estimator._pretrain_epoch_count(len(X)),
        "strategy": strategy,
        "reconstruction": reconstruction,
        "optimizer": estimator.pretrain_optimizer,
        "lr": config.lr if estimator.pretrain_lr is None else estimator.pretrain_lr,
    }
    if estimator.memory is None:
        net, history, _ = pretrained_snapshot(None, X, config, config.verbose, settings)
    else:
        check_hashable_callbacks(config.user_callbacks)
        cached = joblib_memory(estimator.memory).cache(
            pretrained_snapshot, ignore=["X", "verbose"]
        )
        net, history, rng_state = cached(
            X.cpu().numpy(),
            X,
            dataclasses.replace(config, verbose=0, lr=settings["lr"]),
            config.verbose,
            settings,
        )
        set_torch_rng_state(rng_state, config.device)
    return net.module_, net, history


def check_hashable_callbacks(callbacks):
    """Raise ``TypeError`` unless joblib can hash ``callbacks``, part of the cache key."""
    try:
        joblib.hash(callbacks)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            "With memory set, the callbacks are part of the pretraining's cache key and must "
            f"pickle; they do not: {error}"
        ) from error


def pretrained_snapshot(X_key, X, config, verbose, settings):
    """Build and pretrain an autoencoder from a freshly seeded torch RNG; the function
    :func:`build_and_pretrain` caches.

    Parameters
    ----------
    X_key : ndarray or None
        ``X`` on the host: what the cache key hashes (``X`` and ``verbose`` are not hashed).
    X : torch.Tensor on ``config.device``
    config : TrainingConfig
    verbose : int
        Replaces ``config.verbose``.
    settings : dict
        ``hidden_dims``, ``latent_dim``, ``weight_init``, ``epochs``, ``strategy``,
        ``reconstruction``, ``optimizer`` and ``lr``.

    Returns
    -------
    net : PhaseNet
        The end-to-end pretraining net; ``net.module_`` is the autoencoder.
    history : dict
        Phase name to skorch ``History``.
    rng_state : tuple
        Torch's global RNG state after pretraining (:func:`torch_rng_state`).
    """
    config = dataclasses.replace(config, verbose=verbose)
    # The fit's fork of torch's RNG (isolated_torch_rng) was seeded the same way; seeding again
    # here makes the cached result a function of its key alone, whoever calls it first.
    torch.manual_seed(config.seed)
    autoencoder = build_autoencoder(
        X.shape[1], settings["hidden_dims"], settings["latent_dim"], init=settings["weight_init"]
    )
    net, history = pretrain_autoencoder(
        autoencoder,
        X,
        config=config,
        epochs=settings["epochs"],
        strategy=settings["strategy"],
        reconstruction=settings["reconstruction"],
        optimizer=settings["optimizer"],
        lr=settings["lr"],
    )
    return net, history, torch_rng_state(config.device)


def embed(encoder, X, device):
    """Embeddings of device tensor ``X`` as a host array (eval mode, batched)."""
    with evaluating(encoder):
        return apply_in_chunks(encoder, X, device, to_numpy=True)

"""Numpydoc text of the parameters every estimator shares, written once.

The estimators' docstrings are assembled from these blocks so that a common parameter is
described the same way everywhere.
"""

from .._training._phases import MIN_PRETRAIN_STEPS, PAPER_PRETRAIN_EPOCHS

N_CLUSTERS = """n_clusters : int, default=8
        Number of clusters."""

ARCHITECTURE = """latent_dim : int, default=10
        Size of the embedding (the autoencoder's bottleneck).
    hidden_dims : tuple of int, default=(500, 500, 2000)
        Widths of the encoder's hidden layers; the decoder mirrors them. The papers use
        ``d-500-500-2000-10``."""


def pretrain_epochs(what="Epochs of autoencoder pretraining.", epochs=PAPER_PRETRAIN_EPOCHS):
    """The ``pretrain_epochs`` entry: ``what`` it counts and the ``epochs`` "auto" starts from."""
    return f"""pretrain_epochs : int or "auto", default="auto"
        {what}
        ``"auto"`` is {epochs}, raised on small data sets until pretraining takes at least
        {MIN_PRETRAIN_STEPS} optimiser steps (per layer pair with ``pretrain="layerwise"``):
        where an epoch is a few mini-batches, {epochs} epochs leave the autoencoder barely
        trained (ORL faces, 400 images: 100 to 200 steps, after which several methods put
        every face in one cluster). An int is used as given."""


def training(batch_size=256):
    """The ``batch_size``, ``lr``, ``reconstruction`` and ``callbacks`` entries."""
    return f"""batch_size : int, default={batch_size}
        Mini-batch size of every training phase (capped at ``n_samples``).
    lr : float, default=1e-3
        Adam learning rate of every training phase.
    reconstruction : {{"mse", "bce"}}, default="mse"
        Reconstruction loss. ``"bce"`` treats the decoder output as logits and needs ``X`` in
        ``[0, 1]``.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (``EarlyStopping(monitor="train_loss")``, ``Checkpoint``,
        ``LRScheduler``, ...). A fresh copy is attached to every training phase; the list you
        pass is never modified."""


PRETRAINING = """pretrain_optimizer : {"adam", "sgd"}, default="adam"
        Optimiser of autoencoder pretraining: Adam, or SGD with momentum 0.9.
    pretrain_lr : float or None, default=None
        Learning rate of autoencoder pretraining; ``None`` uses ``lr``.
    weight_init : {"glorot_uniform", "fan_in_uniform"}, default="glorot_uniform"
        Initial weights of the autoencoder's linear layers (biases start at zero):
        ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``, the Keras default of the DEC,
        IDEC and VaDE code, or ``a = sqrt(1 / fan_in)``. DEC-Keras pretrains on MNIST with
        ``weight_init="fan_in_uniform"``, ``pretrain_optimizer="sgd"``, ``pretrain_lr=1.0``
        and 300 epochs (``benchmarks/reproduce_idec.py --recipe dec-keras``); after it IDEC
        reached ACC 94.7 and 95.0 on MNIST-70k (seeds 0 and 1), against 87.9 and 82.8 after
        Adam pretraining (``docs/architecture.md``).
    memory : str, path-like, joblib.Memory or None, default=None
        Cache of the pretrained autoencoder: a joblib ``Memory`` or the path of its folder.
        A fit whose data, pretraining parameters (the above, ``hidden_dims``, the latent size,
        ``pretrain_epochs``, ``pretrain``, the reconstruction loss), ``batch_size``, ``lr``,
        ``callbacks`` (which must then pickle), ``random_state`` and ``device`` match an
        earlier one reads its pretrained network back instead of training it, and ends with
        the same result. A ``GridSearchCV`` over the clustering parameters (``gamma``,
        ``beta``, ...) then pretrains once per fold and seed; so do estimators that share an
        architecture (``WECMMD`` and ``WECGAN``). ``None`` caches nothing."""

RUNTIME = """device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device, default="auto"
        Where to train. ``"auto"`` uses CUDA when available. Asking for CUDA on a machine
        without it raises ``ValueError`` at ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the clustering initialisation. The same
        seed on the same device gives the same labels. Neither NumPy's nor torch's global
        random state is used or changed; a ``RandomState`` passed in is not advanced.
    verbose : int, default=0
        0 is silent, 1 shows a progress bar per training phase, 2 prints skorch's per-epoch
        table."""

COMMON_ATTRIBUTES = """labels_ : ndarray of shape (n_samples,)
        Cluster of every training sample (``fit_predict`` returns it).
    cluster_centers_ : ndarray of shape (n_clusters, latent_dim)
        Centroids in the latent space.
    n_iter_ : int
        Epochs run in the final training phase.
    history_ : dict of str to skorch.history.History
        Per-epoch losses of every training phase (``"pretrain"``, ``"cluster"``, ...); each
        loss term ``t`` is recorded as ``train_t``.
    net_ : skorch.NeuralNet
        The net holding the trained torch module (``net_.module_``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit``, when ``X`` has string column names."""

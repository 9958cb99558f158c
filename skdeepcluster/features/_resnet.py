"""Global-average-pool features of a torchvision ResNet (ImageNet weights, a file, or random)."""

import os

import torch

from ..utils._sklearn_compat import StrOptions
from ..utils._torch import isolated_torch_rng, seed_from_random_state
from ._backbones import RESNET_ARCHS, build_resnet, load_resnet_weights
from ._extractor import FITTED_ATTRIBUTES, INFERENCE_PARAMETERS, INPUT_NOTES, CNNFeatures


class ResNetFeatures(CNNFeatures):
    __doc__ = f"""Pooled features of a torchvision ResNet, as a scikit-learn transformer.

    The output is the global-average-pool layer (the classifier is removed): 2048 features per
    image for ResNet-50. Nothing is learned from the images; ``fit`` builds the network.

    Parameters
    ----------
    arch : str, default="resnet50"
        A torchvision ResNet: {", ".join(f'``"{name}"``' for name in RESNET_ARCHS)}.
    weights : None, str or os.PathLike, default=None
        ``None`` keeps the random initialisation (seeded by ``random_state``). A path to an
        existing file loads the ResNet's state dict from it (keys as in
        ``torch.save(model.state_dict(), path)``; a classifier ``fc.*`` is ignored). Any other
        string names one of torchvision's weights for ``arch``, such as ``"IMAGENET1K_V2"`` or
        ``"DEFAULT"``, downloaded to torch's hub cache the first time (this needs internet
        access; otherwise download the file elsewhere and pass its path). Files are read with
        ``torch.load(weights_only=True)``, so they can never run code.
    {INFERENCE_PARAMETERS}
    random_state : int, RandomState instance or None, default=None
        Seeds the random initialisation used when ``weights=None``. Neither NumPy's nor torch's
        global random state is used or changed.

    Attributes
    ----------
    {FITTED_ATTRIBUTES}

    See Also
    --------
    MoCoFeatures : the same features from a MoCo self-supervised checkpoint.
    ImageFlattener : raw pixels as features, for the MLP clusterers.

    Notes
    -----
    {INPUT_NOTES}

    Examples
    --------
    >>> import numpy as np
    >>> from skdeepcluster.features import ResNetFeatures
    >>> images = np.random.RandomState(0).randint(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    >>> features = ResNetFeatures("resnet18", input_size=32, device="cpu", random_state=0)
    >>> features.fit_transform(images).shape
    (4, 512)
    """

    _parameter_constraints = {
        **CNNFeatures._parameter_constraints,
        "arch": [StrOptions(set(RESNET_ARCHS))],
        "weights": [None, str, os.PathLike],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        arch="resnet50",
        weights=None,
        *,
        input_size=224,
        channels="auto",
        batch_size=64,
        device="auto",
        precision="float32",
        memory=None,
        random_state=None,
    ):
        self.arch = arch
        self.weights = weights
        self.input_size = input_size
        self.channels = channels
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.memory = memory
        self.random_state = random_state

    def _load_backbone(self):
        seed = seed_from_random_state(self.random_state)
        with isolated_torch_rng(seed, torch.device("cpu")):
            backbone, n_features = build_resnet(self.arch)
        if self.weights is not None:
            load_resnet_weights(backbone, self.arch, self.weights)
        return backbone, n_features

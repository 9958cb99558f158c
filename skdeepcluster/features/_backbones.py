"""torchvision ResNets as feature backbones: built without their classifier, weights resolved.

torchvision is imported inside the functions, so importing skdeepcluster never imports it.
"""

import os

import torch

from ._checkpoints import is_state_dict, load_backbone_state, read_checkpoint

RESNET_ARCHS = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "resnext101_64x4d",
    "wide_resnet50_2",
    "wide_resnet101_2",
)

CLASSIFIER_PREFIXES = ("fc.", "head.")
"""Keys of a classifier or projection head, dropped from weight files."""


def _torchvision_models():
    try:
        import torchvision.models
    except ImportError as error:
        raise ImportError(
            "Pretrained CNN features need torchvision: pip install 'skdeepcluster[features]'."
        ) from error
    return torchvision.models


def build_resnet(arch):
    """A randomly initialised torchvision ResNet whose output is its global-average-pool layer.

    Initialisation draws from torch's global RNG; call it inside ``isolated_torch_rng``.

    Returns
    -------
    backbone : torch.nn.Module
        The network with ``fc`` replaced by the identity.
    n_features : int
        Width of the pooled output (2048 for ResNet-50, 512 for ResNet-18).
    """
    backbone = _torchvision_models().get_model(arch, weights=None)
    n_features = backbone.fc.in_features
    backbone.fc = torch.nn.Identity()
    return backbone, n_features


def without_classifier(state):
    """``state`` without the keys of a classifier or projection head (``fc.*``, ``head.*``)."""
    return {name: value for name, value in state.items() if not name.startswith(CLASSIFIER_PREFIXES)}


def load_resnet_weights(backbone, arch, weights):
    """Load ``weights`` (a torchvision weight name or a state-dict file) into ``backbone``.

    Parameters
    ----------
    backbone : torch.nn.Module
        From :func:`build_resnet` with the same ``arch``.
    arch : str
    weights : str or os.PathLike
        A path to an existing file holding the ResNet's state dict (as written by
        ``torch.save(model.state_dict(), path)``, or as torchvision downloads it), or the name
        of one of torchvision's weights for ``arch`` (``"IMAGENET1K_V2"``, ``"DEFAULT"``),
        which is downloaded to torch's hub cache unless already there.

    Raises
    ------
    ValueError
        If the name is neither a file nor a torchvision weight name for ``arch``, or the
        file's keys do not match the backbone.
    OSError
        If a named weight file is not cached and cannot be downloaded.
    """
    if isinstance(weights, os.PathLike) or os.path.isfile(weights):
        state = read_checkpoint(weights)
        if not is_state_dict(state):
            raise ValueError(
                f"{os.fspath(weights)!r} does not hold a state dict (a dict of weights keyed by "
                "parameter names)."
            )
        source = repr(os.fspath(weights))
    else:
        state = _download_state(arch, weights)
        source = f"torchvision's {arch} {weights}"
    load_backbone_state(backbone, without_classifier(state), source)


def _download_state(arch, name):
    weight_enum = _torchvision_models().get_model_weights(arch)
    names = list(weight_enum.__members__)
    if name not in names:
        raise ValueError(
            f"weights={name!r} is neither an existing file nor one of torchvision's weights "
            f"for {arch}: {names}."
        )
    url = weight_enum[name].url
    try:
        return torch.hub.load_state_dict_from_url(
            url, map_location="cpu", progress=False, check_hash=True, weights_only=True
        )
    except OSError as error:
        raise OSError(
            f"Could not download {arch} weights {name} from {url} ({error}). On a machine "
            "without internet access, download the file elsewhere and pass its path as "
            "weights=."
        ) from error

"""Backbone features from MoCo v1, v2 and v3 checkpoints as the authors publish them.

MoCo v1/v2 (``moco_v2_800ep_pretrain.pth.tar``) store the query encoder under
``module.encoder_q.`` in the checkpoint's ``state_dict``, next to the key encoder
``module.encoder_k.``; MoCo v3 stores it under ``module.base_encoder.`` next to
``module.momentum_encoder.`` and ``module.predictor.``. The ``module.`` part comes from
``DistributedDataParallel`` and is absent from checkpoints saved without it. Only the query
encoder is kept, without its projection head (``fc.*`` for ResNets, ``head.*`` for ViTs), as in
the authors' linear-evaluation scripts.
"""

import os

import torch

from ..utils._sklearn_compat import StrOptions
from ..utils._torch import isolated_torch_rng
from ._backbones import RESNET_ARCHS, build_resnet, without_classifier
from ._checkpoints import is_state_dict, load_backbone_state, read_checkpoint
from ._extractor import FITTED_ATTRIBUTES, INFERENCE_PARAMETERS, INPUT_NOTES, CNNFeatures

ENCODER_PREFIXES = ("module.encoder_q.", "encoder_q.", "module.base_encoder.", "base_encoder.")


def moco_encoder_state(checkpoint, source):
    """The query encoder's weights in a MoCo checkpoint, prefixes and projection head removed.

    Parameters
    ----------
    checkpoint : dict
        What :func:`~skdeepcluster.features._checkpoints.read_checkpoint` returned: the
        training checkpoint (weights under ``"state_dict"``) or the state dict itself.
    source : str
        Names the file in error messages.

    Returns
    -------
    dict of str to torch.Tensor

    Raises
    ------
    ValueError
        If the weights are not a dict keyed by names, or no key starts with one of
        ``ENCODER_PREFIXES``.
    """
    state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else None
    if not is_state_dict(state):
        raise ValueError(
            f"{source} does not hold a MoCo checkpoint (a dict of weights keyed by parameter "
            "names)."
        )
    for prefix in ENCODER_PREFIXES:
        encoder = {
            name[len(prefix):]: value for name, value in state.items() if name.startswith(prefix)
        }
        if encoder:
            return without_classifier(encoder)
    found = sorted({name.split(".")[0] for name in state})[:10]
    raise ValueError(
        f"{source} holds no MoCo query encoder: no key starts with any of {ENCODER_PREFIXES} "
        f"(top-level names found: {found})."
    )


class MoCoFeatures(CNNFeatures):
    __doc__ = f"""Pooled features of a ResNet trained with MoCo (v1, v2 or v3).

    Loads the query encoder of a checkpoint published by the MoCo authors (or saved by their
    training scripts), drops the projection head, and returns the global-average-pool layer:
    2048 features per image for ResNet-50. Nothing is learned from the images.

    Parameters
    ----------
    checkpoint : str or os.PathLike, default=None
        The checkpoint file, e.g. ``moco_v2_800ep_pretrain.pth.tar`` or MoCo v3's
        ``r-50-1000ep.pth.tar``. Required; read with ``torch.load(weights_only=True)``, so a
        file that stores anything besides tensors and plain containers is refused.
    arch : str, default="resnet50"
        The architecture the checkpoint was trained with:
        {", ".join(f'``"{name}"``' for name in RESNET_ARCHS)}. When the checkpoint records its
        ``"arch"``, the two must agree.
    {INFERENCE_PARAMETERS}

    Attributes
    ----------
    {FITTED_ATTRIBUTES}

    See Also
    --------
    ResNetFeatures : the same features from ImageNet-supervised (or random) weights.

    Notes
    -----
    The query-encoder keys are found under ``module.encoder_q.`` (v1/v2),
    ``module.base_encoder.`` (v3), or the same without ``module.``; ``fc.*`` and ``head.*``
    are dropped. Any missing or unexpected backbone key raises ``ValueError`` naming it.

    {INPUT_NOTES}
    """

    _parameter_constraints = {
        **CNNFeatures._parameter_constraints,
        "checkpoint": [None, str, os.PathLike],
        "arch": [StrOptions(set(RESNET_ARCHS))],
    }

    def __init__(
        self,
        checkpoint=None,
        arch="resnet50",
        *,
        input_size=224,
        channels="auto",
        batch_size=64,
        device="auto",
        precision="float32",
        memory=None,
    ):
        self.checkpoint = checkpoint
        self.arch = arch
        self.input_size = input_size
        self.channels = channels
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.memory = memory

    def _load_backbone(self):
        if self.checkpoint is None:
            raise ValueError("MoCoFeatures needs checkpoint=<path to a MoCo checkpoint file>.")
        source = repr(os.fspath(self.checkpoint))
        checkpoint = read_checkpoint(self.checkpoint)
        recorded = checkpoint.get("arch") if isinstance(checkpoint, dict) else None
        if isinstance(recorded, str) and recorded != self.arch:
            raise ValueError(
                f"The checkpoint {source} was trained with arch={recorded!r}, but "
                f"arch={self.arch!r} was given."
            )
        # Every weight is overwritten: the seed only keeps the caller's RNG untouched.
        with isolated_torch_rng(0, torch.device("cpu")):
            backbone, n_features = build_resnet(self.arch)
        load_backbone_state(backbone, moco_encoder_state(checkpoint, source), source)
        return backbone, n_features

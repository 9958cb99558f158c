"""Reading weight files safely and matching their keys to a backbone.

Every file goes through ``torch.load(..., weights_only=True)``: only tensors and plain
containers are unpickled, so a model file can never run code. Key matching is strict: a file
that lacks some of the backbone's weights, or carries weights the backbone does not have, is
refused with the offending names instead of silently leaving layers at random values. The one
exception is BatchNorm's ``num_batches_tracked`` counter, which files saved before PyTorch 0.4.1
lack and inference never reads: as ``torch.nn.Module.load_state_dict`` does for such files, a
missing counter keeps its value in the backbone.
"""

import os
import pickle

import torch

_PREVIEW = 5

_BATCH_COUNTER = ".num_batches_tracked"
"""Suffix of BatchNorm's count of training batches: may be absent, unused in eval mode."""


def read_checkpoint(path):
    """Load a ``torch.save`` file with ``weights_only=True`` onto the CPU.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    object
        The stored tensors, dicts, lists and numbers.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file stores anything besides tensors and plain containers (unpickling it could
        run arbitrary code), or is not a readable torch file.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No weights file at {path!r}.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise ValueError(
            f"Refusing to load {path!r}: it is not a tensors-only checkpoint, and unpickling "
            "anything else could run arbitrary code. Save the weights with "
            f"torch.save(model.state_dict(), path). (torch.load said: {error})"
        ) from error
    except (RuntimeError, EOFError) as error:
        raise ValueError(f"{path!r} is not a readable torch checkpoint: {error}") from error


def is_state_dict(obj):
    """Whether ``obj`` has the form of a state dict: a dict whose keys are all strings."""
    return isinstance(obj, dict) and all(isinstance(name, str) for name in obj)


def load_backbone_state(backbone, state, source):
    """Copy ``state`` into ``backbone`` after checking names and shapes match exactly.

    Parameters
    ----------
    backbone : torch.nn.Module
    state : dict of str to torch.Tensor
        Keys as in ``backbone.state_dict()``.
    source : str
        Describes where ``state`` came from, for error messages.

    Raises
    ------
    ValueError
        On missing or unexpected keys, non-tensor values or mismatched shapes. Missing
        ``*.num_batches_tracked`` keys are not an error: they keep the backbone's values.
    """
    expected = backbone.state_dict()
    counters = {name: expected[name] for name in expected if name.endswith(_BATCH_COUNTER)}
    state = {**counters, **state}
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(
            f"The weights in {source} do not match the backbone: "
            f"{len(missing)} missing key(s) {_preview(missing)}, "
            f"{len(unexpected)} unexpected key(s) {_preview(unexpected)}. Check that `arch` "
            "is the architecture the weights were trained with."
        )
    wrong = [
        f"{name}: {tuple(getattr(value, 'shape', ()))} instead of {tuple(expected[name].shape)}"
        for name, value in state.items()
        if not isinstance(value, torch.Tensor) or value.shape != expected[name].shape
    ]
    if wrong:
        raise ValueError(
            f"The weights in {source} have the wrong shape for the backbone: "
            f"{_preview(wrong)}. Check that `arch` is the architecture they were trained with."
        )
    backbone.load_state_dict(state, strict=True)


def _preview(names):
    shown = ", ".join(names[:_PREVIEW])
    return f"[{shown}{', ...' if len(names) > _PREVIEW else ''}]"

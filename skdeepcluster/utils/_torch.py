"""Device resolution and seeding that never touches the caller's random state."""

import contextlib
import copy
import numbers
import re

import numpy as np
import torch

_CUDA_PATTERN = re.compile(r"^cuda(:\d+)?$")


def resolve_device(device):
    """Turn the ``device`` parameter into a :class:`torch.device`.

    Parameters
    ----------
    device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device
        ``"auto"`` picks CUDA when it is available and the CPU otherwise.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the string is not a device this library runs on, or CUDA is asked for on a machine
        without a usable CUDA device (or with fewer devices than the index asked for).
    """
    if isinstance(device, torch.device):
        # torch.device("cpu", 0) is the CPU too; its str, "cpu:0", is not a name accepted here
        device = "cpu" if device.type == "cpu" else str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cpu":
        return torch.device("cpu")
    if isinstance(device, str) and _CUDA_PATTERN.match(device):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on this machine "
                "(torch.cuda.is_available() is False). Use device='auto' or device='cpu'."
            )
        resolved = torch.device(device)
        index = 0 if resolved.index is None else resolved.index
        if index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only {torch.cuda.device_count()} CUDA "
                "device(s) are visible."
            )
        return torch.device("cuda", index)
    raise ValueError(
        f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N' (N a device index); got {device!r}."
    )


def seed_from_random_state(random_state):
    """Derive a 63-bit integer seed from ``random_state`` without advancing any caller RNG.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        ``None`` draws fresh entropy from the operating system (the global NumPy RNG is not
        used, so it is left untouched). An int is used as the seed. A ``RandomState`` instance
        is read through a copy, so the caller's generator is not advanced.

    Returns
    -------
    int
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(copy.deepcopy(random_state).randint(np.iinfo(np.int64).max, dtype=np.int64))
    raise ValueError(
        f"random_state must be None, an int or a numpy RandomState; got {random_state!r}."
    )


def child_seed(seed, stream):
    """Independent seed for one named stream (``"init"``, ``"batches"``, ...) of a fit."""
    sequence = np.random.SeedSequence([seed % (2**63), *stream.encode()])
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> 1)


@contextlib.contextmanager
def isolated_torch_rng(seed, device):
    """Seed torch inside a fork of its global RNG state, restored on exit.

    Dropout and ``torch.nn.init`` draw from torch's global generators. Forking them keeps a fit
    reproducible for a given seed while the caller's torch RNG state is exactly as it was.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def torch_rng_state(device):
    """Torch's global RNG state: the CPU generator's and, on CUDA, that of ``device``."""
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    return torch.get_rng_state(), cuda


def set_torch_rng_state(state, device):
    """Put back a state :func:`torch_rng_state` returned for ``device``."""
    cpu, cuda = state
    torch.set_rng_state(cpu)
    if cuda is not None:
        torch.cuda.set_rng_state(cuda, device)


def torch_generator(seed, device):
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return generator


def tensor_to_numpy(X):
    """``X`` as a host NumPy array if it is a torch tensor; anything else is returned unchanged.

    Estimators take tensors as they take arrays: on any device, with ``requires_grad``, and in
    bfloat16 (which NumPy lacks; it becomes float32). The tensor itself is not modified.

    Raises
    ------
    TypeError
        For sparse tensors (the estimators need dense data, as for SciPy sparse matrices).
    ValueError
        For tensors on the ``meta`` device, which have a shape but no values.
    """
    if not isinstance(X, torch.Tensor):
        return X
    if X.layout != torch.strided:
        raise TypeError(
            f"A sparse tensor ({X.layout}) was passed, but dense data is required. Use "
            "X.to_dense() to convert to a dense tensor."
        )
    if X.is_meta:
        raise ValueError("A tensor on the 'meta' device was passed; it holds no data.")
    X = X.detach()
    if X.dtype == torch.bfloat16:
        X = X.float()
    return X.cpu().numpy()

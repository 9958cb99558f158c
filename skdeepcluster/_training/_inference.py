"""Batched, gradient-free evaluation of a module with bounded memory."""

import contextlib

import numpy as np
import torch

INFERENCE_CHUNK_SIZE = 4096


@contextlib.contextmanager
def evaluating(module):
    """Put ``module`` in eval mode under ``torch.no_grad`` and restore its mode afterwards."""
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield module
    finally:
        module.train(was_training)


def apply_in_chunks(function, X, device, *, to_numpy, chunk_size=INFERENCE_CHUNK_SIZE):
    """Apply ``function`` to successive row chunks of ``X`` on ``device`` and concatenate.

    Parameters
    ----------
    function : callable
        Maps a ``(m, d)`` tensor on ``device`` to a ``(m, ...)`` tensor.
    X : numpy.ndarray or torch.Tensor
        A host array is copied to the device one chunk at a time, so device memory stays bounded.
    device : torch.device
    to_numpy : bool
        Return a host NumPy array (each chunk's output is moved off the device as it is made)
        instead of a tensor on ``device``.
    chunk_size : int, default=4096
    """
    outputs = []
    for start in range(0, X.shape[0], chunk_size):
        chunk = X[start : start + chunk_size]
        if isinstance(chunk, np.ndarray) and not chunk.flags.writeable:
            chunk = chunk.copy()  # torch refuses to wrap read-only memory silently
        chunk = torch.as_tensor(chunk).to(device, non_blocking=True)
        output = function(chunk)
        outputs.append(output.cpu() if to_numpy else output)
    result = torch.cat(outputs)
    return result.numpy() if to_numpy else result


def as_training_tensor(X, device):
    """The validated float32 array as a tensor on ``device``, never writing to the caller's data.

    On the CPU the tensor shares memory with ``X`` when ``X`` is writeable (training only reads
    it); a read-only array (e.g. a memory map) is copied so torch never holds a read-only buffer.
    """
    if not X.flags.writeable:
        X = np.array(X)
    return torch.from_numpy(X).to(device)

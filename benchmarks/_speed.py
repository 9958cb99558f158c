"""What the speed benchmarks share: MNIST-shaped data and the header of their JSON results."""

import json
from pathlib import Path

import numpy as np
import torch
from _machine import cpu_name

import skdeepcluster

RESULTS = Path(__file__).resolve().parent / "results"


def load_mnist_shaped(n_samples, data_home):
    """``n_samples`` x 784 float32 rows: MNIST / 255 from ``data_home``, else uniform noise.

    The values do not change the cost of an epoch, so the noise needs no download.
    """
    if data_home:
        from skdeepcluster.datasets import load_mnist

        X = load_mnist(data_home=data_home, download_if_missing=False).data / 255.0
        return np.ascontiguousarray(X[:n_samples], dtype=np.float32)
    return np.random.RandomState(0).rand(n_samples, 784).astype(np.float32)


def device_name(device):
    return torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()


def write_speed_result(stem, device, X, **fields):
    """Write ``results/<stem>_<device type>.json``: machine and data header, then ``fields``."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{stem}_{device.type}.json"
    path.write_text(json.dumps({
        "device": str(device),
        "device_name": device_name(device),
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "torch": torch.__version__,
        "skdeepcluster": skdeepcluster.__version__,
        "torch_threads": torch.get_num_threads(),
        **fields,
    }, indent=2) + "\n")
    print(f"wrote {path}")
    return path

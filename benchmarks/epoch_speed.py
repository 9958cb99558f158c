"""Seconds per autoencoder pretraining epoch: skdeepcluster's device-resident path vs DataLoader.

The network is the papers' ``d-500-500-2000-10`` autoencoder with a mirrored decoder, trained
with MSE and Adam (lr 1e-3) in mini-batches of 256 on MNIST-shaped data (70,000 x 784 by
default; the values do not affect speed, so uniform noise in [0, 1] is used unless
``--data-home`` points at ``mnist.npz``).

Two ways of running the same epoch are timed in one process:

* ``dataloader``: the plain torch loop, a ``DataLoader`` over CPU tensors with a host-to-device
  copy and ``loss.item()`` per batch (what skorch does by default);
* ``resident_loop``: a plain torch loop over the same device-resident data, batches sliced
  from a device-side permutation, fused Adam, losses read once per epoch: the same work as
  the library's phase without skorch, so the two differ by the library's own overhead;
* ``skdeepcluster``: the library's own pretraining phase (``fit_phase`` with a ``PhaseNet``),
  data resident on the device, batches sliced from a device-side permutation, losses moved to
  the host once per epoch, fused Adam; on CUDA every full batch's step is replayed from a
  captured CUDA graph;
* ``skdeepcluster_eager`` (CUDA only): the same phase with ``cuda_graphs=False``, every step
  launched from Python.

``--n-features 16 --hidden-dims 8,8,8 --latent-dim 4`` shrinks the layers until a step has almost no
arithmetic, which measures what a step costs the host (Python and operator dispatch): on a GPU
that cost is what bounds the papers' small MLPs.

Prints a table with the median seconds per epoch (after one warm-up epoch) and the ratio, and
writes ``benchmarks/results/epoch_speed_<device>.json``.

Example::

    python benchmarks/epoch_speed.py --device cuda            # the full MNIST-sized run
    python benchmarks/epoch_speed.py --n-samples 10000        # a quicker CPU run
"""

import argparse
import math
import statistics
import time

import numpy as np
import torch
from _speed import device_name, load_mnist_shaped, write_speed_result
from torch.utils.data import DataLoader, TensorDataset

from skdeepcluster._training._criteria import ReconstructionCriterion
from skdeepcluster._training._phases import fit_phase
from skdeepcluster.base import TrainingConfig
from skdeepcluster.methods._autoencoding import build_autoencoder
from skdeepcluster.utils._torch import resolve_device

BATCH_SIZE, LR = 256, 1e-3


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def dataloader_epochs(X, device, epochs, layers):
    """Seconds of each epoch of the plain DataLoader loop."""
    torch.manual_seed(0)
    model = build_autoencoder(X.shape[1], *layers).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(torch.from_numpy(X)), batch_size=BATCH_SIZE, shuffle=True)
    seconds = []
    for _ in range(epochs):
        synchronize(device)
        start = time.perf_counter()
        for (batch,) in loader:
            batch = batch.to(device)
            _, reconstruction = model(batch)
            loss = torch.nn.functional.mse_loss(reconstruction, batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
    return seconds


def resident_loop_epochs(X, device, epochs, layers):
    """Seconds of each epoch of a plain loop over device-resident data (no skorch)."""
    torch.manual_seed(0)
    model = build_autoencoder(X.shape[1], *layers).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    X_device = torch.from_numpy(X).to(device)
    generator = torch.Generator(device).manual_seed(0)
    seconds = []
    for _ in range(epochs):
        synchronize(device)
        start = time.perf_counter()
        order = torch.randperm(X_device.shape[0], device=device, generator=generator)
        losses = []
        for begin in range(0, X_device.shape[0], BATCH_SIZE):
            batch = X_device[order[begin : begin + BATCH_SIZE]]
            _, reconstruction = model(batch)
            loss = torch.nn.functional.mse_loss(reconstruction, batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.detach())
        torch.stack(losses).tolist()
        seconds.append(time.perf_counter() - start)
    return seconds


def skdeepcluster_epochs(X, device, epochs, layers, cuda_graphs=True):
    """Seconds of each epoch of the library's pretraining phase (from its history)."""
    torch.manual_seed(0)
    model = build_autoencoder(X.shape[1], *layers)
    config = TrainingConfig(
        device=device, seed=0, batch_size=BATCH_SIZE, lr=LR, verbose=0, user_callbacks=()
    )
    X_device = torch.from_numpy(X).to(device)
    synchronize(device)
    net = fit_phase(
        model, ReconstructionCriterion("mse"), X_device, phase="pretrain", config=config,
        epochs=epochs, net_options={"cuda_graphs": cuda_graphs},
    )
    return [row["dur"] for row in net.history]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n-samples", type=int, default=70_000)
    parser.add_argument("--epochs", type=int, default=4, help="timed epochs after a warm-up")
    parser.add_argument("--data-home", default=None, help="folder holding mnist.npz")
    parser.add_argument("--hidden-dims", default="500,500,2000",
                        help="encoder widths, comma-separated")
    parser.add_argument("--latent-dim", type=int, default=10)
    parser.add_argument("--n-features", type=int, default=784,
                        help="use the first n pixel columns (default: all 784)")
    args = parser.parse_args()
    hidden_dims = tuple(int(width) for width in args.hidden_dims.split(","))
    layers = (hidden_dims, args.latent_dim)

    device = resolve_device(args.device)
    X = np.ascontiguousarray(load_mnist_shaped(args.n_samples, args.data_home)[:, :args.n_features])
    timings = {
        "dataloader": dataloader_epochs(X, device, args.epochs + 1, layers)[1:],
        "resident_loop": resident_loop_epochs(X, device, args.epochs + 1, layers)[1:],
        "skdeepcluster": skdeepcluster_epochs(X, device, args.epochs + 1, layers)[1:],
    }
    if device.type == "cuda":
        timings["skdeepcluster_eager"] = skdeepcluster_epochs(
            X, device, args.epochs + 1, layers, cuda_graphs=False
        )[1:]
    medians = {name: statistics.median(values) for name, values in timings.items()}
    ratio = medians["skdeepcluster"] / medians["dataloader"]
    widths = "-".join(map(str, (X.shape[1], *hidden_dims, args.latent_dim)))
    print(f"\nautoencoder {widths}, batch {BATCH_SIZE}, "
          f"{X.shape[0]} samples, device {device} ({device_name(device)})\n")
    steps = math.ceil(X.shape[0] / BATCH_SIZE)
    print("| path | median s/epoch | epochs/s | us/step |")
    print("|---|---|---|---|")
    for path, value in medians.items():
        print(f"| {path} | {value:.3f} | {1 / value:.2f} | {1e6 * value / steps:.0f} |")
    print(f"\nskdeepcluster / dataloader time ratio: {ratio:.2f} "
          f"({1 / ratio:.2f}x faster)")
    print(f"skdeepcluster / resident_loop time ratio: "
          f"{medians['skdeepcluster'] / medians['resident_loop']:.2f}")

    papers_layers = layers == ((500, 500, 2000), 10) and X.shape[1] == 784
    write_speed_result(
        "epoch_speed" if papers_layers else "epoch_speed_small_layers", device, X,
        autoencoder=widths,
        batch_size=BATCH_SIZE,
        seconds_per_epoch=timings,
        median_seconds_per_epoch=medians,
        ratio_skdeepcluster_over_dataloader=ratio,
    )


if __name__ == "__main__":
    main()

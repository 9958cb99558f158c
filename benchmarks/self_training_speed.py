"""Seconds per clustering epoch of the self-training methods, by target-refresh schedule.

A clustering epoch of ``IDEC``, ``WECMMD`` or ``WECGAN`` is its training steps plus the
refreshes of the target distribution, each of which embeds the whole data set. WEC's default
refresh every 5 mini-batches ("every five iterations", Cai et al.) makes the refreshes the
larger part on MNIST-70k: 55 passes over 70,000 samples per epoch against one pass of training.
This script times, in one process and with the estimators' default networks and batch sizes:

* one autoencoder pretraining epoch of each model;
* its clustering epoch with the target refreshed every ``u`` mini-batches, for each ``u`` of
  ``--update-intervals`` (5, WEC's default, and 140, IDEC's);

and projects the fit time of the papers' protocols from the medians: 50 pretraining epochs and
200 clustering epochs for WEC (refresh every 5 mini-batches), 200 pretraining epochs and the
clustering epochs IDEC ran on MNIST in ``results/idec_mnist_cpu.json`` (10, refresh every 140).
The projection leaves out KMeans and inference, a few seconds.

Data: MNIST-shaped (784 features), uniform noise in [0, 1] unless ``--data-home`` holds
``mnist.npz``; the values do not change the cost of an epoch. Prints a table and writes
``benchmarks/results/self_training_speed_<device>.json``.

Example::

    python benchmarks/self_training_speed.py --device cuda        # MNIST-70k sized
    python benchmarks/self_training_speed.py --n-samples 10000    # a quicker CPU run
"""

import argparse
import statistics

import torch
from _speed import device_name, load_mnist_shaped, write_speed_result

from skdeepcluster import IDEC, WECGAN, WECMMD
from skdeepcluster.utils._torch import resolve_device

# model: (estimator class, parameters besides the defaults, the protocol's pretraining epochs,
# clustering epochs and refresh interval)
PROTOCOLS = {
    "WEC-MMD": (WECMMD, {}, 50, 200, 5),
    "WEC-GAN": (WECGAN, {}, 50, 200, 5),
    "IDEC": (IDEC, {"pretrain": "end_to_end", "batch_size": 256, "tol": 0.0}, 200, 10, 140),
}


def epoch_seconds(cls, params, X, device, update_interval, epochs):
    """Median seconds of a pretraining epoch and of a clustering epoch (after a warm-up)."""
    model = cls(
        n_clusters=10, pretrain_epochs=epochs + 1, max_epochs=epochs + 1,
        update_interval=update_interval, device=device, random_state=0, **params,
    ).fit(X)
    pretrain = [row["dur"] for row in model.history_["pretrain"]][1:]
    cluster = [row["dur"] for row in model.history_["cluster"]][1:]
    return statistics.median(pretrain), statistics.median(cluster)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n-samples", type=int, default=70_000)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after a warm-up")
    parser.add_argument("--update-intervals", nargs="+", type=int, default=[5, 140],
                        help="mini-batches between refreshes of the target distribution")
    parser.add_argument("--models", nargs="+", default=list(PROTOCOLS), choices=list(PROTOCOLS))
    parser.add_argument("--data-home", default=None, help="folder holding mnist.npz")
    args = parser.parse_args()

    device = resolve_device(args.device)
    X = load_mnist_shaped(args.n_samples, args.data_home)
    rows = []
    for label in args.models:
        cls, params, pretrain_epochs, cluster_epochs, paper_interval = PROTOCOLS[label]
        for interval in args.update_intervals:
            pretrain_s, cluster_s = epoch_seconds(cls, params, X, device, interval, args.epochs)
            row = {"model": label, "update_interval": interval,
                   "pretrain_epoch_s": pretrain_s, "cluster_epoch_s": cluster_s}
            if interval == paper_interval:
                row["projected_protocol_fit_s"] = (
                    pretrain_epochs * pretrain_s + cluster_epochs * cluster_s
                )
            rows.append(row)
            print(row, flush=True)

    print(f"\n{X.shape[0]} x {X.shape[1]} samples, default networks and batch sizes, "
          f"device {device} ({device_name(device)}), {torch.get_num_threads()} torch threads\n")
    print("| model | refresh every | pretrain s/epoch | cluster s/epoch "
          "| projected protocol fit s |")
    print("|---|---|---|---|---|")
    for row in rows:
        projected = row.get("projected_protocol_fit_s")
        print(f"| {row['model']} | {row['update_interval']} | {row['pretrain_epoch_s']:.3f} | "
              f"{row['cluster_epoch_s']:.3f} | "
              f"{'-' if projected is None else f'{projected:.0f}'} |")

    write_speed_result(
        "self_training_speed", device, X,
        timed_epochs=args.epochs,
        protocols={
            label: {"parameters": params, "pretrain_epochs": p, "cluster_epochs": c,
                    "update_interval": u}
            for label, (_, params, p, c, u) in PROTOCOLS.items()
        },
        rows=rows,
    )


if __name__ == "__main__":
    main()

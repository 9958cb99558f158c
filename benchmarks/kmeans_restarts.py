"""Whether a poor initial clustering is a KMeans local optimum or the embedding itself.

DEC, IDEC and WEC start their clustering phase from KMeans (``n_init`` restarts) on the
pretrained embedding. When one seed starts several points below another, two causes are
possible: KMeans stopped in a poor local optimum that more restarts would leave, or the
embedding's lowest-inertia partition is itself the poor one. This script reads the pretrained
autoencoders that ``--memory`` cached (``reproduce_*.py --memory DIR``, or an estimator's
``memory=``), embeds the data set they were trained on and, for each:

- runs KMeans with each ``--n-init`` several times (different random states) and reports
  inertia, ACC and NMI;
- runs ``--single-restarts`` single-start KMeans and reports the ACC of the lowest-inertia
  restarts and the best ACC any restart reached;
- gives the confusion matrix (true class by cluster) of the lowest-inertia solution.

Run from the repository root::

    python benchmarks/kmeans_restarts.py --data-home ../shared/data --dataset mnist \\
        --memory /tmp/runs/mem2 --output benchmarks/results/kmeans_restarts_mnist_seed2

Writes ``<output>.json``.
"""

import argparse
import json
from pathlib import Path

import joblib
import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import confusion_matrix

import skdeepcluster
from skdeepcluster._training._inference import apply_in_chunks, evaluating
from skdeepcluster.metrics import clustering_accuracy, normalized_mutual_info_score

from _reproduction import LOADERS, load
from _speed import device_name


def cached_encoders(memory):
    """``(cache entry, encoder)`` of every pretrained autoencoder the joblib folder holds.

    The cached function is ``skdeepcluster.methods._autoencoding.pretrained_snapshot``; its
    output is ``(net, history, rng_state)`` with the autoencoder at ``net.module_``.
    """
    entries = sorted(Path(memory).rglob("pretrained_snapshot/*/output.pkl"))
    if not entries:
        raise SystemExit(f"no cached pretraining under {memory}")
    for entry in entries:
        net, _, _ = joblib.load(entry)
        yield entry.parent.name, net.module_.encoder.cpu()


def kmeans_row(Z, y, n_clusters, n_init, random_state):
    """Inertia, ACC and NMI of one KMeans fit, and its labels."""
    kmeans = KMeans(n_clusters, n_init=n_init, random_state=random_state).fit(Z)
    return {
        "n_init": n_init,
        "random_state": random_state,
        "inertia": float(kmeans.inertia_),
        "acc": float(clustering_accuracy(y, kmeans.labels_)),
        "nmi": float(normalized_mutual_info_score(y, kmeans.labels_)),
    }, kmeans.labels_


def restart_report(Z, y, *, n_inits, repeats, single_restarts):
    """Everything the module docstring lists, for one embedding ``Z``."""
    n_clusters = len(np.unique(y))
    rows, best = [], None
    for n_init in n_inits:
        for random_state in range(repeats):
            row, labels = kmeans_row(Z, y, n_clusters, n_init, random_state)
            rows.append(row)
            if best is None or row["inertia"] < best[0]["inertia"]:
                best = row, labels
    singles = sorted(
        (kmeans_row(Z, y, n_clusters, 1, seed)[0] for seed in range(single_restarts)),
        key=lambda row: row["inertia"],
    )
    return {
        "fits": rows,
        "single_restarts": [{k: r[k] for k in ("inertia", "acc")} for r in singles],
        "single_restart_best_acc": max(r["acc"] for r in singles) if singles else None,
        "lowest_inertia": best[0],
        "confusion_of_lowest_inertia": confusion_matrix(y, best[1]).tolist(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", required=True, metavar="DIR")
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="mnist")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-samples", type=int, default=None,
                        help="the same subsample the pretraining used (reproduce_*.py's option)")
    parser.add_argument("--n-init", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--single-restarts", type=int, default=100)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    X, y = load(args.dataset, args.data_home, args.n_samples)
    report = {
        "dataset": args.dataset,
        "n_samples": int(len(X)),
        "device_name": device_name(torch.device("cpu")),
        "versions": {"skdeepcluster": skdeepcluster.__version__, "torch": torch.__version__},
        "pretrainings": {},
    }
    for entry, encoder in cached_encoders(args.memory):
        with evaluating(encoder):
            Z = apply_in_chunks(encoder, torch.as_tensor(X), "cpu", to_numpy=True)
        found = restart_report(
            Z, y, n_inits=args.n_init, repeats=args.repeats, single_restarts=args.single_restarts
        )
        report["pretrainings"][entry] = found
        low = found["lowest_inertia"]
        print(f"{entry}: lowest inertia {low['inertia']:.6g} (n_init={low['n_init']}) "
              f"ACC {100 * low['acc']:.2f}; ACC over all fits "
              f"{100 * min(r['acc'] for r in found['fits']):.2f}-"
              f"{100 * max(r['acc'] for r in found['fits']):.2f}; best single restart "
              f"{100 * (found['single_restart_best_acc'] or float('nan')):.2f}")
    Path(f"{args.output}.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {args.output}.json")


if __name__ == "__main__":
    main()

"""The main job: cluster scikit-learn's bundled handwritten digits with IDEC.

Needs no download. Prints ACC, NMI, ARI and wall time of the default ``IDEC`` next to KMeans on
the raw pixels, and writes the numbers to ``benchmarks/results/digits_<device>.json``.

Run from the repository root::

    python benchmarks/digits.py [--seed 0] [--device auto]
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

import skdeepcluster
from skdeepcluster import IDEC
from skdeepcluster.metrics import adjusted_rand_score, clustering_accuracy
from skdeepcluster.metrics import normalized_mutual_info_score as nmi

RESULTS = Path(__file__).resolve().parent / "results"


def score(name, labels, y, seconds):
    """One result row: method, ACC, NMI, ARI and fit time."""
    return {
        "method": name,
        "acc": clustering_accuracy(y, labels),
        "nmi": nmi(y, labels),
        "ari": adjusted_rand_score(y, labels),
        "fit_seconds": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rows = []

    start = time.perf_counter()
    labels = KMeans(10, n_init=20, random_state=args.seed).fit_predict(X)
    rows.append(score("KMeans (raw pixels)", labels, y, time.perf_counter() - start))

    model = IDEC(n_clusters=10, device=args.device, random_state=args.seed, verbose=1)
    start = time.perf_counter()
    labels = model.fit_predict(X)
    rows.append(score("IDEC (defaults)", labels, y, time.perf_counter() - start))

    device = str(model.net_.device)
    print(f"\nsklearn digits: {X.shape[0]} samples x {X.shape[1]} features, X/16, seed {args.seed}")
    print(f"device: {device}, torch threads: {torch.get_num_threads()}\n")
    print(f"| {'method':<20} | {'ACC':>6} | {'NMI':>6} | {'ARI':>6} | {'fit s':>7} |")
    print(f"|{'-' * 22}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 9}|")
    for row in rows:
        print(
            f"| {row['method']:<20} | {row['acc']:6.3f} | {row['nmi']:6.3f} | "
            f"{row['ari']:6.3f} | {row['fit_seconds']:7.1f} |"
        )
    print(f"\nIDEC: {model.n_iter_} clustering epochs, converged={model.converged_}")

    RESULTS.mkdir(exist_ok=True)
    report = {
        "data": "sklearn.datasets.load_digits, X/16",
        "seed": args.seed,
        "device": device,
        "machine": {"processor": platform.machine(), "torch_threads": torch.get_num_threads()},
        "versions": {
            "skdeepcluster": skdeepcluster.__version__,
            "torch": torch.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
        },
        "idec_params": {k: repr(v) for k, v in model.get_params().items()},
        "idec_clustering_epochs": model.n_iter_,
        "results": rows,
    }
    path = RESULTS / f"digits_{device.split(':')[0]}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()

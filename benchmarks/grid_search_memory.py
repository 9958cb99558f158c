"""What the estimators' ``memory`` saves in a grid search over clustering parameters.

Runs one ``GridSearchCV`` over ``gamma`` of the default ``IDEC`` (or ``WECMMD``) on
scikit-learn's bundled digits (X/16, no download) twice: without a cache, and with
``memory=<empty folder>``, where the autoencoder is pretrained once and read back for the other
candidates. Prints the two wall times, their ratio and whether every candidate scored the same,
and writes ``benchmarks/results/grid_search_memory_<device>.json``.

Run from the repository root::

    python benchmarks/grid_search_memory.py [--model IDEC] [--device auto]
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

import skdeepcluster
from skdeepcluster import IDEC, WECMMD
from skdeepcluster.metrics import clustering_accuracy_scorer, nmi_scorer

from _machine import cpu_name

RESULTS = Path(__file__).resolve().parent / "results"
MODELS = {"IDEC": (IDEC, [0.05, 0.1, 0.2, 0.5]), "WECMMD": (WECMMD, [0.05, 0.075, 0.1, 0.2])}


def search(model_class, gammas, X, y, device, seed, memory):
    """Fit the grid search; return its wall time and every candidate's mean ACC and NMI."""
    everything = np.arange(len(X))  # clustering is scored on the data it partitions
    grid = GridSearchCV(
        model_class(n_clusters=10, device=device, random_state=seed, memory=memory),
        {"gamma": gammas},
        scoring={"acc": clustering_accuracy_scorer, "nmi": nmi_scorer},
        refit=False,
        cv=[(everything, everything)],
    )
    start = time.perf_counter()
    grid.fit(X, y)
    seconds = time.perf_counter() - start
    return seconds, grid.cv_results_["mean_test_acc"].tolist(), grid.cv_results_[
        "mean_test_nmi"
    ].tolist()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="IDEC")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" \
        else args.device
    model_class, gammas = MODELS[args.model]
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)

    uncached = search(model_class, gammas, X, y, device, args.seed, memory=None)
    with tempfile.TemporaryDirectory() as folder:
        cached = search(model_class, gammas, X, y, device, args.seed, memory=folder)
    same = uncached[1:] == cached[1:]
    device_name = (torch.cuda.get_device_name(torch.device(device)) if device.startswith("cuda")
                   else f"CPU ({cpu_name()}, {torch.get_num_threads()} torch threads)")
    print(f"{args.model} on digits, gamma in {gammas}, one candidate per gamma, {device_name}")
    print(f"{'':<16}{'seconds':>9}  ACC per candidate")
    for name, (seconds, accs, _) in (("memory=None", uncached), ("memory=folder", cached)):
        print(f"{name:<16}{seconds:9.1f}  " + " ".join(f"{a:.3f}" for a in accs))
    print(f"ratio {uncached[0] / cached[0]:.2f}x; same scores for every candidate: {same}")

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"grid_search_memory_{args.model.lower()}_{device.split(':')[0]}.json"
    path.write_text(json.dumps({
        "script": "benchmarks/grid_search_memory.py",
        "model": args.model,
        "device": device,
        "device_name": device_name,
        "seed": args.seed,
        "gammas": gammas,
        "versions": {"skdeepcluster": skdeepcluster.__version__, "torch": torch.__version__},
        "uncached": {"seconds": uncached[0], "acc": uncached[1], "nmi": uncached[2]},
        "cached": {"seconds": cached[0], "acc": cached[1], "nmi": cached[2]},
        "speedup": uncached[0] / cached[0],
        "same_scores": same,
    }, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

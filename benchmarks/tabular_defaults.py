"""Every estimator with default settings on scikit-learn's bundled tabular datasets.

Data none of the methods were developed on, needing no download: iris (150 x 4), wine
(178 x 13) and breast cancer (569 x 30), each raw and standardized (``StandardScaler``), next
to KMeans on the same input. Only ``n_clusters`` (the number of classes) and ``random_state``
are set. A row records ACC, NMI, the number of non-empty clusters, the warnings fit raised and
any error, so that silent failures and reported ones are told apart.

Run from the repository root::

    python benchmarks/tabular_defaults.py [--seed 0] [--device auto] [--models IDEC VaDE ...]

Writes ``benchmarks/results/tabular_defaults_<device>.json`` and ``.md``.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.preprocessing import StandardScaler

import skdeepcluster
from skdeepcluster import AEKMeans, DEC, DGG, DVAE, IDEC, VaDE, WECGAN, WECMMD
from skdeepcluster.metrics import clustering_accuracy
from skdeepcluster.metrics import normalized_mutual_info_score as nmi

from _machine import cpu_name

RESULTS = Path(__file__).resolve().parent / "results"
DATASETS = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}
ESTIMATORS = {cls.__name__: cls for cls in (AEKMeans, DEC, IDEC, WECMMD, WECGAN, VaDE, DVAE, DGG)}


def run(name, make_model, X, y):
    """Fit one model; the result row, with the warnings raised and any error."""
    start = time.perf_counter()
    row = {"method": name}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            labels = make_model().fit_predict(X)
        except Exception as error:  # a benchmark records failures instead of stopping
            row["error"] = f"{type(error).__name__}: {error}"
        else:
            row.update(
                acc=clustering_accuracy(y, labels),
                nmi=nmi(y, labels),
                n_clusters_found=int(np.unique(labels).size),
            )
    row["warnings"] = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    row["fit_seconds"] = time.perf_counter() - start
    return row


def markdown(report, title="Default settings on bundled tabular data"):
    """The results as a markdown table, one row per dataset, scaling and method."""
    lines = [
        f"# {title} ({report['script']})",
        "",
        f"Device: {report['device']} ({report['processor']}, {report['torch_threads']} torch "
        f"threads), seed {report['seed']}. Only n_clusters and random_state are set.",
        "",
        "| data | input | method | ACC | NMI | clusters | fit s | reported |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["results"]:
        reported = row.get("error") or "; ".join(w.split(":")[0] for w in row["warnings"])
        score = (
            f"{row['acc']:.3f} | {row['nmi']:.3f} | {row['n_clusters_found']}"
            if "acc" in row else "- | - | -"
        )
        lines.append(
            f"| {row['data']} | {row['input']} | {row['method']} | {score} | "
            f"{row['fit_seconds']:.1f} | {reported or '-'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=list(DATASETS))
    parser.add_argument("--models", nargs="+", choices=sorted(ESTIMATORS), default=list(ESTIMATORS))
    parser.add_argument("--output", help="path without suffix of the .json and .md results")
    args = parser.parse_args()

    rows = []
    for data_name in args.datasets:
        X_raw, y = DATASETS[data_name](return_X_y=True)
        for input_name, X in (("raw", X_raw), ("standardized", StandardScaler().fit_transform(X_raw))):
            for name, make_model in candidates(np.unique(y).size, args):
                row = {"data": data_name, "input": input_name, **run(name, make_model, X, y)}
                rows.append(row)
                print_row(row)

    write_report(rows, args, "tabular_defaults")


def candidates(n_clusters, args):
    """``(name, factory)`` of KMeans and of every estimator in ``args.models``, defaults only."""
    models = [("KMeans", lambda: KMeans(n_clusters, n_init=10, random_state=args.seed))]
    models += [
        (name, lambda cls=ESTIMATORS[name]: cls(
            n_clusters=n_clusters, device=args.device, random_state=args.seed))
        for name in args.models
    ]
    return models


def print_row(row):
    """One progress line: data, input, method, ACC, time, error and warnings."""
    print(f"{row['data']:14s} {row['input']:12s} {row['method']:9s} "
          f"{row.get('acc', float('nan')):.3f} {row['fit_seconds']:7.1f}s "
          f"{row.get('error', '')}{' '.join(w[:60] for w in row['warnings'])}",
          flush=True)


def write_report(rows, args, name, title=None):
    """Write ``<name>_<device>.json`` and ``.md`` (or ``args.output``) and print the table."""
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    report = {
        "script": f"benchmarks/{name}.py",
        "seed": args.seed,
        "device": device,
        "processor": cpu_name(),
        "torch_threads": torch.get_num_threads(),
        "versions": {
            "skdeepcluster": skdeepcluster.__version__,
            "torch": torch.__version__,
            "sklearn": sklearn.__version__,
        },
        "results": rows,
    }
    table = markdown(report, **({"title": title} if title else {}))
    output = Path(args.output) if args.output else RESULTS / f"{name}_{device.split(':')[0]}"
    output.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{output}.json").write_text(json.dumps(report, indent=2) + "\n")
    Path(f"{output}.md").write_text(table)
    print(table)
    print(f"wrote {output}.json and .md")


if __name__ == "__main__":
    main()

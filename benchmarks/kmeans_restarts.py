"""Whether a poor initial clustering is a local optimum of its clusterer or the embedding itself.

DEC, IDEC and WEC start their clustering phase from KMeans (``n_init`` restarts) on the
pretrained embedding, VaDE from a diagonal Gaussian mixture fitted by EM (``init="gmm"``).
When one seed starts several points below another, two causes are possible: the clusterer
stopped in a poor local optimum that more restarts would leave, or the embedding's best
partition by the clusterer's own objective (lowest inertia, highest likelihood) is itself the
poor one. This script reads the pretrained autoencoders that ``--memory`` cached
(``reproduce_*.py --memory DIR``, or an estimator's ``memory=``), embeds the data set they
were trained on and, for each, with ``--clusterer kmeans`` (KMeans, as DEC, IDEC and WEC) or
``gmm`` (the estimators' own EM, as VaDE):

- fits with each ``--n-init`` several times (different random states) and reports the
  objective (``inertia``, or ``log_likelihood``: the mean log-likelihood per sample), ACC
  and NMI;
- fits ``--single-restarts`` single starts and reports their objective and ACC, best first,
  and the best ACC any restart reached;
- gives the confusion matrix (true class by cluster) of the best solution by the objective.

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
from sklearn.metrics import confusion_matrix

import skdeepcluster
from skdeepcluster._training._cluster_init import fit_latent_clusterer
from skdeepcluster._training._inference import apply_in_chunks, evaluating
from skdeepcluster.metrics import clustering_accuracy, normalized_mutual_info_score

from _reproduction import LOADERS, load
from _speed import device_name


def cached_encoders(memory):
    """``(cache entry, its fit settings, encoder)`` of every pretrained autoencoder cached.

    The cached function is ``skdeepcluster.methods._autoencoding.pretrained_snapshot``; its
    output is ``(net, history, rng_state)`` with the autoencoder at ``net.module_``, and the
    entry's ``metadata.json`` holds the fit settings it was called with (seed, batch size).
    """
    entries = sorted(Path(memory).rglob("pretrained_snapshot/*/output.pkl"))
    if not entries:
        raise SystemExit(f"no cached pretraining under {memory}")
    for entry in entries:
        net, _, _ = joblib.load(entry)
        metadata = entry.parent / "metadata.json"
        config = (json.loads(metadata.read_text())["input_args"].get("config")
                  if metadata.exists() else None)
        yield entry.parent.name, config, net.module_.encoder.cpu()


def kmeans_fit(Z, n_clusters, n_init, random_state):
    """Labels and inertia (lower is better) of the KMeans DEC, IDEC and WEC start from."""
    kmeans = fit_latent_clusterer(Z, n_clusters, method="kmeans", seed=random_state,
                                  n_init=n_init)
    return kmeans.labels_, float(kmeans.inertia_)


def mixture_fit(Z, n_clusters, n_init, random_state):
    """Labels and mean log-likelihood (higher is better) of the diagonal mixture VaDE starts from.

    The EM of ``init="gmm"`` (:func:`~skdeepcluster._training._cluster_init.fit_latent_clusterer`),
    seeded with ``random_state``; the log-likelihood is EM's converged lower bound.
    """
    mixture = fit_latent_clusterer(Z, n_clusters, method="gmm", seed=random_state,
                                   n_init=n_init)
    return mixture.predict(np.asarray(Z, dtype=np.float64)), float(mixture.lower_bound_)


# clusterer: (fit, its objective's name, the sign that makes a lower key the better fit)
CLUSTERERS = {"kmeans": (kmeans_fit, "inertia", 1), "gmm": (mixture_fit, "log_likelihood", -1)}


def restart_report(Z, y, *, clusterer, n_inits, repeats, single_restarts):
    """Everything the module docstring lists, for one embedding ``Z``."""
    fit, objective, sign = CLUSTERERS[clusterer]
    n_clusters = len(np.unique(y))

    def row(n_init, random_state):
        labels, value = fit(Z, n_clusters, n_init, random_state)
        return {
            "n_init": n_init,
            "random_state": random_state,
            objective: value,
            "acc": float(clustering_accuracy(y, labels)),
            "nmi": float(normalized_mutual_info_score(y, labels)),
        }, labels

    def better_first(found):
        return sign * found[objective]

    fits = [row(n_init, random_state) for n_init in n_inits for random_state in range(repeats)]
    best, best_labels = min(fits, key=lambda found: better_first(found[0]))
    singles = sorted((row(1, seed)[0] for seed in range(single_restarts)), key=better_first)
    return {
        "clusterer": clusterer,
        "objective": objective,
        "fits": [found for found, _ in fits],
        "single_restarts": [{k: r[k] for k in (objective, "acc")} for r in singles],
        "single_restart_best_acc": max(r["acc"] for r in singles) if singles else None,
        "best": best,
        "confusion_of_best": confusion_matrix(y, best_labels).tolist(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", required=True, metavar="DIR")
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="mnist")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--n-samples", type=int, default=None,
                        help="the same subsample the pretraining used (reproduce_*.py's option)")
    parser.add_argument("--clusterer", choices=sorted(CLUSTERERS), default="kmeans",
                        help="kmeans (DEC, IDEC, WEC) or gmm (VaDE's init='gmm')")
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
    for entry, config, encoder in cached_encoders(args.memory):
        with evaluating(encoder):
            Z = apply_in_chunks(encoder, torch.as_tensor(X), "cpu", to_numpy=True)
        found = restart_report(
            Z, y, clusterer=args.clusterer, n_inits=args.n_init, repeats=args.repeats,
            single_restarts=args.single_restarts,
        )
        report["pretrainings"][entry] = {"config": config, **found}
        best, objective = found["best"], found["objective"]
        print(f"{entry}: best {objective} {best[objective]:.6g} (n_init={best['n_init']}) "
              f"ACC {100 * best['acc']:.2f}; ACC over all fits "
              f"{100 * min(r['acc'] for r in found['fits']):.2f}-"
              f"{100 * max(r['acc'] for r in found['fits']):.2f}; best single restart "
              f"{100 * (found['single_restart_best_acc'] or float('nan')):.2f}")
    Path(f"{args.output}.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {args.output}.json")


if __name__ == "__main__":
    main()

"""How often DGG's affinity-graph neighbours share their centre's class, per graph option.

DGG (Yang et al. 2019) builds its kNN graph (Eq. 32) on the input or on the pretrained
embedding, with Euclidean distances or in the output of a Siamese network, and the paper draws
20 neighbours at random among the 100 nearest. This script builds each of those graphs for one
dataset and reports the fraction of neighbours in the centre's class (and the same fraction
weighted by the Gaussian edge weights), beside KMeans' ACC in each space. It separates what the
graph knows from what the mixture model makes of it.

The embedding is that of an autoencoder pretrained as DGG pretrains it (``AEKMeans`` with
DGG's widths, 50 end-to-end epochs, batch 100, Adam 2e-3, cross-entropy for data in [0, 1]).

Run from the repository root::

    python benchmarks/graph_purity.py --data-home ../shared/data --dataset usps [--seed 0]

Writes ``benchmarks/results/graph_purity_<dataset>_<device type>.json``.
"""

import argparse
import json
import time

import numpy as np
import torch
from sklearn.cluster import KMeans

import skdeepcluster
from skdeepcluster import AEKMeans
from skdeepcluster.base import TrainingConfig
from skdeepcluster.metrics import clustering_accuracy
from skdeepcluster.methods._dgg import SIAMESE_HIDDEN_DIMS, SIAMESE_POSITIVES
from skdeepcluster.neighbors import affinity_graph
from skdeepcluster.utils._torch import resolve_device
from skdeepcluster._training._siamese import siamese_embedding

from _reproduction import LOADERS, RESULTS, load
from _speed import device_name

# (neighbours, candidates): DGG's default, the count of the paper, the paper's random draw.
GRAPHS = ((10, None), (20, None), (20, 100))


def neighbour_purity(points, y, n_neighbors, n_candidates, seed):
    """Fraction of graph neighbours in the centre's class: plain and edge-weighted means."""
    graph = affinity_graph(
        points, n_neighbors, n_candidates=n_candidates,
        generator=torch.Generator(points.device).manual_seed(seed),
    )
    same = (y[graph.indices] == y[:, None]).to(graph.weights.dtype)
    return float(same.mean()), float((same * graph.weights).sum(1).mean())


def spaces(X, n_clusters, seed, device, siamese_epochs):
    """The points each graph option searches: input, embedding and their Siamese outputs."""
    in_unit_interval = bool(X.min() >= 0 and X.max() <= 1)
    autoencoder = AEKMeans(
        n_clusters, hidden_dims=(500, 500, 2000), latent_dim=10, pretrain_epochs=50,
        batch_size=100, lr=2e-3, reconstruction="bce" if in_unit_interval else "mse",
        device=str(device), random_state=seed,
    ).fit(X)
    found = {
        "input": torch.as_tensor(X, device=device),
        "embedding": torch.as_tensor(autoencoder.transform(X), device=device),
    }
    config = TrainingConfig(device=device, seed=seed, batch_size=100, lr=2e-3, verbose=0,
                            user_callbacks=())
    for name in list(found):
        found[f"siamese({name})"], _ = siamese_embedding(
            found[name], output_dim=10, hidden_dims=SIAMESE_HIDDEN_DIMS,
            n_positives=SIAMESE_POSITIVES, epochs=siamese_epochs, config=config,
        )
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(LOADERS), default="usps")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--siamese-epochs", type=int, default=50)
    args = parser.parse_args()

    device = resolve_device(args.device)
    X, y = load(args.dataset, args.data_home)
    n_clusters = np.unique(y).size
    start = time.perf_counter()
    points = spaces(X, n_clusters, args.seed, device, args.siamese_epochs)
    labels = torch.as_tensor(y, device=device)
    rows = []
    for space, P in points.items():
        kmeans = KMeans(n_clusters, n_init=10, random_state=args.seed).fit(P.cpu().numpy())
        for n_neighbors, n_candidates in GRAPHS:
            plain, weighted = neighbour_purity(P, labels, n_neighbors, n_candidates, args.seed)
            rows.append({"space": space, "n_neighbors": n_neighbors,
                         "n_candidates": n_candidates, "same_class": plain,
                         "same_class_weighted": weighted,
                         "kmeans_acc": clustering_accuracy(y, kmeans.labels_)})
            print(f"{space:20s} {n_neighbors:3d} of {n_candidates or n_neighbors:3d}: "
                  f"{plain:.4f} (weighted {weighted:.4f}); KMeans ACC "
                  f"{rows[-1]['kmeans_acc']:.4f}", flush=True)
    path = RESULTS / f"graph_purity_{args.dataset}_{device.type}.json"
    path.write_text(json.dumps({
        "script": "benchmarks/graph_purity.py",
        "dataset": args.dataset,
        "n_samples": X.shape[0],
        "seed": args.seed,
        "device": str(device),
        "device_name": device_name(device),
        "torch_threads": torch.get_num_threads(),
        "versions": {"skdeepcluster": skdeepcluster.__version__, "torch": torch.__version__},
        "seconds": time.perf_counter() - start,
        "rows": rows,
    }, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

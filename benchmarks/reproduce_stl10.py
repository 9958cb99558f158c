"""Deep clustering of STL-10 on ResNet-50 ImageNet features, the protocol of the mixture-VAE papers.

Protocol: the 13,000 labelled STL-10 images (train 5,000 + test 8,000, 96x96 RGB, 10 classes)
are mapped to the 2048 global-average-pool features of an ImageNet-trained ResNet-50
(:class:`skdeepcluster.features.ResNetFeatures`, images resized to 224x224 with antialiasing,
ImageNet normalisation), standardised, and clustered into 10 clusters by every method in
``METHODS`` with the estimators' defaults (the papers' ``2048-500-500-2000-10`` networks).
ACC and NMI are computed on all 13,000 images, for every seed. The features are extracted once
per run (and cached across runs with ``--cache``).

Nothing is downloaded unless asked: pass the STL-10 images (``--stl10``: the ``stl10_binary``
folder of the official archive, or an ``.npz`` with ``X`` of shape (n, 96, 96, 3) uint8 and
``y``) and the ResNet-50 weights (``--weights``: the path of a torchvision state-dict file such
as ``resnet50-0676ba61.pth`` (IMAGENET1K_V1, the weights of the papers' time), or a torchvision
weight name, which downloads it when online).

``--synthetic`` checks the script end to end without any file: 200 random 32x32 images with
random labels, a randomly initialised ResNet-18 at 32x32 and tiny networks trained for two
epochs. Its scores mean nothing.

Methods are listed in ``METHODS`` by estimator name; one that this version of skdeepcluster
lacks is skipped with a note. Writes ``<output>.json`` and a markdown table ``<output>.md``.

Example (the full protocol, on a GPU)::

    python benchmarks/reproduce_stl10.py --stl10 data/stl10_binary \\
        --weights ~/.cache/torch/hub/checkpoints/resnet50-0676ba61.pth --cache /tmp/stl10-cache
    python benchmarks/reproduce_stl10.py --synthetic --seeds 0 --output /tmp/stl10_synthetic
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdeepcluster
from skdeepcluster.features import ResNetFeatures

from _reproduction import RESULTS, summarize, timed_run, write_results

# (label, estimator name in skdeepcluster, parameter overrides of the defaults).
METHODS = [
    ("WEC-MMD", "WECMMD", {}),
    ("DVAE", "DVAE", {}),
    ("DGG", "DGG", {}),
]
# Overrides that make --synthetic fast, per estimator name (applied after METHODS').
SYNTHETIC = {
    "common": dict(hidden_dims=(32,), latent_dim=5, pretrain_epochs=2, max_epochs=2,
                   batch_size=64),
    "WECMMD": {},
    "DVAE": dict(warmup_epochs=1),
    "DGG": dict(n_neighbors=3),
}
STL10_SIDE = 96


def read_stl10_binary(folder):
    """Images (n, 96, 96, 3) uint8 and labels 0-9 of the labelled train and test splits."""
    images, labels = [], []
    for split in ("train", "test"):
        raw = np.fromfile(Path(folder) / f"{split}_X.bin", dtype=np.uint8)
        # Stored column-major per channel: (n, 3, width, height) in C order.
        images.append(raw.reshape(-1, 3, STL10_SIDE, STL10_SIDE).transpose(0, 3, 2, 1))
        labels.append(np.fromfile(Path(folder) / f"{split}_y.bin", dtype=np.uint8) - 1)
    return np.concatenate(images), np.concatenate(labels).astype(np.int64)


def load_images(args):
    """``(images, labels, dataset name)`` from ``--stl10`` or ``--synthetic``."""
    if args.synthetic:
        rng = np.random.RandomState(0)
        return (rng.randint(0, 256, (200, 32, 32, 3), dtype=np.uint8),
                rng.randint(0, 10, 200), "synthetic")
    path = Path(args.stl10)
    if path.suffix == ".npz":
        with np.load(path) as data:
            return data["X"], data["y"].astype(np.int64), "stl10"
    return (*read_stl10_binary(path), "stl10")


def extractor(args):
    if args.synthetic:
        return ResNetFeatures("resnet18", input_size=32, device=args.device, random_state=0)
    return ResNetFeatures("resnet50", weights=args.weights, input_size=args.input_size,
                          batch_size=args.batch_size, device=args.device,
                          precision=args.precision, memory=args.cache)


def available_methods(args):
    """``(label, class, params)`` of the requested methods this skdeepcluster provides."""
    chosen = []
    for label, name, params in METHODS:
        if args.methods and label not in args.methods:
            continue
        cls = getattr(skdeepcluster, name, None)
        if cls is None:
            print(f"skipping {label}: skdeepcluster {skdeepcluster.__version__} has no {name}")
            continue
        if args.synthetic:
            params = {**params, **SYNTHETIC["common"], **SYNTHETIC.get(name, {})}
        chosen.append((label, cls, params))
    return chosen


def cluster(features, y, dataset, methods, args):
    """Fit every method on the standardised features for every seed; rows and summaries."""
    n_clusters = int(np.unique(y).size)
    runs, summaries = [], []
    for label, cls, params in methods:
        model_runs = []
        for seed in args.seeds:
            clusterer = cls(n_clusters=n_clusters, device=args.device, random_state=seed,
                            **params)
            row = timed_run(label, dataset, seed, make_pipeline(StandardScaler(), clusterer),
                            clusterer, features, y)
            model_runs.append(row)
        runs += model_runs
        summaries.append({"model": label, "dataset": dataset, "n_samples": int(len(y)),
                          **summarize(model_runs)})
    return runs, summaries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stl10", help="the stl10_binary folder, or an .npz with X and y")
    source.add_argument("--synthetic", action="store_true",
                        help="random images and weights, tiny networks: a smoke test")
    parser.add_argument("--weights", help="ResNet-50 state-dict file, or a torchvision name")
    parser.add_argument("--methods", nargs="+", default=None,
                        help=f"labels to run (default: all of {[m[0] for m in METHODS]})")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--input-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=128, help="of feature extraction")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--cache", default=None, help="folder caching the features")
    parser.add_argument("--output", default=None,
                        help="path without suffix of the .json and .md results "
                             "(default: benchmarks/results/stl10)")
    args = parser.parse_args()
    if args.stl10 and not args.weights:
        parser.error("--stl10 needs --weights (the ResNet-50 ImageNet weights)")

    images, y, dataset = load_images(args)
    features_start = time.perf_counter()
    features = extractor(args).fit_transform(images)
    print(f"features {features.shape} of {len(images)} images in "
          f"{time.perf_counter() - features_start:.1f} s", flush=True)
    runs, summaries = cluster(features, y, dataset, available_methods(args), args)
    protocol = ("synthetic smoke test: random images, random ResNet-18 at 32x32, tiny networks"
                if args.synthetic else
                f"ResNet-50 ({args.weights}) features at {args.input_size}x{args.input_size}, "
                f"{args.precision}, standardised; estimator defaults")
    write_results(
        runs, summaries, protocol=protocol, paper={},
        output=args.output or RESULTS / "stl10",
        title="STL-10 on ResNet-50 features (benchmarks/reproduce_stl10.py)",
        footnote="ACC and NMI on all labelled images; no paper numbers are quoted here.",
    )


if __name__ == "__main__":
    main()

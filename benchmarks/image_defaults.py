"""Every estimator with default settings on small image data sets it was not tuned on.

ORL faces (400 x 32 x 32, 40 people, 10 images each) and COIL-20 objects (1,440 x 32 x 32,
20 objects) from a local data home, and scikit-learn's bundled digits (1,797 x 8 x 8), each as
pixels scaled to [0, 1] (``ImageFlattener``), next to KMeans on the same pixels. Only
``n_clusters`` (the number of classes) and ``random_state`` are set. Rows record ACC, NMI,
the number of non-empty clusters, the warnings fit raised and any error, as in
``tabular_defaults.py``.

Run from the repository root::

    python benchmarks/image_defaults.py --data-home ../shared/data [--datasets orl coil20]

Writes ``benchmarks/results/image_defaults_<device>.json`` and ``.md``.
"""

import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

from skdeepcluster.datasets import load_coil20, load_orl
from skdeepcluster.features import ImageFlattener

from tabular_defaults import ESTIMATORS, candidates, print_row, run, write_report

DATASETS = {  # images, labels; grey levels as stored (0-16 for digits, 0-255 otherwise)
    "digits": lambda data_home: (load_digits().images / 16, load_digits().target),
    "orl": lambda data_home: load_orl(data_home=data_home, return_X_y=True),
    "coil20": lambda data_home: load_coil20(data_home=data_home, return_X_y=True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=os.environ.get("SKDEEPCLUSTER_DATA"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS),
                        default=["orl", "coil20"])
    parser.add_argument("--models", nargs="+", choices=sorted(ESTIMATORS), default=list(ESTIMATORS))
    parser.add_argument("--output", help="path without suffix of the .json and .md results")
    args = parser.parse_args()

    rows = []
    for data_name in args.datasets:
        images, y = DATASETS[data_name](args.data_home)
        X = ImageFlattener().fit_transform(images)  # 0-255 grey levels divided by 255
        for name, make_model in candidates(np.unique(y).size, args):
            row = {"data": data_name, "input": "pixels [0, 1]", **run(name, make_model, X, y)}
            rows.append(row)
            print_row(row)
    write_report(rows, args, "image_defaults", title="Default settings on small image data")


if __name__ == "__main__":
    main()

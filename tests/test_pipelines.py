"""CNN features in a Pipeline and a grid search: the network runs once for the whole search."""

import uuid
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdeepcluster import AEKMeans
from skdeepcluster.features import ResNetFeatures
from skdeepcluster.metrics import clustering_accuracy_scorer, nmi_scorer


class CountingResNetFeatures(ResNetFeatures):
    """ResNetFeatures that leaves a file in ``log_dir`` each time its network runs.

    Files, unlike a counter in memory, also record runs in the grid search's worker processes.
    """

    def __init__(self, arch="resnet18", weights=None, *, log_dir=None, input_size=32,
                 channels="auto", batch_size=64, device="cpu", precision="float32",
                 memory=None, random_state=0):
        super().__init__(arch, weights, input_size=input_size, channels=channels,
                         batch_size=batch_size, device=device, precision=precision,
                         memory=memory, random_state=random_state)
        self.log_dir = log_dir

    def _extract(self, images, layout):
        (Path(self.log_dir) / uuid.uuid4().hex).touch()
        return super()._extract(images, layout)


def network_runs(log_dir):
    return len(list(log_dir.iterdir()))


def test_grid_search_over_the_clusterer_extracts_features_once(tmp_path):
    digits = load_digits()
    images, y = digits.images[:300] / 16.0, digits.target[:300]  # 8x8 floats in [0, 1]
    log_dir, cache = tmp_path / "runs", str(tmp_path / "cache")
    log_dir.mkdir()
    # joblib remembers, per process, which functions it has validated, and then does not write
    # their code file into a cache folder it meets later, so the search's worker processes would
    # see every entry of this folder as stale if an earlier test had used another folder.
    # Clearing the (empty) cache resets that memory.
    joblib.Memory(cache, verbose=0).clear(warn=False)
    pipeline = Pipeline(
        [
            ("features", CountingResNetFeatures(log_dir=str(log_dir), memory=cache)),
            ("scale", StandardScaler()),
            ("cluster", AEKMeans(n_clusters=10, hidden_dims=(32,), latent_dim=5,
                                 pretrain_epochs=3, batch_size=64, device="cpu",
                                 random_state=0)),
        ],
        memory=cache,
    )
    pipeline.fit(images)
    assert network_runs(log_dir) == 1

    # Clustering is fit and scored on the same images, as in the papers' protocol.
    everything = np.arange(len(images))
    search = GridSearchCV(
        pipeline,
        {"cluster__latent_dim": [5, 10], "cluster__pretrain_epochs": [3, 6]},
        scoring={"acc": clustering_accuracy_scorer, "nmi": nmi_scorer},
        refit="acc",
        cv=[(everything, everything)],
        n_jobs=2,
    ).fit(images, y)

    # Four candidates were fitted, predicted and scored in two worker processes, and the best
    # one refitted, all from the features of the first run: the extractor's own cache serves
    # the predictions and the fits (the pipeline's cache keys on y too, so it missed them).
    assert network_runs(log_dir) == 1
    for metric in ("acc", "nmi"):
        scores = search.cv_results_[f"mean_test_{metric}"]
        assert scores.shape == (4,)
        assert np.all((scores > 0.1) & (scores <= 1.0))
    assert search.best_params_ in search.cv_results_["params"]
    assert search.best_estimator_.predict(images).shape == (300,)
    assert network_runs(log_dir) == 1

"""clustering_accuracy and the scorers: known answers and the invariances of a metric."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV

from skdeepcluster.metrics import (
    adjusted_rand_score,
    ari_scorer,
    clustering_accuracy,
    clustering_accuracy_scorer,
    nmi_scorer,
    normalized_mutual_info_score,
)


def brute_force_accuracy(labels_true, labels_pred):
    """Best accuracy over every injective map of clusters to classes (small inputs only)."""
    import itertools

    classes, clusters = np.unique(labels_true), np.unique(labels_pred)
    best = 0
    slots = list(classes) + [None] * max(0, len(clusters) - len(classes))
    for image in itertools.permutations(slots, len(clusters)):
        mapping = dict(zip(clusters, image))
        best = max(best, np.mean([mapping[c] == t for t, c in zip(labels_true, labels_pred)]))
    return best


def test_perfect_match_under_relabelling():
    assert clustering_accuracy([0, 0, 1, 1, 2], [2, 2, 0, 0, 1]) == 1.0


def test_known_value():
    assert clustering_accuracy([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(5 / 6)


@pytest.mark.parametrize("seed", range(8))
def test_matches_brute_force_with_unequal_cluster_counts(seed):
    rng = np.random.RandomState(seed)
    labels_true = rng.randint(0, rng.randint(2, 5), size=12)
    labels_pred = rng.randint(0, rng.randint(1, 6), size=12)
    assert clustering_accuracy(labels_true, labels_pred) == pytest.approx(
        brute_force_accuracy(labels_true, labels_pred)
    )


def test_any_hashable_labels_and_non_contiguous_ints():
    labels_true = np.array(["cat", "cat", "dog", "dog", "eel"])
    labels_pred = np.array([10, 10, -3, -3, 7])
    assert clustering_accuracy(labels_true, labels_pred) == 1.0


def test_more_clusters_than_classes_counts_unmatched_as_errors():
    assert clustering_accuracy([0, 0, 1, 1], [0, 1, 2, 3]) == 0.5


def test_fewer_clusters_than_classes():
    assert clustering_accuracy([0, 1, 2, 3], [0, 0, 0, 0]) == 0.25


def test_permutation_invariance():
    rng = np.random.RandomState(0)
    labels_true, labels_pred = rng.randint(0, 4, 50), rng.randint(0, 4, 50)
    order = rng.permutation(50)
    assert clustering_accuracy(labels_true, labels_pred) == clustering_accuracy(
        labels_true[order], labels_pred[order]
    )


def test_length_mismatch_raises():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clustering_accuracy([0, 1, 1], [0, 1])


def test_empty_input_raises():
    with pytest.raises(ValueError, match="at least one sample"):
        clustering_accuracy([], [])


def test_reexports_are_sklearn_metrics():
    assert normalized_mutual_info_score([0, 0, 1], [1, 1, 0]) == pytest.approx(1.0)
    assert adjusted_rand_score([0, 0, 1], [1, 1, 0]) == pytest.approx(1.0)


def test_scorers_in_grid_search():
    X, y = make_blobs(n_samples=60, centers=3, random_state=0)
    search = GridSearchCV(
        KMeans(n_init=2, random_state=0),
        {"n_clusters": [2, 3]},
        scoring={"acc": clustering_accuracy_scorer, "nmi": nmi_scorer, "ari": ari_scorer},
        refit="acc",
        cv=2,
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.cv_results_["mean_test_acc"][1] > search.cv_results_["mean_test_acc"][0]

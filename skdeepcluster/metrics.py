"""Clustering quality: accuracy under the best label matching, NMI, ARI and their scorers.

Clustering labels are arbitrary names, so accuracy is measured after matching predicted clusters to
classes one-to-one so that the matched pairs cover as many samples as possible (the Hungarian
algorithm on the contingency matrix). This is the ``ACC`` of every deep clustering paper:

.. math::

    \\mathrm{ACC} = \\max_{m} \\frac{1}{n} \\sum_{i=1}^{n} \\mathbf{1}\\{y_i = m(c_i)\\}

where :math:`m` ranges over one-to-one maps from clusters to classes.
"""

from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, make_scorer, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = [
    "adjusted_rand_score",
    "ari_scorer",
    "clustering_accuracy",
    "clustering_accuracy_scorer",
    "nmi_scorer",
    "normalized_mutual_info_score",
]


def _check_label_pair(labels_true, labels_pred):
    labels_true = column_or_1d(labels_true, warn=False)
    labels_pred = column_or_1d(labels_pred, warn=False)
    check_consistent_length(labels_true, labels_pred)
    if labels_true.shape[0] == 0:
        raise ValueError("clustering_accuracy needs at least one sample; got empty label arrays.")
    return labels_true, labels_pred


def clustering_accuracy(labels_true, labels_pred):
    """Accuracy of a clustering under the best one-to-one matching of clusters to classes.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes. Any hashable labels (ints, strings, ...).
    labels_pred : array-like of shape (n_samples,)
        Cluster labels. May use more or fewer distinct values than ``labels_true``; unmatched
        clusters count as errors.

    Returns
    -------
    float
        Fraction of samples whose cluster is matched to their class, in ``[0, 1]``.

    Raises
    ------
    ValueError
        If the arrays differ in length or are empty.

    Examples
    --------
    >>> from skdeepcluster.metrics import clustering_accuracy
    >>> clustering_accuracy(["a", "a", "b", "b"], [1, 1, 0, 0])
    1.0
    >>> clustering_accuracy([0, 0, 1, 1], [0, 0, 0, 1])
    0.75
    """
    labels_true, labels_pred = _check_label_pair(labels_true, labels_pred)
    contingency = contingency_matrix(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(contingency, maximize=True)
    return float(contingency[rows, cols].sum() / labels_true.shape[0])


clustering_accuracy_scorer = make_scorer(clustering_accuracy)
"""Scorer for ``GridSearchCV(scoring=...)``: calls ``predict`` and scores it with ACC."""

nmi_scorer = make_scorer(normalized_mutual_info_score)
"""Scorer for normalised mutual information between ``predict`` output and the classes."""

ari_scorer = make_scorer(adjusted_rand_score)
"""Scorer for the adjusted Rand index between ``predict`` output and the classes."""

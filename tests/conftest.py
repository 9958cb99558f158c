"""Shared fixtures."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs


@pytest.fixture
def blobs():
    """Three well-separated blobs in 5-D, scaled to unit-ish range."""
    X, y = make_blobs(n_samples=90, centers=3, n_features=5, cluster_std=0.5, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    return X.astype(np.float64), y

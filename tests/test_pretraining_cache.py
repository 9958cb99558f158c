"""The ``memory`` parameter: a joblib cache of the pretrained autoencoder (tiny networks, CPU)."""

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from skdeepcluster import IDEC, WECGAN, WECMMD
from skdeepcluster.methods import _autoencoding
from skdeepcluster.metrics import clustering_accuracy_scorer
from skdeepcluster.utils._sklearn_compat import InvalidParameterError

from ._configs import ESTIMATOR_CLASSES, make_tiny


@pytest.fixture
def pretrainings(monkeypatch):
    """Counts the autoencoder pretrainings actually run (cache misses)."""
    calls = []
    original = _autoencoding.pretrain_autoencoder

    def counting(*args, **kwargs):
        calls.append(kwargs["epochs"])
        return original(*args, **kwargs)

    monkeypatch.setattr(_autoencoding, "pretrain_autoencoder", counting)
    return calls


def assert_same_fit(a, b, X):
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    for phase in a.history_:
        assert [r["train_loss"] for r in a.history_[phase]] == pytest.approx(
            [r["train_loss"] for r in b.history_[phase]]
        )


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_a_cache_hit_gives_the_fit_without_cache(cls, blobs, tmp_path, pretrainings):
    X, _ = blobs
    reference = make_tiny(cls).fit(X)
    assert len(pretrainings) == 1
    first = make_tiny(cls, memory=str(tmp_path)).fit(X)
    second = make_tiny(cls, memory=joblib.Memory(str(tmp_path), verbose=0)).fit(X)
    assert len(pretrainings) == 2, "the second cached fit must not pretrain again"
    assert_same_fit(first, reference, X)
    assert_same_fit(second, reference, X)


def test_a_folder_given_as_str_or_path_is_one_cache(blobs, tmp_path, pretrainings):
    X, _ = blobs
    make_tiny(IDEC, memory=str(tmp_path)).fit(X)
    make_tiny(IDEC, memory=tmp_path).fit(X)
    assert len(pretrainings) == 1


def test_estimators_sharing_an_architecture_share_the_pretraining(blobs, tmp_path, pretrainings):
    X, _ = blobs
    WECMMD(**_wec_params(tmp_path)).fit(X)
    gan = WECGAN(**_wec_params(tmp_path)).fit(X)
    assert len(pretrainings) == 1
    assert_same_fit(gan, WECGAN(**_wec_params(None)).fit(X), X)


def _wec_params(memory):
    return dict(n_clusters=3, hidden_dims=(16,), latent_dim=2, pretrain_epochs=2, max_epochs=2,
                batch_size=32, device="cpu", random_state=0, memory=memory)


@pytest.mark.parametrize(
    "change",
    [
        dict(random_state=1),
        dict(pretrain_epochs=3),
        dict(hidden_dims=(12,)),
        dict(latent_dim=3),
        dict(batch_size=16),
        dict(lr=2e-3),
        dict(pretrain_lr=1e-2),
        dict(pretrain_optimizer="sgd"),
        dict(weight_init="fan_in_uniform"),
        dict(reconstruction="bce"),
        dict(pretrain="end_to_end"),
    ],
    ids=lambda change: next(iter(change)),
)
def test_what_pretraining_depends_on_misses_the_cache(change, blobs, tmp_path, pretrainings):
    X, _ = blobs
    X = (X - X.min()) / (X.max() - X.min())  # in [0, 1] for reconstruction="bce"
    make_tiny(IDEC, memory=tmp_path).fit(X)
    make_tiny(IDEC, memory=tmp_path, **change).fit(X)
    assert len(pretrainings) == 2


def test_the_clustering_learning_rate_hits_the_cache_when_pretrain_lr_is_set(
    blobs, tmp_path, pretrainings
):
    X, _ = blobs
    make_tiny(IDEC, memory=tmp_path, pretrain_lr=1e-2, lr=1e-3).fit(X)
    make_tiny(IDEC, memory=tmp_path, pretrain_lr=1e-2, lr=1e-4).fit(X)
    assert len(pretrainings) == 1
    # lr=1e-2 without pretrain_lr pretrains with 1e-2: the same pretraining.
    make_tiny(IDEC, memory=tmp_path, lr=1e-2).fit(X)
    assert len(pretrainings) == 1


def test_other_data_misses_the_cache(blobs, tmp_path, pretrainings):
    X, _ = blobs
    make_tiny(IDEC, memory=tmp_path).fit(X)
    make_tiny(IDEC, memory=tmp_path).fit(X[::-1])
    X_changed = X.copy()
    X_changed[0, 0] += 1e-3
    make_tiny(IDEC, memory=tmp_path).fit(X_changed)
    assert len(pretrainings) == 3


def test_clustering_parameters_and_verbosity_hit_the_cache(blobs, tmp_path, pretrainings, capsys):
    X, _ = blobs
    make_tiny(IDEC, memory=tmp_path, verbose=2).fit(X)
    tables_of_a_miss = capsys.readouterr().out.count("  epoch")
    make_tiny(IDEC, memory=tmp_path, gamma=0.5, max_epochs=3, verbose=2).fit(X)
    assert len(pretrainings) == 1
    assert tables_of_a_miss == 4  # two layer pairs, end to end, clustering
    assert capsys.readouterr().out.count("  epoch") == 1  # only the clustering phase's


class _Marker(Callback):
    def __init__(self, tag=0):
        self.tag = tag


def test_callbacks_are_part_of_the_key(blobs, tmp_path, pretrainings):
    X, _ = blobs
    make_tiny(IDEC, memory=tmp_path, callbacks=[_Marker(0)]).fit(X)
    make_tiny(IDEC, memory=tmp_path, callbacks=[_Marker(0)]).fit(X)
    make_tiny(IDEC, memory=tmp_path, callbacks=[_Marker(1)]).fit(X)
    assert len(pretrainings) == 2


def test_a_grid_search_over_clustering_parameters_pretrains_once_per_fold(
    blobs, tmp_path, pretrainings
):
    X, y = blobs
    search = GridSearchCV(
        make_tiny(IDEC, memory=tmp_path),
        {"gamma": [0.05, 0.1, 0.2]},
        scoring=clustering_accuracy_scorer,
        cv=2,
    ).fit(X, y)
    assert len(pretrainings) == 2 + 1  # one per fold, and the refit on all of X
    assert search.best_estimator_.memory == tmp_path


def test_the_cache_leaves_the_callers_random_state_alone(blobs, tmp_path):
    X, _ = blobs
    make_tiny(IDEC, memory=tmp_path).fit(X)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    make_tiny(IDEC, memory=tmp_path).fit(X)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize("memory", [3, object(), b"folder"])
def test_a_memory_that_is_no_cache_is_refused_at_fit(memory, blobs):
    X, _ = blobs
    with pytest.raises(InvalidParameterError, match="memory"):
        make_tiny(IDEC, memory=memory).fit(X)


class _Unpicklable(Callback):
    def __init__(self):
        self.function = lambda: None


def test_callbacks_that_do_not_pickle_get_a_clear_error_with_memory(blobs, tmp_path):
    X, _ = blobs
    with pytest.raises(TypeError, match="callbacks are part of the pretraining's cache key"):
        make_tiny(IDEC, memory=tmp_path, callbacks=[_Unpicklable()]).fit(X)
    make_tiny(IDEC, callbacks=[_Unpicklable()]).fit(X)  # without memory they need not pickle


def test_a_memory_folder_that_is_a_file_is_refused_at_fit(blobs, tmp_path):
    X, _ = blobs
    a_file = tmp_path / "cache"
    a_file.write_text("")
    with pytest.raises(ValueError, match="is a file"):
        make_tiny(IDEC, memory=a_file).fit(X)

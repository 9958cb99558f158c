"""Behaviour of the estimators beyond the scikit-learn checks (tiny networks, CPU)."""

import inspect

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from skorch.callbacks import Callback, EarlyStopping, LRScheduler

from skdeepcluster import DEC, DGG, DVAE, IDEC, WECMMD, AEKMeans, VaDE, base
from skdeepcluster._training._phases import MIN_PRETRAIN_STEPS
from skdeepcluster.metrics import clustering_accuracy, clustering_accuracy_scorer, nmi_scorer
from skdeepcluster.nn import ClusteringAutoencoder, MLPStack

from ._configs import ESTIMATOR_CLASSES, make_tiny

ESTIMATORS = ESTIMATOR_CLASSES


def make(cls, **params):
    return make_tiny(cls, **{"max_epochs": 3, **params})


# The parameter names that mean the same thing in every estimator (issue 2's contract).
COMMON_PARAMETERS = {
    "n_clusters", "latent_dim", "hidden_dims", "pretrain_epochs", "max_epochs", "batch_size",
    "lr", "pretrain_optimizer", "pretrain_lr", "weight_init", "memory", "callbacks", "device",
    "random_state", "verbose",
}


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_common_parameter_names_and_keyword_only_signature(cls):
    # AEKMeans has no training after the autoencoder, so a max_epochs would do nothing.
    expected = COMMON_PARAMETERS - ({"max_epochs"} if cls is AEKMeans else set())
    assert expected <= set(cls().get_params())
    parameters = list(inspect.signature(cls).parameters.values())
    assert parameters[0].name == "n_clusters"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[1:])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fitted_attributes_and_shapes(cls, blobs):
    X, _ = blobs
    model = make(cls).fit(X)
    assert model.labels_.shape == (90,) and model.labels_.dtype == np.int64
    assert model.cluster_centers_.shape == (3, 2)
    assert model.transform(X).shape == (90, 2) and model.transform(X).dtype == np.float32
    proba = model.predict_proba(X)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(X), proba.argmax(axis=1))
    assert model.n_features_in_ == 5
    assert model.n_iter_ >= 1
    assert "pretrain" in model.history_


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_embedding_feature_names_and_pandas_output(cls, blobs):
    pd = pytest.importorskip("pandas")
    X, _ = blobs
    model = make(cls, latent_dim=3)
    with pytest.raises(NotFittedError):
        model.get_feature_names_out()
    frame = pd.DataFrame(X, index=np.arange(100, 190))
    Z = model.set_output(transform="pandas").fit(X).transform(frame)
    prefix = cls.__name__.lower()
    names = [f"{prefix}0", f"{prefix}1", f"{prefix}2"]
    np.testing.assert_array_equal(model.get_feature_names_out(), names)
    assert list(Z.columns) == names
    np.testing.assert_array_equal(Z.index, frame.index)
    np.testing.assert_array_equal(Z.to_numpy(), model.set_output(transform="default").transform(X))


def test_feature_names_pass_through_a_pipeline(blobs):
    X, _ = blobs
    pipeline = make_pipeline(MinMaxScaler(), make(IDEC, latent_dim=2)).fit(X)
    np.testing.assert_array_equal(pipeline.get_feature_names_out(), ["idec0", "idec1"])


@pytest.mark.parametrize(
    "n_samples, batch_size, expected",
    [(70_000, 256, 50), (1797, 128, 50), (400, 256, 375), (400, 100, 188), (40, 1000, 750)],
)
def test_auto_pretraining_takes_at_least_the_minimum_number_of_steps(
    n_samples, batch_size, expected
):
    assert MIN_PRETRAIN_STEPS == 750
    model = IDEC(batch_size=batch_size)
    assert model.pretrain_epochs == "auto"
    assert model._pretrain_epoch_count(n_samples) == expected
    assert model.set_params(pretrain_epochs=3)._pretrain_epoch_count(n_samples) == 3


@pytest.mark.parametrize("cls", [AEKMeans, IDEC])
def test_auto_pretraining_epochs_reach_every_pretraining_phase(cls, blobs, monkeypatch):
    X, _ = blobs  # 90 samples, batches of 32: 3 steps per epoch
    monkeypatch.setattr(cls, "_auto_pretrain_epochs", 2)
    monkeypatch.setattr(base, "MIN_PRETRAIN_STEPS", 12)
    model = make(cls, pretrain_epochs="auto", pretrain="layerwise").fit(X)
    pretraining = [name for name in model.history_ if name.startswith("pretrain")]
    assert pretraining == ["pretrain_layer1", "pretrain_layer2", "pretrain"]
    assert [len(model.history_[name]) for name in pretraining] == [4, 4, 4]


class OptimizerRecorder(Callback):
    """Records each phase's optimiser at the start of its training (copies are itself)."""

    def __init__(self):
        self.seen = []

    def __deepcopy__(self, memo):
        return self

    def on_train_begin(self, net, **kwargs):
        group = net.optimizer_.param_groups[0]
        self.seen.append((type(net.optimizer_).__name__, group["lr"], group.get("momentum")))


@pytest.mark.parametrize("cls", [AEKMeans, IDEC, WECMMD, VaDE])
def test_pretraining_optimizer_and_lr_apply_to_pretraining_only(cls, blobs):
    X, _ = blobs
    recorder = OptimizerRecorder()
    model = make(cls, pretrain_optimizer="sgd", pretrain_lr=0.5, callbacks=[recorder]).fit(X)
    phases = list(model.history_)
    n_pretraining = sum(phase.startswith("pretrain") for phase in phases)
    assert len(recorder.seen) == len(phases)
    assert (len(phases) > n_pretraining) == (cls is not AEKMeans)  # AEKMeans only pretrains
    assert recorder.seen[:n_pretraining] == [("SGD", 0.5, 0.9)] * n_pretraining
    assert all(name == "Adam" for name, _, _ in recorder.seen[n_pretraining:])


def test_pretraining_uses_lr_by_default_and_layerwise_pairs_follow_the_optimizer(blobs):
    X, _ = blobs
    recorder = OptimizerRecorder()
    make(DEC, lr=3e-3, callbacks=[recorder]).fit(X)
    assert recorder.seen[0] == ("Adam", 3e-3, None)
    recorder.seen.clear()
    make(DEC, pretrain_optimizer="sgd", pretrain_lr=0.1, callbacks=[recorder]).fit(X)
    assert recorder.seen[:3] == [("SGD", 0.1, 0.9)] * 3  # two layer pairs, then end to end
    assert recorder.seen[3][0] == "Adam"


@pytest.mark.parametrize("weight_init, bound", [("glorot_uniform", (6 / 150) ** 0.5),
                                               ("fan_in_uniform", (1 / 100) ** 0.5)])
def test_weight_init_bounds(weight_init, bound):
    stack = MLPStack((100, 50), init=weight_init)
    weight, bias = stack.linears[0].weight.detach(), stack.linears[0].bias.detach()
    assert 0.95 * bound < weight.abs().max() <= bound
    assert not bias.any()


def test_weight_init_reaches_the_estimators_autoencoder(blobs):
    X, _ = blobs
    glorot = make(IDEC, pretrain_epochs=0, max_epochs=0, hidden_dims=(400,)).fit(X)
    fan_in = clone(glorot).set_params(weight_init="fan_in_uniform").fit(X)
    first = [m.net_.module_.autoencoder.encoder.linears[1].weight.abs().max().item()
             for m in (glorot, fan_in)]  # 400 -> 10: bounds 0.1212 and 0.05
    assert first[0] > 0.1 and first[1] <= 0.05


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_fit_predict_equals_fit_then_predict(cls, blobs):
    X, _ = blobs
    model = make(cls)
    np.testing.assert_array_equal(model.fit_predict(X), model.predict(X))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_separates_well_separated_blobs(cls, blobs):
    X, y = blobs
    labels = make(cls, pretrain_epochs=30, hidden_dims=(32,)).fit_predict(X)
    assert clustering_accuracy(y, labels) > 0.9


def test_history_records_each_phase_and_loss_term(blobs):
    X, _ = blobs
    model = make(IDEC, pretrain_epochs=4, max_epochs=3, tol=0.0, pretrain="end_to_end").fit(X)
    assert list(model.history_) == ["pretrain", "cluster"]
    assert len(model.history_["pretrain"]) == 4
    assert len(model.history_["cluster"]) == 3 == model.n_iter_
    last = model.history_["cluster"][-1]
    assert {"train_loss", "train_reconstruction", "train_clustering"} <= set(last)
    expected = last["train_reconstruction"] + 0.1 * last["train_clustering"]
    assert last["train_loss"] == pytest.approx(expected, rel=1e-4)
    batch_rows = last["batches"]
    assert len(batch_rows) == last["train_batch_count"] == 3
    assert sum(row["train_batch_size"] for row in batch_rows) == 90


def test_dec_has_no_reconstruction_term_and_stops_at_tol(blobs):
    X, _ = blobs
    model = make(DEC, pretrain_epochs=20, max_epochs=50, tol=0.5, pretrain="end_to_end").fit(X)
    assert "train_reconstruction" not in model.history_["cluster"][-1]
    assert model.converged_
    assert model.n_iter_ < 50
    # The refresh that stops training runs before the epoch's first batch: that epoch never
    # happened, so every recorded epoch has its losses.
    assert model.n_iter_ == len(model.history_["cluster"])
    assert all("train_loss" in row for row in model.history_["cluster"])


def test_stop_in_the_middle_of_an_epoch_keeps_the_finished_batches(blobs):
    X, _ = blobs
    # 3 batches per epoch and a refresh every 2 batches: tol stops training mid-epoch.
    model = make(IDEC, pretrain_epochs=20, max_epochs=50, update_interval=2, tol=0.5).fit(X)
    assert model.converged_
    last = model.history_["cluster"][-1]
    assert len(last["batches"]) == last["train_batch_count"] >= 1
    assert all("train_loss" in row for row in last["batches"])


def test_dec_layerwise_pretraining_phases(blobs):
    X, _ = blobs
    model = make(DEC, hidden_dims=(8, 4), pretrain="layerwise").fit(X)
    assert list(model.history_) == [
        "pretrain_layer1", "pretrain_layer2", "pretrain_layer3", "pretrain", "cluster"
    ]


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_mixture_vaes_pretrain_layerwise_on_request(cls, blobs):
    X, _ = blobs
    end_to_end = make(cls, hidden_dims=(8, 4)).fit(X)
    assert [name for name in end_to_end.history_ if name.startswith("pretrain")] == ["pretrain"]
    layerwise = make(cls, hidden_dims=(8, 4), pretrain="layerwise").fit(X)
    assert [name for name in layerwise.history_ if name.startswith("pretrain")] == [
        "pretrain_layer1", "pretrain_layer2", "pretrain_layer3", "pretrain"
    ]
    assert layerwise.labels_.shape == (90,)


def test_update_interval_counts_mini_batches(blobs):
    X, _ = blobs
    # 90 samples / batch 32 = 3 batches per epoch; refresh every 2 batches over 4 epochs.
    model = make(IDEC, max_epochs=4, update_interval=2, tol=0.0).fit(X)
    refresh = dict(model.net_.callbacks_)["target_refresh"]
    assert len(refresh.label_change_) == 12 // 2 - 1


def test_target_refresh_runs_encoder_and_clustering_layer_only(blobs, monkeypatch):
    X, _ = blobs
    calls = {"forward": 0, "soft_assignment": 0}
    for name in calls:
        original = getattr(ClusteringAutoencoder, name)

        def counted(self, x, _name=name, _original=original):
            calls[_name] += 1
            return _original(self, x)

        monkeypatch.setattr(ClusteringAutoencoder, name, counted)
    make(IDEC, max_epochs=4, update_interval=2, tol=0.0).fit(X)
    # The full forward pass (with the decoder) runs once per training batch: 4 epochs x 3.
    assert calls["forward"] == 12
    # Each of the 6 refreshes embeds the 90 samples in one chunk without decoding.
    assert calls["soft_assignment"] == 6


def test_aekmeans_gmm_posterior(blobs):
    X, y = blobs
    model = make(AEKMeans, clusterer="gmm", pretrain_epochs=30, hidden_dims=(32,)).fit(X)
    np.testing.assert_allclose(model.predict_proba(X), model.clusterer_.predict_proba(
        model.transform(X)))
    assert clustering_accuracy(y, model.labels_) > 0.9


def test_bce_reconstruction_on_unit_interval_data(blobs):
    X, _ = blobs
    X = MinMaxScaler().fit_transform(X)
    model = make(IDEC, reconstruction="bce").fit(X)
    assert np.isfinite(model.history_["cluster"][-1]["train_loss"])


def test_user_callbacks_reach_every_phase_and_are_not_modified(blobs):
    X, _ = blobs
    stopper = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)
    state_before = dict(vars(stopper))
    model = make(IDEC, pretrain_epochs=20, max_epochs=20, tol=0.0, callbacks=[stopper])
    model.fit(X)
    assert len(model.history_["pretrain"]) < 20
    assert len(model.history_["cluster"]) < 20
    assert vars(stopper) == state_before  # the caller's instance was copied, not used


def test_lr_scheduler_callback(blobs):
    X, _ = blobs
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    model = make(AEKMeans, pretrain_epochs=3, callbacks=[scheduler]).fit(X)
    assert model.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5**3)


def test_verbose_levels(blobs, capsys):
    X, _ = blobs
    make(IDEC, verbose=0).fit(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    make(IDEC, verbose=1).fit(X)
    captured = capsys.readouterr()
    assert "pretrain" in captured.err and "cluster" in captured.err
    make(IDEC, verbose=2).fit(X)
    assert "train_loss" in capsys.readouterr().out


def test_device_auto_resolves_to_available_device(blobs):
    X, _ = blobs
    import torch

    model = make(AEKMeans, device="auto").fit(X)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert str(model.net_.device).startswith(expected)


def test_inference_is_chunked_and_chunk_independent(blobs, monkeypatch):
    from skdeepcluster._training import _inference

    X, _ = blobs
    model = make(IDEC).fit(X)
    whole = model.transform(X)
    monkeypatch.setattr(_inference, "INFERENCE_CHUNK_SIZE", 7)
    monkeypatch.setattr(_inference.apply_in_chunks, "__defaults__", (7,))
    np.testing.assert_allclose(model.transform(X), whole, rtol=1e-5, atol=1e-6)


def test_refit_with_other_features_replaces_model(blobs):
    X, _ = blobs
    model = make(AEKMeans).fit(X)
    model.fit(X[:, :3])
    assert model.n_features_in_ == 3 and model.transform(X[:, :3]).shape == (90, 2)


def test_clone_and_set_params_route_to_refit(blobs):
    X, _ = blobs
    model = make(IDEC).fit(X)
    other = clone(model).set_params(gamma=0.5, max_epochs=1)
    assert not hasattr(other, "labels_")
    assert other.fit(X).n_iter_ == 1


def test_grid_search_in_pipeline_with_clustering_scorers(blobs):
    X, y = blobs
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), make(IDEC, pretrain_epochs=10)),
        {"idec__gamma": [0.05, 0.1]},
        scoring={"acc": clustering_accuracy_scorer, "nmi": nmi_scorer},
        refit="acc",
        cv=2,
    ).fit(X, y)
    assert set(search.cv_results_["params"][0]) == {"idec__gamma"}
    assert 0.0 <= search.best_score_ <= 1.0


@pytest.mark.skipif(
    __import__("torch").cuda.is_available(), reason="needs a machine without CUDA"
)
def test_model_marked_as_cuda_unpickles_on_cpu_only_machine(blobs):
    import pickle
    import warnings

    X, _ = blobs
    model = make(IDEC).fit(X)
    expected = model.predict(X)
    model.net_.device = "cuda"  # what a CUDA fit records; skorch maps it on load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        restored = pickle.loads(pickle.dumps(model))
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.predict(X), expected)


class _NoRawStorageUnpickler(__import__("pickle").Unpickler):
    """Refuses tensor storages in the outer pickle stream: on a CPU-only machine, a CUDA
    storage there cannot be loaded, since only skorch's own stream is mapped to the CPU."""

    def find_class(self, module, name):
        if (module, name) == ("torch.storage", "_load_from_bytes"):
            raise AssertionError("a tensor is pickled outside skorch's device mapping")
        return super().find_class(module, name)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_pickle_maps_every_tensor_through_skorch(cls, blobs):
    import io
    import pickle

    X, _ = blobs
    user_scheduler = LRScheduler("StepLR", step_size=1)  # holds the optimizer once fitted
    model = make(cls, callbacks=[user_scheduler]).fit(X)
    restored = _NoRawStorageUnpickler(io.BytesIO(pickle.dumps(model))).load()
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))

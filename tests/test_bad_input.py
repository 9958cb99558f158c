"""The bad-input catalogue: every case gets a scikit-learn style error at fit (or a warning).

Each case names what a user might pass and the error they must see instead of a torch traceback
or a silent wrong answer.
"""

import os
import pickle
import signal
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback, Checkpoint, EarlyStopping

from skdeepcluster import DEC, DGG, DVAE, IDEC, WECGAN, WECMMD, AEKMeans, VaDE

from ._configs import ESTIMATOR_CLASSES, make_tiny

ESTIMATORS = ESTIMATOR_CLASSES
make = make_tiny


def good_X(n=40, d=5, seed=0):
    return np.random.RandomState(seed).rand(n, d)


# (id, X, error type, message pattern)
BAD_X = [
    ("nan", np.where(np.eye(40, 5) > 0, np.nan, good_X()), ValueError, "NaN"),
    ("inf", np.where(np.eye(40, 5) > 0, np.inf, good_X()), ValueError, "infinity"),
    ("neg_inf", np.where(np.eye(40, 5) > 0, -np.inf, good_X()), ValueError, "infinity"),
    ("sparse_csr", sp.csr_matrix(good_X()), TypeError, "dense data is required"),
    ("sparse_coo", sp.coo_matrix(good_X()), TypeError, "dense data is required"),
    ("complex", good_X() + 1j, ValueError, "Complex data not supported"),
    ("strings", np.array([["a", "b"]] * 10, dtype=object), ValueError, "could not convert"),
    ("no_samples", np.empty((0, 5)), ValueError, "0 sample"),
    ("no_features", np.empty((10, 0)), ValueError, "0 feature"),
    ("one_sample", good_X(1), ValueError, "minimum of 2 is required"),
    ("one_d", np.arange(10.0), ValueError, "Expected 2D array"),
    ("three_d", np.zeros((4, 3, 2)), ValueError, "Found array with dim 3"),
    ("scalar", np.float64(3.0), ValueError, "Expected 2D array"),
    ("overflows_float32", good_X() * 1e300, ValueError, "infinity|too large"),
    ("huge_magnitude", good_X() * 1e18, ValueError, "Rescale the data"),
    ("ragged_list", [[1.0, 2.0], [3.0]], ValueError, "inhomogeneous|sequence"),
    ("none", None, (TypeError, ValueError), "None|Expected 2D"),
    ("meta_tensor", torch.empty(40, 5, device="meta"), ValueError, "'meta' device"),
    # NumPy's conversion drops the mask: the hidden values would be clustered as data
    ("masked_entries", np.ma.masked_array(good_X(), mask=np.eye(40, 5) > 0), ValueError, "masked"),
    ("datetime64", np.arange(80).astype("datetime64[D]").reshape(40, 2), TypeError, "datetime"),
    ("timedelta64", np.arange(80).astype("timedelta64[s]").reshape(40, 2), TypeError, "timedelta"),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("case", BAD_X, ids=[c[0] for c in BAD_X])
def test_bad_X_at_fit(cls, case):
    _, X, error, pattern = case
    with pytest.raises(error, match=pattern):
        make(cls).fit(X)


# (id, parameters)
BAD_PARAMS = [
    ("n_clusters_zero", dict(n_clusters=0)),
    ("n_clusters_float", dict(n_clusters=2.5)),
    ("n_clusters_str", dict(n_clusters="3")),
    ("n_clusters_bool", dict(n_clusters=True)),  # bool is an int to Python, not to a user
    ("latent_dim_bool", dict(latent_dim=True)),
    ("max_epochs_bool", dict(max_epochs=False)),
    ("lr_bool", dict(lr=True)),
    ("latent_dim_zero", dict(latent_dim=0)),
    ("batch_size_zero", dict(batch_size=0)),
    ("lr_zero", dict(lr=0.0)),
    ("lr_negative", dict(lr=-1e-3)),
    ("pretrain_epochs_negative", dict(pretrain_epochs=-1)),
    ("reconstruction_unknown", dict(reconstruction="l1")),
    ("pretrain_optimizer_unknown", dict(pretrain_optimizer="rmsprop")),
    ("pretrain_lr_zero", dict(pretrain_lr=0.0)),
    ("pretrain_lr_bool", dict(pretrain_lr=True)),
    ("weight_init_unknown", dict(weight_init="he_normal")),
    ("verbose_negative", dict(verbose=-1)),
    ("random_state_str", dict(random_state="seed")),
    ("callbacks_not_list", dict(callbacks="early_stopping")),
    ("device_int", dict(device=0)),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("case", BAD_PARAMS, ids=[c[0] for c in BAD_PARAMS])
def test_bad_hyper_parameters(cls, case):
    if not set(case[1]) <= set(cls().get_params()):
        pytest.skip(f"{cls.__name__} has no parameter {set(case[1])}")
    with pytest.raises(InvalidParameterError):
        make(cls, **case[1]).fit(good_X())


def test_bool_is_still_accepted_where_a_constraint_takes_it():
    # "verbose" accepts bools in scikit-learn; only number-only parameters refuse them
    model = make(IDEC, verbose=False).fit(good_X())
    assert model.labels_.shape == (40,)


@pytest.mark.parametrize(
    "callbacks", [["early_stopping"], [object()], [("name", 3)], [(1, Callback())], [("a", "b", "c")]]
)
def test_bad_callback_entries(callbacks):
    with pytest.raises(TypeError, match="callbacks|callback"):
        make(IDEC, callbacks=callbacks).fit(good_X())


@pytest.mark.parametrize(
    "callback", [EarlyStopping(), Checkpoint(dirname="unused")], ids=["early_stopping", "checkpoint"]
)
def test_callback_monitoring_a_validation_score_gets_a_clear_error(callback):
    # skorch's EarlyStopping and Checkpoint monitor validation scores by default; phases
    # have no validation split
    with pytest.raises(ValueError, match="without a validation split.*'train_loss'"):
        make(IDEC, callbacks=[callback]).fit(good_X())


@pytest.mark.parametrize(
    "hidden_dims",
    [(0,), (8, -1), (4.5,), ((2, 2),), "abc", (True,), (8, True), ((2, 2), 3), np.array(5),
     np.ones((2, 2), dtype=int), {8, 4}, {8: 1}],
)
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_hidden_dims(cls, hidden_dims):
    with pytest.raises((ValueError, InvalidParameterError), match="hidden_dims"):
        make(cls, hidden_dims=hidden_dims).fit(good_X())


@pytest.mark.parametrize(
    "widths", [dict(hidden_dims=(10**20,)), dict(latent_dim=10**20), dict(latent_dim=10**12),
               dict(hidden_dims=(8, 10**9, 10**9))],
)
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_networks_larger_than_memory_are_refused_before_any_allocation(cls, widths):
    with pytest.raises(ValueError, match="GiB for its float32 weights alone"):
        make(cls, **widths).fit(good_X())


@pytest.mark.parametrize(
    "params",
    [dict(max_epochs=-1), dict(tol=1.5), dict(tol=-0.1), dict(alpha=0), dict(update_interval=0),
     dict(pretrain="greedy"), dict(n_init=0)],
)
def test_bad_dec_parameters(params):
    with pytest.raises(InvalidParameterError):
        make(DEC, **params).fit(good_X())


@pytest.mark.parametrize("gamma", [-0.1, "high"])
def test_bad_idec_gamma(gamma):
    with pytest.raises(InvalidParameterError):
        make(IDEC, gamma=gamma).fit(good_X())


def test_bad_aekmeans_clusterer():
    with pytest.raises(InvalidParameterError):
        make(AEKMeans, clusterer="dbscan").fit(good_X())


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "tpu", "cuda:-1", ""])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_device_string(cls, device):
    with pytest.raises(ValueError, match="device"):
        make(cls, device=device).fit(good_X())


def test_cpu_device_with_an_index():
    # torch.device("cpu", 0) is a CPU device; its str "cpu:0" used to be refused as unknown
    model = make(IDEC, device=torch.device("cpu", 0)).fit(good_X())
    assert model.predict(good_X()).shape == (40,)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:3"])
def test_cuda_requested_without_cuda(device):
    with pytest.raises(ValueError, match="CUDA is not available"):
        make(IDEC, device=device).fit(good_X())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_more_clusters_than_samples(cls):
    with pytest.raises(ValueError, match="n_clusters=12 must be <= n_samples=10"):
        make(cls, n_clusters=12).fit(good_X(10))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_predict_before_fit(cls):
    for method in ("predict", "predict_proba", "transform"):
        with pytest.raises(NotFittedError):
            getattr(make(cls), method)(good_X())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_wrong_n_features_at_predict(cls):
    model = make(cls).fit(good_X(d=5))
    with pytest.raises(ValueError, match="X has 4 features"):
        model.predict(good_X(d=4))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_huge_magnitude_at_inference(cls):
    # float32 networks turn such inputs into NaN soft assignments and label 0 for every row
    model = make(cls).fit(good_X())
    for method in (model.predict, model.predict_proba, model.transform):
        with pytest.raises(ValueError, match="Rescale the data"):
            method(good_X() * 1e30)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_renamed_dataframe_columns(cls):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good_X(), columns=list("abcde"))
    model = make(cls).fit(frame)
    np.testing.assert_array_equal(model.feature_names_in_, list("abcde"))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.rename(columns={"a": "z"}))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_dataframe_with_a_datetime_column(cls):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(good_X(), columns=list("abcde"))
    frame["when"] = pd.date_range("2026-01-01", periods=len(frame), tz="UTC")
    with pytest.raises(TypeError, match="datetime"):
        make(cls).fit(frame)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_masked_arrays_are_refused_at_inference_and_accepted_without_masked_entries(cls):
    X = good_X()
    model = make(cls).fit(np.ma.masked_array(X, mask=False))
    np.testing.assert_array_equal(model.labels_, make(cls).fit(X).labels_)
    with pytest.raises(ValueError, match="1 masked entries"):
        model.predict(np.ma.masked_array(X, mask=np.arange(X.size).reshape(X.shape) == 7))


@pytest.mark.parametrize("value", [1.0, 100.0])
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_constant_rows_warn_instead_of_crashing(cls, value):
    X = np.full((40, 5), value)
    with pytest.warns(ConvergenceWarning, match="nothing to cluster"):
        labels = make(cls).fit_predict(X)
    assert labels.shape == (40,)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_duplicate_rows_are_clustered_together(cls):
    X = np.repeat(np.eye(3) * 3.0, 10, axis=0)
    labels = make(cls, pretrain_epochs=30).fit_predict(X)
    for block in range(3):
        assert np.unique(labels[block * 10 : (block + 1) * 10]).size == 1


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_tiny_magnitudes_collapse_with_advice_to_rescale_and_no_nan(cls):
    advice = r"vary by at most [0-9.]+e-3[01], .* Rescale the data"
    with pytest.warns(ConvergenceWarning, match=advice):
        model = make(cls).fit(good_X() * 1e-30)
    assert np.isfinite(model.predict_proba(good_X() * 1e-30)).all()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_divergent_training_raises_clear_error(cls):
    X = good_X() * 1e12
    with pytest.raises(ValueError, match="loss became .* in epoch"):
        make(cls, lr=1e6).fit(X)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_integer_and_float32_input(cls):
    X = (good_X() * 10).astype(np.int64)
    assert make(cls).fit_predict(X).shape == (40,)
    assert make(cls).fit_predict(good_X().astype(np.float32)).shape == (40,)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_torch_tensor_input_matches_numpy(cls):
    X = good_X().astype(np.float32)
    expected = make(cls).fit(X)
    tensor = torch.from_numpy(X.copy()).requires_grad_()  # a leaf a user is optimising
    model = make(cls).fit(tensor)
    np.testing.assert_array_equal(model.labels_, expected.labels_)
    np.testing.assert_array_equal(model.predict(tensor), expected.predict(X))
    np.testing.assert_allclose(
        model.transform(tensor.detach().bfloat16()), expected.transform(X), atol=0.05
    )
    assert tensor.requires_grad and tensor.grad is None


def test_sparse_tensor_is_refused():
    tensor = torch.from_numpy(good_X()).to_sparse()
    with pytest.raises(TypeError, match="dense data is required"):
        make(IDEC).fit(tensor)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_input_is_not_modified(cls):
    X = good_X()
    X32 = X.astype(np.float32)
    copies = X.copy(), X32.copy()
    make(cls).fit(X).predict(X)
    make(cls).fit(X32).transform(X32)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(X32, copies[1])


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_read_only_input(cls):
    X = good_X().astype(np.float32)
    X.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # torch warns on non-writable arrays
        # Uniform noise has no clusters: a collapse warning is legitimate here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert make(cls).fit_predict(X).shape == (40,)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_same_seed_same_labels_and_global_rng_untouched(cls):
    np.random.seed(123)
    torch.manual_seed(123)
    numpy_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    first = make(cls, random_state=7).fit(good_X())
    second = make(cls, random_state=7).fit(good_X())
    np.testing.assert_array_equal(first.labels_, second.labels_)
    np.testing.assert_array_equal(first.transform(good_X()), second.transform(good_X()))
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_random_state_none_leaves_global_rng_untouched(cls):
    numpy_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    make(cls, random_state=None).fit(good_X())
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_random_state_instance_is_not_advanced():
    rng = np.random.RandomState(5)
    before = rng.get_state()[1].copy()
    first = make(IDEC, random_state=rng).fit(good_X()).labels_
    np.testing.assert_array_equal(rng.get_state()[1], before)
    second = make(IDEC, random_state=np.random.RandomState(5)).fit(good_X()).labels_
    np.testing.assert_array_equal(first, second)


class _FailAtEpoch(Callback):
    def __init__(self, epoch=2):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise RuntimeError("simulated failure during training")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_interrupted_fit_leaves_previous_state(cls):
    model = make(cls, pretrain_epochs=3).fit(good_X())
    labels, centers = model.labels_.copy(), model.cluster_centers_.copy()
    model.set_params(callbacks=[_FailAtEpoch(2)])
    with pytest.raises(RuntimeError, match="simulated failure"):
        model.fit(good_X(seed=1))
    np.testing.assert_array_equal(model.labels_, labels)
    np.testing.assert_array_equal(model.cluster_centers_, centers)
    np.testing.assert_array_equal(model.predict(good_X()), labels)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_interrupted_first_fit_leaves_estimator_unfitted(cls):
    model = make(cls, pretrain_epochs=3, callbacks=[_FailAtEpoch(2)])
    with pytest.raises(RuntimeError, match="simulated failure"):
        model.fit(good_X())
    with pytest.raises(NotFittedError):
        model.predict(good_X())


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_round_trip(cls):
    model = make(cls).fit(good_X())
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(good_X()), model.labels_)


@pytest.mark.parametrize("batch_size", [np.int8(16), np.uint8(16)])
@pytest.mark.parametrize("cls", [DEC, IDEC])
def test_small_numpy_integer_batch_size(cls, batch_size):
    # The batches per epoch, -(-n_samples // batch_size), overflowed the batch size's dtype
    X = good_X(200)
    expected = make(cls, batch_size=16).fit(X).labels_
    np.testing.assert_array_equal(make(cls, batch_size=batch_size).fit(X).labels_, expected)


@pytest.mark.parametrize(
    "cls, name",
    [(DEC, "alpha"), (IDEC, "gamma"), (WECMMD, "gamma"), (WECMMD, "beta"), (WECGAN, "beta"),
     (DVAE, "beta")],
)
def test_loss_weight_given_as_a_huge_int_acts_as_the_float(cls, name):
    # A Python int beyond int64 raised OverflowError inside torch; 1e20 fits or fails cleanly
    def outcome(value):
        try:
            return make(cls, **{name: value}).fit(good_X()).labels_
        except ValueError as error:
            return type(error)

    as_int, as_float = outcome(10**20), outcome(1e20)
    if isinstance(as_float, type):
        assert as_int is as_float
    else:
        np.testing.assert_array_equal(as_int, as_float)


@pytest.mark.parametrize("betas", [(0, 0.9), (np.float32(0.5), np.float64(0.9))])
def test_discriminator_betas_need_not_be_python_floats(betas):
    # torch's Adam refuses anything but two Python floats, after the whole pretraining
    assert make(WECGAN, discriminator_betas=betas).fit_predict(good_X()).shape == (40,)


def test_discriminator_betas_refuse_bools():
    with pytest.raises(ValueError, match=r"discriminator_betas .* got \(False, 0.9\)"):
        make(WECGAN, discriminator_betas=(False, 0.9)).fit(good_X())


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_sample_refuses_a_bool_cluster(cls):
    model = make(cls).fit(good_X())
    with pytest.raises(ValueError, match="cluster must be an int"):
        model.sample(2, cluster=True)


@pytest.mark.parametrize("cls", [VaDE, DVAE, DGG])
def test_vae_pretraining_on_constant_rows_warns_instead_of_diverging(cls):
    # The embedding's spread was 0 and the posterior's initial log-variance -inf
    with pytest.warns(ConvergenceWarning, match="nothing to cluster"):
        labels = make(cls, vae_pretrain_epochs=1).fit_predict(np.ones((40, 5)))
    assert labels.shape == (40,)


@pytest.mark.parametrize(
    "cls, fit_params, changed",
    [
        (AEKMeans, {}, {"clusterer": "gmm"}),
        (AEKMeans, {"clusterer": "gmm"}, {"clusterer": "kmeans"}),
        (DEC, {}, {"alpha": 5.0}),
        (WECMMD, {}, {"reconstruction": "bce"}),
    ],
)
def test_parameters_changed_after_fit_do_not_change_the_fitted_model(cls, fit_params, changed):
    model = make(cls, **fit_params).fit(good_X())
    proba = model.predict_proba(good_X())
    samples = model.sample(3) if hasattr(model, "sample") else None
    model.set_params(**changed)
    np.testing.assert_allclose(model.predict_proba(good_X()), proba)
    if samples is not None:
        np.testing.assert_allclose(model.sample(3), samples)


class _CtrlC(Callback):
    """Sends this process SIGINT, as Ctrl-C does, at the end of the first epoch."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def sigint_raises_keyboard_interrupt():
    """Python's own Ctrl-C handler for the test, even where the runner started with SIGINT
    ignored (``nohup``, a background job of a non-interactive shell)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is delivered differently")
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_ctrl_c_ends_the_whole_fit(cls, sigint_raises_keyboard_interrupt):
    # skorch ends only the current phase on KeyboardInterrupt; the fit then went on and
    # returned an estimator "fitted" after one of three pretraining epochs
    model = make(cls, pretrain_epochs=3, callbacks=[_CtrlC()])
    with pytest.raises(KeyboardInterrupt):
        model.fit(good_X())
    with pytest.raises(NotFittedError):
        model.predict(good_X())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

"""The estimators on a CUDA device (skipped on machines without CUDA, such as CI).

``benchmarks/device_checks.sh`` runs this file on a lent GPU machine.
"""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, LRScheduler

from skdeepcluster._training import _net
from skdeepcluster._training._criteria import ReconstructionCriterion
from skdeepcluster._training._phases import fit_phase
from skdeepcluster.base import TrainingConfig
from skdeepcluster.features import ResNetFeatures
from skdeepcluster.methods._autoencoding import build_autoencoder

from ._configs import ESTIMATOR_CLASSES, make_tiny

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

# Unpickles a model, checks that this process sees no GPU, and saves its predictions.
PREDICT_IN_CPU_ONLY_PROCESS = """
import pickle, sys
import numpy as np, torch
assert not torch.cuda.is_available()
model_path, data_path, labels_path, proba_path = sys.argv[1:]
with open(model_path, "rb") as file:
    model = pickle.load(file)
X = np.load(data_path)
np.save(labels_path, model.predict(X))
np.save(proba_path, model.predict_proba(X))
print(model.net_.device)
"""


def make(cls, **params):
    return make_tiny(cls, **{"max_epochs": 3, "device": "cuda", **params})


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_fit_on_cuda_returns_host_arrays(cls, blobs):
    X, _ = blobs
    model = make(cls)
    labels = model.fit_predict(X)
    assert str(model.net_.device).startswith("cuda")
    np.testing.assert_array_equal(labels, model.predict(X))
    for output in (labels, model.predict_proba(X), model.transform(X), model.cluster_centers_):
        assert isinstance(output, np.ndarray)
        assert np.isfinite(output).all()
    assert set(np.unique(labels)) <= set(range(model.n_clusters))
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-5)


def unpickle_in_cpu_only_process(script, fitted, data, n_outputs, tmp_path):
    """Run ``script`` on the pickled ``fitted`` and ``data`` in a process that sees no GPU;
    check that it ran on the CPU and return the ``n_outputs`` arrays it saved."""
    paths = [tmp_path / "fitted.pkl", tmp_path / "data.npy"]
    paths += [tmp_path / f"output{i}.npy" for i in range(n_outputs)]
    paths[0].write_bytes(pickle.dumps(fitted))
    np.save(paths[1], data)
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, paths)],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "cpu"
    return [np.load(path) for path in paths[2:]]


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_cuda_fitted_model_predicts_the_same_in_a_cpu_only_process(cls, blobs, tmp_path):
    X, _ = blobs
    model = make(cls).fit(X)
    labels, proba = unpickle_in_cpu_only_process(
        PREDICT_IN_CPU_ONLY_PROCESS, model, X, 2, tmp_path
    )
    np.testing.assert_array_equal(labels, model.predict(X))
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-4)


# Unpickles a feature extractor in a process that sees no GPU and saves its features.
TRANSFORM_IN_CPU_ONLY_PROCESS = """
import pickle, sys, warnings
import numpy as np, torch
assert not torch.cuda.is_available()
model_path, data_path, features_path = sys.argv[1:]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    with open(model_path, "rb") as file:
        extractor = pickle.load(file)
np.save(features_path, extractor.transform(np.load(data_path)))
print(extractor.device_)
"""


def test_cuda_fitted_feature_extractor_transforms_in_a_cpu_only_process(tmp_path):
    images = np.random.RandomState(0).randint(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    extractor = ResNetFeatures(arch="resnet18", input_size=32, device="cuda", random_state=0)
    features = extractor.fit(images).transform(images)
    assert next(extractor.backbone_.parameters()).is_cuda
    (restored_features,) = unpickle_in_cpu_only_process(
        TRANSFORM_IN_CPU_ONLY_PROCESS, extractor, images, 1, tmp_path
    )
    # cuDNN's TF32 convolutions against the CPU's float32 ones
    scale = np.abs(features).max()
    np.testing.assert_allclose(restored_features, features, rtol=1e-2, atol=1e-2 * scale)


def test_cuda_tensor_input_is_accepted(blobs):
    X, _ = blobs
    model = make(ESTIMATOR_CLASSES[0])
    on_device = torch.as_tensor(X, device="cuda")
    np.testing.assert_array_equal(model.fit_predict(on_device), model.predict(X))


def test_cuda_index_beyond_the_devices_is_refused(blobs):
    X, _ = blobs
    with pytest.raises(ValueError):
        make(ESTIMATOR_CLASSES[0], device=f"cuda:{torch.cuda.device_count()}").fit(X)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_a_cached_pretraining_on_cuda_gives_the_uncached_fit(cls, blobs, tmp_path):
    X, _ = blobs
    reference = make(cls).fit(X)
    for _ in range(2):  # a miss that writes the cache, then a hit that reads it
        cached = make(cls, memory=str(tmp_path)).fit(X)
        np.testing.assert_array_equal(cached.labels_, reference.labels_)
        # CUDA kernels may sum in another order from run to run: equal up to float noise
        np.testing.assert_allclose(cached.transform(X), reference.transform(X), atol=1e-4)
    assert str(cached.net_.device).startswith("cuda")


def pretrain_on_cuda(X, *, cuda_graphs, callbacks=()):
    """Autoencoder pretraining on CUDA (no dropout, no random draws), with a partial batch."""
    torch.manual_seed(0)
    config = TrainingConfig(
        device=torch.device("cuda"), seed=0, batch_size=64, lr=1e-3, verbose=0,
        user_callbacks=tuple(callbacks),
    )
    return fit_phase(
        build_autoencoder(X.shape[1], (64, 64), 4), ReconstructionCriterion("mse"),
        torch.as_tensor(X, device="cuda"), phase="pretrain", config=config, epochs=6,
        net_options={"cuda_graphs": cuda_graphs},
    )


class LossRecorder(Callback):
    """Keeps the loss tensor every step hands to ``on_batch_end``."""

    def on_train_begin(self, net, **kwargs):
        self.losses_ = []

    def on_batch_end(self, net, loss=None, **kwargs):
        self.losses_.append(loss)


def test_cuda_graph_replays_train_as_the_eager_steps_do():
    X = np.random.RandomState(0).rand(1000, 20).astype(np.float32)  # 15 full batches + 40 rows
    schedule = LRScheduler(policy="StepLR", step_size=2, gamma=0.5)
    eager = pretrain_on_cuda(X, cuda_graphs=False, callbacks=[schedule])
    replayed = pretrain_on_cuda(
        X, cuda_graphs=True, callbacks=[schedule, ("recorder", LossRecorder())]
    )
    assert eager.graph_replays_ == 0
    assert replayed.graph_replays_ > 0
    losses = replayed.history[:, "batches", :, "train_loss"]
    np.testing.assert_allclose(
        losses, eager.history[:, "batches", :, "train_loss"], rtol=1e-4, atol=1e-6
    )
    for value, eager_value in zip(
        replayed.module_.state_dict().values(), eager.module_.state_dict().values()
    ):
        torch.testing.assert_close(value, eager_value, rtol=1e-4, atol=1e-5)
    # what on_batch_end was handed is that step's loss, not overwritten by later replays
    recorded = [loss.item() for loss in dict(replayed.callbacks_)["recorder"].losses_]
    np.testing.assert_allclose(recorded, [loss for epoch in losses for loss in epoch])


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_cuda_graph_replays_fit_every_estimator(cls, blobs, monkeypatch):
    X, _ = blobs
    params = {"max_epochs": 6, "batch_size": 16}
    if "lr_warmup_steps" in cls().get_params():
        params["lr_warmup_steps"] = 0  # its 100 steps of changing rates would all run eagerly
    replayed = make(cls, **params).fit(X)
    monkeypatch.setattr(_net.CUDAGraphs, "supports", staticmethod(lambda device: False))
    eager = make(cls, **params).fit(X)
    # WEC-GAN's clustering phase has two optimisers and its own step: never captured.
    assert (replayed.net_.graph_replays_ > 0) == (cls.__name__ != "WECGAN")
    assert eager.net_.graph_replays_ == 0
    # Dropout and prior draws come from other random numbers under a graph: the fits agree
    # as two seeds of one method do, not to the bit.
    for phase, history in replayed.history_.items():
        final, eager_final = history[-1, "train_loss"], eager.history_[phase][-1, "train_loss"]
        assert np.isfinite(final)
        assert final == pytest.approx(eager_final, rel=0.25, abs=1e-3), phase

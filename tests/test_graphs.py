"""Training steps replayed from captured graphs (skdeepcluster._training._graphs), on the CPU.

CUDA graphs exist only on CUDA, so these tests swap in a backend with the same interface whose
"capture" keeps the step's body and whose replay runs it: everything around the capture (the
warm-up, the static input buffers, the guard on settings, the eager last batch, the copies of
the step's outputs) runs as on CUDA, and a fit must give exactly the eager fit's result.
``tests/test_cuda.py`` compares real CUDA graph replays with eager training.
"""

import contextlib
import pickle

import numpy as np
import pytest
import torch
from skorch.callbacks import GradientNormClipping, LRScheduler

from skdeepcluster._training import _net
from skdeepcluster._training._criteria import ReconstructionCriterion
from skdeepcluster._training._graphs import WARMUP_STEPS, CapturedTrainStep, graph_settings
from skdeepcluster._training._phases import fit_phase
from skdeepcluster.base import TrainingConfig
from skdeepcluster.methods._autoencoding import build_autoencoder

from ._configs import ESTIMATOR_CLASSES, make_tiny


class EagerReplay:
    """A capture backend for the CPU: capturing keeps the body, a replay runs it."""

    warmup = staticmethod(contextlib.nullcontext)

    @staticmethod
    def supports(device):
        return True

    @staticmethod
    def capture(body):
        return body


class FailingCapture(EagerReplay):
    """A backend whose capture fails, as CUDA's does on an operation it cannot record."""

    @staticmethod
    def capture(body):
        raise RuntimeError("operation not permitted when stream is capturing")


@pytest.fixture
def replaying(monkeypatch):
    """Train every phase net with :class:`EagerReplay` (on the CPU)."""
    monkeypatch.setattr(_net, "CUDAGraphs", EagerReplay)


def pretrain(X, *, epochs=3, batch_size=32, callbacks=(), criterion=None, **net_options):
    """An autoencoder pretraining phase on ``X`` (the phase ``epoch_speed.py`` times)."""
    torch.manual_seed(0)
    model = build_autoencoder(X.shape[1], (8,), 2)
    config = TrainingConfig(
        device=torch.device("cpu"), seed=0, batch_size=batch_size, lr=1e-2, verbose=0,
        user_callbacks=tuple(callbacks),
    )
    return fit_phase(
        model, criterion or ReconstructionCriterion("mse"), torch.as_tensor(X), phase="pretrain",
        config=config, epochs=epochs, net_options=net_options,
    )


def assert_same_training(net, eager_net):
    """Same per-batch losses and the same final parameters, to the bit."""
    assert net.history[:, "batches", :, "train_loss"] == eager_net.history[
        :, "batches", :, "train_loss"
    ]
    for (name, value), (_, eager_value) in zip(
        net.module_.state_dict().items(), eager_net.module_.state_dict().items()
    ):
        assert torch.equal(value, eager_value), name


@pytest.fixture
def data():
    return np.random.RandomState(0).rand(100, 6).astype(np.float32)  # 3 full batches + 4 rows


def test_replayed_phase_equals_eager_phase(replaying, data):
    eager = pretrain(data, cuda_graphs=False)
    replayed = pretrain(data)
    assert_same_training(replayed, eager)
    # 3 full batches per epoch: the first WARMUP_STEPS steps run eagerly, the last batch
    # of every epoch (4 rows) too.
    assert replayed.graph_replays_ == 3 * 3 - WARMUP_STEPS
    assert eager.graph_replays_ == 0


def test_no_graphs_on_the_cpu_without_a_test_backend(data):
    assert pretrain(data).graph_replays_ == 0


class RenewedTensorCriterion(ReconstructionCriterion):
    """A criterion that replaces a tensor it reads at every step: no graph may be replayed."""

    def __init__(self):
        super().__init__("mse")
        self.scale = torch.ones(())

    def forward(self, output, x, index):
        self.scale = self.scale.clone()
        terms = super().forward(output, x, index)
        terms["loss"] = terms["loss"] * self.scale
        return terms


def test_replaced_criterion_tensor_is_never_replayed(replaying, data):
    eager = pretrain(data, criterion=RenewedTensorCriterion(), cuda_graphs=False)
    replayed = pretrain(data, criterion=RenewedTensorCriterion())
    assert replayed.graph_replays_ == 0
    assert_same_training(replayed, eager)


def test_learning_rate_schedule_recaptures_the_step(replaying, data):
    def schedule():
        return LRScheduler(policy="StepLR", step_size=1, gamma=0.5)

    eager = pretrain(data, epochs=4, callbacks=[schedule()], cuda_graphs=False)
    replayed = pretrain(data, epochs=4, callbacks=[schedule()])
    assert_same_training(replayed, eager)
    # The rate halves every epoch: each epoch's first WARMUP_STEPS steps run eagerly again.
    assert replayed.graph_replays_ == 0
    replayed = pretrain(data, epochs=4, batch_size=10, callbacks=[schedule()])
    eager = pretrain(data, epochs=4, batch_size=10, callbacks=[schedule()], cuda_graphs=False)
    assert_same_training(replayed, eager)
    assert replayed.graph_replays_ == 4 * (10 - WARMUP_STEPS)


def test_gradient_callbacks_train_eagerly(replaying, data):
    net = pretrain(data, callbacks=[GradientNormClipping(1.0)])
    assert net.graph_replays_ == 0


def test_failed_capture_warns_and_trains_eagerly(monkeypatch, data):
    monkeypatch.setattr(_net, "CUDAGraphs", FailingCapture)
    eager = pretrain(data, cuda_graphs=False)
    with pytest.warns(UserWarning, match="could not be captured as a CUDA graph"):
        net = pretrain(data)
    assert net.graph_replays_ == 0
    assert_same_training(net, eager)


def test_fitted_net_pickles_without_its_graph(replaying, data):
    net = pretrain(data)
    assert net._captured_step is None
    restored = pickle.loads(pickle.dumps(net))
    assert restored.graph_replays_ == net.graph_replays_


def test_settings_follow_optimizer_and_criterion_state():
    criterion = ReconstructionCriterion("mse")
    criterion.weight = 1.0
    criterion.table = torch.zeros(3)
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=1e-3)
    before = graph_settings([optimizer], criterion)

    criterion.table.add_(1.0)  # updated in place: the replay reads it
    assert graph_settings([optimizer], criterion) == before
    criterion.table = torch.zeros(3)  # replaced: the graph would read the old tensor
    assert graph_settings([optimizer], criterion) != before
    before = graph_settings([optimizer], criterion)
    criterion.weight = 2.0
    assert graph_settings([optimizer], criterion) != before
    before = graph_settings([optimizer], criterion)
    optimizer.param_groups[0]["lr"] = 1e-4
    assert graph_settings([optimizer], criterion) != before


def test_capture_leaves_optimizer_flags_as_they_were(replaying, data):
    net = pretrain(data)
    assert net.optimizer_.param_groups[0]["capturable"] is False


def test_captured_step_counts_its_graphs(replaying, data):
    net = pretrain(data, epochs=1, cuda_graphs=False)
    step = CapturedTrainStep(net, net.train_step, EagerReplay)
    x = torch.as_tensor(data[:32])
    for _ in range(WARMUP_STEPS + 2):
        step((x, torch.arange(32)))
    assert (step.captures_, step.replays_) == (1, 2)


@pytest.mark.parametrize("cls", ESTIMATOR_CLASSES)
def test_estimators_fit_the_same_with_replayed_steps(cls, monkeypatch):
    X = np.random.RandomState(0).rand(70, 5).astype(np.float32)
    params = dict(max_epochs=4, batch_size=16)
    if "lr_warmup_steps" in cls().get_params():
        params["lr_warmup_steps"] = 0  # its 100 steps of changing rates would all run eagerly
    eager = make_tiny(cls, **params).fit(X)
    monkeypatch.setattr(_net, "CUDAGraphs", EagerReplay)
    replayed = make_tiny(cls, **params).fit(X)
    np.testing.assert_array_equal(replayed.labels_, eager.labels_)
    np.testing.assert_array_equal(replayed.transform(X), eager.transform(X))
    np.testing.assert_array_equal(replayed.predict_proba(X), eager.predict_proba(X))
    # WEC-GAN's clustering phase has two optimisers and its own step: never captured.
    assert (replayed.net_.graph_replays_ > 0) == (cls.__name__ != "WECGAN")

"""Replaying a phase's training step as a captured CUDA graph.

On a GPU the training step of the papers' MLPs is bound by the host, not by arithmetic: one
optimiser step of the ``d-500-500-2000-10`` autoencoder at batch 256 is about 5 GFLOP, a tenth
of a millisecond of an H100's time, but about a hundred kernel launches, each prepared by
Python and the dispatcher (1.95 ms per step measured on an H200). A CUDA graph records the
launches of one whole step (forward, backward and optimiser update) once and replays them with
a single call, so the host cost of a step becomes two copies and one replay.

:class:`CapturedTrainStep` follows PyTorch's whole-network capture recipe: a few eager warm-up
steps on a side stream, then the step is captured on static input buffers, and every later
batch of the same shape is copied into those buffers and replayed. What the graph bakes in is
guarded: the optimiser's hyper-parameters, the plain values the criterion holds (a weight set
by a schedule, say) and *which* tensors it holds (:func:`graph_settings`). When any of them
changes, the graph is dropped and the step runs eagerly until the new settings have held for
the warm-up steps, then it is captured again. So a learning-rate schedule, DVAE's similarity
warm-up or a criterion handed a new tensor can never be silently ignored; a tensor a criterion
updates in place (DEC's target distribution, DGG's mixture weights) is read by the replay
as it is.

Batches of another shape (the last, smaller batch of an epoch) run eagerly. A step that
cannot be captured (an operation that synchronises with the host, say) falls back to eager
training for the rest of the phase, with a warning.
"""

import contextlib
import warnings

import torch

# Eager steps with unchanged settings before a step is captured: they create the optimiser's
# state and the libraries' handles outside the capture (PyTorch's recipe uses three).
WARMUP_STEPS = 3


def _frozen(value):
    """A comparable stand-in for a setting: the value itself, or a tensor's identity."""
    if isinstance(value, torch.Tensor):
        return ("tensor", id(value))
    if isinstance(value, (tuple, list)):
        return tuple(_frozen(item) for item in value)
    return value


def graph_settings(optimizers, criterion):
    """What a captured step bakes in, as a comparable tuple.

    Parameters
    ----------
    optimizers : sequence of torch.optim.Optimizer
        Every hyper-parameter of every parameter group (``lr``, ``betas``, ``momentum``, ...).
    criterion : torch.nn.Module
        For the criterion and each of its submodules: every attribute holding a plain value
        (``bool``, ``int``, ``float``, ``str``, ``None``) and the identity of every tensor it
        holds (attributes, parameters and buffers). Tensors are compared by identity, not by
        value: a replay reads a tensor updated in place correctly, but not a replacement.
    """
    settings = []
    for optimizer in optimizers:
        for group in optimizer.param_groups:
            settings.append(tuple(
                (name, _frozen(value)) for name, value in group.items() if name != "params"
            ))
    for name, module in criterion.named_modules():
        state = {**vars(module), **module._parameters, **module._buffers}
        settings.append((name, tuple(
            (key, _frozen(value)) for key, value in state.items()
            if value is None or isinstance(value, (bool, int, float, str, torch.Tensor))
        )))
    return tuple(settings)


@contextlib.contextmanager
def _capturable(optimizers):
    """Mark the optimisers' parameter groups capturable for the duration of a capture.

    Adam refuses to be captured unless ``capturable`` is set. For the fused Adam the phases use
    the flag changes nothing in the update (its step count already lives on the device); set
    outside a capture it only makes every eager step warn, so it is set for the capture alone.
    """
    groups = [
        group for optimizer in optimizers for group in optimizer.param_groups
        if "capturable" in group
    ]
    previous = [group["capturable"] for group in groups]
    for group in groups:
        group["capturable"] = True
    try:
        yield
    finally:
        for group, value in zip(groups, previous):
            group["capturable"] = value


class CUDAGraphs:
    """Capture and replay on the current CUDA device (the one backend used outside tests)."""

    @staticmethod
    def supports(device):
        """Whether steps on ``device`` (a ``torch.device`` or its name) can be captured."""
        return device is not None and torch.device(device).type == "cuda"

    @staticmethod
    @contextlib.contextmanager
    def warmup():
        """Run eager warm-up steps on a side stream, as PyTorch's capture recipe requires."""
        side_stream = torch.cuda.Stream()
        side_stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side_stream):
            yield
        torch.cuda.current_stream().wait_stream(side_stream)

    @staticmethod
    def capture(body):
        """Record ``body()`` into a CUDA graph and return the graph's ``replay``.

        Capturing records the kernels without running them: the step runs at the first replay.
        """
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            body()
        return graph.replay


class CapturedTrainStep:
    """A :class:`~skdeepcluster._training._net.PhaseNet` training step, replayed from a graph.

    Parameters
    ----------
    net : PhaseNet
        The initialised net whose step is captured: its ``optimizer_`` and ``criterion_`` are
        what :func:`graph_settings` guards, and ``train_step_single`` is the captured body.
    eager_step : callable
        ``eager_step(batch, **fit_params) -> step``: the net's ordinary training step.
    backend : object, default=CUDAGraphs
        Provides ``warmup()`` (a context manager) and ``capture(body) -> replay``, as
        :class:`CUDAGraphs` does.

    Attributes
    ----------
    replays_ : int
        Steps served by a replay.
    captures_ : int
        Graphs captured (more than one when the settings changed during the phase).
    """

    def __init__(self, net, eager_step, backend=CUDAGraphs):
        self.net = net
        self.eager_step = eager_step
        self.backend = backend
        self.replays_ = 0
        self.captures_ = 0
        self._disabled = False
        self._settings = None
        self._stable_steps = 0
        self._batch_shape = None
        self._replay = None

    @property
    def _optimizers(self):
        return [getattr(self.net, name + "_") for name in self.net._optimizers]

    def __call__(self, batch, **fit_params):
        """One training step on ``batch``: a replay where possible, else the eager step."""
        if self._disabled:
            return self.eager_step(batch, **fit_params)
        x, index = batch
        shape = (tuple(x.shape), tuple(index.shape))
        if self._batch_shape is None:
            self._batch_shape = shape  # the first batch of a phase is a full one
        settings = graph_settings(self._optimizers, self.net.criterion_)
        if settings != self._settings:
            self._settings, self._stable_steps, self._replay = settings, 0, None
        if shape == self._batch_shape:
            if self._replay is None and self._stable_steps >= WARMUP_STEPS:
                self._capture(x, index, fit_params)
            if self._replay is not None:
                return self._run_replay(x, index)
        with self.backend.warmup():
            step = self.eager_step(batch, **fit_params)
        self._stable_steps += 1
        return step

    def _capture(self, x, index, fit_params):
        self._x, self._index = x.clone(), index.clone()
        for optimizer in self._optimizers:
            optimizer.zero_grad(set_to_none=True)  # the graph allocates its own gradients

        def body():
            # A step starts from no gradients: the captured backward writes them afresh at
            # every replay. (On CUDA this records nothing; they are None already.)
            for optimizer in self._optimizers:
                optimizer.zero_grad(set_to_none=True)
            self._step = self.net.train_step_single((self._x, self._index), **fit_params)
            for optimizer in self._optimizers:
                optimizer.step()

        try:
            with _capturable(self._optimizers):
                self._replay = self.backend.capture(body)
        except RuntimeError as error:
            self._disabled = True
            self._replay = self._step = None
            for optimizer in self._optimizers:
                optimizer.zero_grad(set_to_none=True)
            warnings.warn(
                f"The training step could not be captured as a CUDA graph ({error}); this "
                "phase trains without one, which is slower but gives the same result.",
                UserWarning,
                stacklevel=2,
            )
            return
        self.captures_ += 1

    def _run_replay(self, x, index):
        self._x.copy_(x)
        self._index.copy_(index)
        self._replay()
        self.replays_ += 1
        # The step's outputs live in the graph's buffers, which the next replay overwrites.
        terms = {name: value.detach().clone() for name, value in self._step["terms"].items()}
        return {"loss": terms["loss"], "y_pred": self._step["y_pred"], "terms": terms}

"""The private skorch net that trains one phase of a method on device-resident batches."""

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback

from ._data import DeviceBatchIterator
from ._graphs import CapturedTrainStep, CUDAGraphs

# State that can hold device tensors besides skorch's own ``module_``, ``criterion_`` and
# ``optimizer_``: the ``module`` and ``criterion`` instances the net is built with (the same
# objects as ``module_`` and ``criterion_``) and the callbacks (an LR scheduler holds the
# optimizer). Prefixes, as in skorch's ``cuda_dependent_attributes_``.
DEVICE_STATE_PREFIXES = ("module", "criterion", "optimizer", "callbacks")


class PhaseNet(NeuralNet):
    """A skorch ``NeuralNet`` whose criterion returns named loss terms.

    Differences from ``NeuralNet``, all in service of the device-resident fast path:

    * batches are ``(x, index)`` pairs from :class:`DeviceBatchIterator` (``x`` may hold more
      rows than ``index`` in a tuple batch; the batch size is ``len(index)``);
    * the criterion is called as ``criterion(output, x, index)`` and returns a dict of scalar
      tensors with the total under ``"loss"`` and every term under its own name;
    * losses are accumulated on the device and moved to the host once per epoch (skorch calls
      ``.item()`` on every batch, a host synchronisation per step). The per-batch
      ``train_loss`` entries of the history are written at the end of the epoch, and every term
      ``t`` is recorded per epoch as ``train_t``;
    * on CUDA the training step is captured as a CUDA graph and replayed
      (:class:`~skdeepcluster._training._graphs.CapturedTrainStep`), unless ``cuda_graphs`` is
      false or a callback acts between backward and update (``on_grad_computed``). The
      criterion must then keep the tensors it reads and update them in place; a replaced
      tensor or a changed plain attribute makes the step run eagerly and be captured again.
      ``y_pred`` handed to ``on_batch_end`` is valid until the next step;
    * pickling sends all of :data:`DEVICE_STATE_PREFIXES` through skorch's device mapping,
      not only the attributes skorch registers: skorch pickles the ``module`` and
      ``criterion`` instances and the callbacks as they are, so a net fitted on CUDA would
      hold raw CUDA storages that no CPU-only machine can unpickle.

    Everything else (callbacks, history, optimizers, ``set_params`` routing) is skorch's own.

    Parameters
    ----------
    module, criterion, *args, **kwargs
        As for skorch's ``NeuralNet``.
    cuda_graphs : bool, default=True
        Replay the training step from a captured CUDA graph when training on CUDA.

    Attributes
    ----------
    graph_replays_ : int
        Training steps of the last ``fit`` served by a CUDA graph replay (0 without one).
    """

    def __init__(self, module, criterion, *args, cuda_graphs=True, **kwargs):
        kwargs.setdefault("iterator_train", DeviceBatchIterator)
        kwargs.setdefault("iterator_train__shuffle", True)
        kwargs.setdefault("train_split", None)
        super().__init__(module, criterion, *args, **kwargs)
        self.cuda_graphs = cuda_graphs
        self._captured_step = None

    def _graph_backend(self):
        """The capture backend for this fit's steps, or ``None`` to train eagerly.

        A subclass with a training step of its own (two optimisers, say) trains eagerly.
        """
        own_step = type(self).train_step is PhaseNet.train_step
        acts_on_gradients = any(
            type(callback).on_grad_computed is not Callback.on_grad_computed
            for _, callback in self.callbacks_
        )
        if (self.cuda_graphs and own_step and not acts_on_gradients
                and CUDAGraphs.supports(self.device)):
            return CUDAGraphs
        return None

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        backend = self._graph_backend()
        if backend is not None:
            self._captured_step = CapturedTrainStep(self, super().train_step, backend)
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            # A graph holds device memory and cannot be pickled: it lives for one fit.
            captured, self._captured_step = self._captured_step, None
            self.graph_replays_ = captured.replays_ if captured is not None else 0

    def train_step(self, batch, **fit_params):
        if self._captured_step is not None:
            return self._captured_step(batch, **fit_params)
        return super().train_step(batch, **fit_params)

    def __getstate__(self):
        registered = self.cuda_dependent_attributes_
        self.cuda_dependent_attributes_ = [*registered, *DEVICE_STATE_PREFIXES]
        try:
            state = super().__getstate__()
        finally:
            self.cuda_dependent_attributes_ = registered
        state["cuda_dependent_attributes_"] = registered
        return state

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        x, index = batch
        output = self.infer(x, **fit_params)
        terms = self.criterion_(output, x, index)
        terms["loss"].backward()
        return {"loss": terms["loss"], "y_pred": output, "terms": terms}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        batch_losses, batch_sizes, term_sums = [], [], {}
        try:
            for batch in iterator:
                self.notify("on_batch_begin", batch=batch, training=training)
                step = step_fn(batch, **fit_params)
                size = batch[1].shape[0]
                batch_losses.append(step["loss"].detach())
                batch_sizes.append(size)
                for name, value in step["terms"].items():
                    if name != "loss":
                        term_sums[name] = term_sums.get(name, 0.0) + value.detach() * size
                self.notify("on_batch_end", batch=batch, training=training, **step)
        finally:
            # Also when a callback stops training mid-epoch (KeyboardInterrupt, as skorch's
            # EarlyStopping and DEC's tol do): keep what the finished batches measured.
            self._record_epoch(prefix, batch_losses, batch_sizes, term_sums)

    def _record_epoch(self, prefix, batch_losses, batch_sizes, term_sums):
        batch_rows = self.history[-1]["batches"]
        del batch_rows[len(batch_losses) :]  # rows opened for batches that never ran
        if not batch_losses:
            # Stopped before the first batch of the epoch: the epoch did not happen.
            del self.history[-1]
            return
        names = list(term_sums)
        host_values = torch.stack(batch_losses + [term_sums[n] for n in names]).tolist()
        # skorch opened one batch row per batch in on_batch_begin; fill them now.
        for row, loss, size in zip(batch_rows, host_values, batch_sizes):
            row[f"{prefix}_loss"] = loss
            row[f"{prefix}_batch_size"] = size
        n_seen = sum(batch_sizes)
        for name, total in zip(names, host_values[len(batch_losses) :]):
            self.history.record(f"{prefix}_{name}", total / n_seen)
        self.history.record(f"{prefix}_batch_count", len(batch_losses))

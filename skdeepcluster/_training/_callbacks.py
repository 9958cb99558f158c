"""Callbacks the methods add to their phase nets (user callbacks are skorch's own)."""

import math

import torch
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from ..exceptions import NonFiniteLossError
from ..losses import target_distribution
from ._inference import apply_in_chunks, evaluating


def check_user_callbacks(callbacks):
    """Check the ``callbacks`` parameter: skorch callbacks, or ``(name, callback)`` pairs.

    As in skorch, an entry may be a :class:`~skorch.callbacks.Callback` instance or class, and
    ``None`` in place of a callback is skipped.

    Raises
    ------
    TypeError
        For any other entry, at ``fit`` and before any training.
    """
    for entry in callbacks or ():
        callback = entry
        if isinstance(entry, tuple):
            if len(entry) != 2 or not isinstance(entry[0], str):
                raise TypeError(
                    f"A callbacks entry that is a tuple must be (name, callback) with a str "
                    f"name; got {entry!r}."
                )
            callback = entry[1]
        is_callback = isinstance(callback, Callback) or (
            isinstance(callback, type) and issubclass(callback, Callback)
        )
        if callback is not None and not is_callback:
            raise TypeError(
                "callbacks must hold skorch callbacks (skorch.callbacks.Callback instances) "
                f"or (name, callback) pairs; got {entry!r}."
            )


class NonFiniteLossGuard(Callback):
    """Stop training with :class:`NonFiniteLossError` when any loss term is NaN or infinite.

    Checked once per epoch on values already on the host, so it adds no synchronisation.

    Parameters
    ----------
    phase : str
        Name of the training phase, used in the error message.
    """

    def __init__(self, phase):
        self.phase = phase

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for key, value in row.items():
            if key.startswith("train_") and isinstance(value, float) and not math.isfinite(value):
                raise NonFiniteLossError(
                    f"The {key[len('train_'):]} loss became {value} in epoch {row['epoch']} of "
                    f"the {self.phase!r} phase. Rescale the input (e.g. to [0, 1] or unit "
                    "variance) or lower the learning rate."
                )


class PhaseProgressBar(Callback):
    """One tqdm bar per training phase, advanced per epoch with the current loss (verbose=1)."""

    def __init__(self, phase):
        self.phase = phase

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(total=net.max_epochs, desc=self.phase, unit="epoch", leave=True)

    def on_epoch_end(self, net, **kwargs):
        self.bar_.set_postfix(loss=f"{net.history[-1, 'train_loss']:.4g}", refresh=False)
        self.bar_.update(1)

    def on_train_end(self, net, **kwargs):
        self.bar_.close()
        del self.bar_


class TargetDistributionRefresh(Callback):
    """DEC's self-training schedule: refresh ``P`` over the whole data and test convergence.

    Every ``update_interval`` mini-batches the soft assignments ``Q`` of all samples are
    recomputed (batched, on the device, by the module's ``soft_assignment``: encoder and
    clustering layer only, so a decoder the objective trains is not run), the target
    distribution ``P`` (DEC Eq. 3) is handed to the criterion, and training stops once fewer
    than ``tol`` of the hard labels changed since the previous refresh (Xie et al., 2016,
    §3.1.3).

    Parameters
    ----------
    update_interval : int or None
        Mini-batches between refreshes; ``None`` refreshes once per epoch.
    tol : float
        Fraction of changed labels below which training stops; ``0`` never stops early.
    """

    def __init__(self, update_interval, tol):
        self.update_interval = update_interval
        self.tol = tol

    def on_train_begin(self, net, X=None, **kwargs):
        self.data_ = X.X
        self.n_batches_ = 0
        self.previous_labels_ = None
        self.label_change_ = []
        self.converged_ = False

    def _interval_in_batches(self, net):
        if self.update_interval is None:
            return -(-self.data_.shape[0] // net.batch_size)  # batches per epoch
        return self.update_interval

    def on_batch_begin(self, net, training=False, **kwargs):
        if training and self.n_batches_ % self._interval_in_batches(net) == 0:
            self._refresh(net)
        self.n_batches_ += 1

    def _refresh(self, net):
        with evaluating(net.module_) as module:
            q = apply_in_chunks(
                module.soft_assignment, self.data_, self.data_.device, to_numpy=False
            )
        net.criterion_.set_target(target_distribution(q))
        labels = q.argmax(dim=1)
        if self.previous_labels_ is not None:
            changed = (labels != self.previous_labels_).to(torch.float32).mean()
            self.label_change_.append(changed)
            # Reading the fraction waits for the device; without a tol there is nothing to
            # decide, so the values stay on the device until training ends.
            if self.tol > 0 and changed.item() < self.tol:
                self.converged_ = True
                raise KeyboardInterrupt  # skorch's way to end training early
        self.previous_labels_ = labels

    def on_train_end(self, net, **kwargs):
        if self.label_change_:  # one transfer for all refreshes
            self.label_change_ = torch.stack(self.label_change_).tolist()
        del self.data_, self.previous_labels_
        net.criterion_.target = None


class SimilarityWarmup(Callback):
    """DVAE's schedule for ``beta`` (Eq. 3.14): zero for the first ``warmup_epochs`` epochs.

    Parameters
    ----------
    weight : float
        ``beta`` once the warm-up is over.
    warmup_epochs : int
    """

    def __init__(self, weight, warmup_epochs):
        self.weight = weight
        self.warmup_epochs = warmup_epochs

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history)  # skorch has opened this epoch's row: 1-based
        net.criterion_.similarity_weight = self.weight if epoch > self.warmup_epochs else 0.0


class SampleMixtureWeightsUpdate(Callback):
    r"""DGG's update of the per-sample mixture weights ``pi_i`` (Eq. 30-31, Algorithm 1 step 8).

    After every training step the weights of the batch's centres are set to the maximiser of
    Eq. (30) under ``sum_k pi_ik = 1``:

    .. math::

        \pi_{ik} = \frac{1}{2} \Big( \gamma_{ik} + \sum_j w_{ij} \gamma_{jk} \Big),

    from the cluster posteriors of the step (detached). This is the Lagrange solution of
    Eq. (30) given ``sum_j w_ij = 1``; Eq. (31) as printed does not sum to one over ``k``.
    At the end of every epoch the prior's global ``pi`` is set to the mean of the ``pi_i``, so
    ``weights_`` and ``sample`` use the mixture the samples support.
    """

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if not training:
            return
        criterion = net.criterion_
        index = batch[1]
        gamma = y_pred.gamma.detach()
        n_centres, n_neighbors = index.shape[0], criterion.neighbor_weights.shape[1]
        own = gamma[:n_centres]
        if n_neighbors == 0:
            updated = own
        else:
            neighbors = gamma[n_centres:].view(n_centres, n_neighbors, -1)
            weights = criterion.neighbor_weights[index].unsqueeze(-1)
            updated = 0.5 * (own + (weights * neighbors).sum(1))
        criterion.sample_weights[index] = updated

    def on_epoch_end(self, net, **kwargs):
        mean_weights = net.criterion_.sample_weights.mean(0)
        with torch.no_grad():
            net.module_.prior.pi_logits.copy_(torch.log(mean_weights.clamp_min(1e-12)))

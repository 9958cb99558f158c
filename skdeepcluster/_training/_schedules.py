"""Learning-rate schedules of the training phases, as picklable skorch callbacks."""

from skorch.callbacks import LRScheduler
from torch.optim.lr_scheduler import LambdaLR

from ._phases import steps_per_epoch


class WarmupStepDecay:
    """Factor of the base learning rate after ``step`` optimiser steps: a linear warm-up over
    ``warmup_steps`` steps, times ``decay`` per ``decay_every`` steps.

    ``warmup_steps=0`` is the plain step decay. A class, not a closure, so that a fitted
    estimator holding the scheduler pickles.
    """

    def __init__(self, warmup_steps, decay, decay_every):
        self.warmup_steps = warmup_steps
        self.decay = decay
        self.decay_every = decay_every

    def __call__(self, step):
        warmup = min(1.0, (step + 1) / self.warmup_steps) if self.warmup_steps else 1.0
        return warmup * self.decay ** (step // self.decay_every)


def warmup_step_decay(*, warmup_steps, decay, decay_epochs, n_samples, batch_size):
    """A skorch callback for :class:`WarmupStepDecay`, stepped after every training batch.

    With ``warmup_steps=0`` the learning rate is that of ``StepLR(step_size=decay_epochs,
    gamma=decay)`` stepped once per epoch; the decay counts epochs of ``n_samples`` samples in
    batches of ``batch_size``.
    """
    factor = WarmupStepDecay(
        warmup_steps, decay, decay_epochs * steps_per_epoch(n_samples, batch_size)
    )
    return LRScheduler(LambdaLR, lr_lambda=factor, step_every="batch")

"""Exceptions and warnings raised by skdeepcluster."""


class NonFiniteLossError(FloatingPointError, ValueError):
    """A training loss became NaN or infinite.

    Raised at the end of the epoch in which it happened, naming the phase, the epoch and the loss
    term. It derives from :class:`ValueError` because the usual cause is input whose scale the
    networks cannot handle (or a learning rate far too large), which the caller can fix.
    """

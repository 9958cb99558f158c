"""Ctrl-C during ``fit``: end the whole fit, not only the training phase it falls in."""

import contextlib
import signal
import threading


class _Interrupted(BaseException):
    """What Ctrl-C raises inside :func:`interrupts_end_fit`: not a ``KeyboardInterrupt``, so
    skorch lets it through."""


def _raise_interrupted(signum, frame):
    raise _Interrupted


@contextlib.contextmanager
def interrupts_end_fit():
    """Make Ctrl-C (SIGINT) inside the block raise ``KeyboardInterrupt`` out of all of it.

    skorch ends training, and returns from ``NeuralNet.fit`` normally, on any
    ``KeyboardInterrupt`` (``EarlyStopping`` and DEC's ``tol`` raise one on purpose). A Ctrl-C
    with Python's default handler would therefore end only the current training phase, and the
    fit would go on with the next phase and end "fitted" after a fraction of its schedule.
    Inside this block SIGINT raises an exception skorch does not catch, which leaves the block
    as ``KeyboardInterrupt``.

    Only Python's default handler is replaced, and only in the main thread (the only one that
    can set handlers); a handler the caller installed is left as it is.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    signal.signal(signal.SIGINT, _raise_interrupted)
    try:
        yield
    except _Interrupted:
        raise KeyboardInterrupt from None
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)

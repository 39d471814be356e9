"""Stopping on request: SIGTERM and SIGHUP end a run as Ctrl-C (SIGINT) does.

A ``timeout``, a cancelled CI job or ``docker stop`` sends SIGTERM; a closed terminal sends
SIGHUP. Inside :func:`stop_on_signals` either one raises :class:`Terminated` in the main thread,
so that the same clean-up as for Ctrl-C runs: worker processes are ended, a half-written report
is removed, and the command exits with 128 + the signal's number.

Worker processes start with :func:`prepare_worker`: the default action for those signals (a
worker that is told to stop, stops), and, on Linux, the promise of SIGKILL should the process
that started them die without being able to end them (killed with SIGKILL, say).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from types import FrameType

__all__ = [
    "ENDING_SIGNALS",
    "STOPPING_SIGNALS",
    "Terminated",
    "deferred",
    "prepare_worker",
    "stop_on_signals",
]

#: The signals that end a run cleanly (SIGINT is Python's KeyboardInterrupt already).
STOPPING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: Every signal that ends a run: held back while worker processes are started or stopped.
ENDING_SIGNALS = (signal.SIGINT, *STOPPING_SIGNALS)
#: ``prctl`` option: the signal this process gets when the thread that created it ends.
_PR_SET_PDEATHSIG = 1


class Terminated(BaseException):
    """The run was asked to stop by a signal; not an error of the kit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process a signal ended."""
        return 128 + self.signum


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise :class:`Terminated` on SIGTERM and SIGHUP inside the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a library caller keeps its own
        return
    previous = {signum: signal.signal(signum, _raise) for signum in STOPPING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back inside the block; they arrive when it ends.

    Starting worker processes must not be cut off halfway (an exception raised inside the
    executor's bookkeeping can leave it hanging), and a process forked inside the block
    starts with the signals held, so that it cannot die of the parent's handler before
    :func:`prepare_worker` has set its own. Threads started inside the block hold them too.
    """
    if not hasattr(signal, "pthread_sigmask"):  # not on every platform
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def prepare_worker(parent: int | None = None) -> None:
    """In a new worker process: stop on SIGTERM and SIGHUP, leave SIGINT (Ctrl-C reaches the
    whole process group) to the main process, and die with the parent (Linux).

    ``parent`` is the process id of the process that forked this one, when it was forked
    directly: if that process died before the promise was made, the worker ends at once.
    """
    for signum in STOPPING_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held back by deferred() in the parent
        signal.pthread_sigmask(signal.SIG_UNBLOCK, ENDING_SIGNALS)
    prctl = _prctl()
    promised = prctl is not None and prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if promised and parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the promise was made


@cache
def _prctl() -> ctypes._NamedFuncPointer | None:
    """Linux's ``prctl``; ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

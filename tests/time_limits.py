"""A hard time limit for one fuzz case, so a hang fails the case instead of the suite."""

from __future__ import annotations

import contextlib
import signal


class Hang(BaseException):
    """A case ran past its alarm (not an ``Exception``: no boundary may swallow it)."""


@contextlib.contextmanager
def alarm(seconds: int):
    """Raise :class:`Hang` in the block after ``seconds`` (POSIX ``SIGALRM``)."""

    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

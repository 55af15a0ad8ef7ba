"""Clean stops on Ctrl-C and SIGTERM: the signal is noted, and the work stops at the next safe point.

A compiled kernel interrupted by Python's default ``KeyboardInterrupt`` can leave the interpreter
in a broken state (``SystemError``). Once :func:`install` has run (the ``ruralsim`` command does it),
a signal only sets a flag; the month loop calls :func:`check` between months, and code that waits
on other processes opens :func:`stop_at_once`, inside which the signal raises at once. Either way
:class:`Interrupted` carries the signal, and the command exits with ``128 + signal``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_state: dict[str, int | bool | None] = {"signal": None, "at_once": False}


class Interrupted(Exception):  # noqa: N818 (a signal, not a failure)
    """Work stopped because of SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """The shell's convention: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


def _note(signum: int, frame: FrameType | None) -> None:
    """Signal handler: remember the signal; raise only where that is safe."""
    _state["signal"] = signum
    if _state["at_once"]:
        raise Interrupted(signum)


def install() -> None:
    """Handle SIGINT and SIGTERM in this process by noting them (see the module docstring)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _note)


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived since :func:`install`."""
    if _state["signal"] is not None:
        raise Interrupted(int(_state["signal"]))


@contextmanager
def stop_at_once() -> Iterator[None]:
    """Inside this block (waiting on other processes, no compiled code) a signal raises immediately."""
    check()
    _state["at_once"] = True
    try:
        yield
    finally:
        _state["at_once"] = False


def ignore_in_worker() -> None:
    """Initializer of worker processes: leave Ctrl-C to the parent, which stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

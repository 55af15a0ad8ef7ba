"""Faults for the tests of interrupted work: a disk that fills up or a folder made read-only mid-run.

On ``PYTHONPATH`` of a child process, Python imports this module at start. ``RURALSIM_TEST_FAULT``
= ``ERRNO:N:PART`` makes every opening for writing of a path containing ``PART``, after the first
``N``, fail with that error (``ENOSPC``: no space left on device; ``EROFS``: read-only file
system), as the operating system would. Without the variable nothing changes.
"""

from __future__ import annotations

import builtins
import errno
import io
import os

_rule = os.environ.get("RURALSIM_TEST_FAULT")
if _rule:
    _name, _after, _part = _rule.split(":", 2)
    _code, _left = getattr(errno, _name), [int(_after)]
    _open = builtins.open

    def _failing_open(file, mode="r", *args, **kwargs):
        """``open`` that refuses writing under ``_part`` once ``_after`` files there have been written."""
        named = isinstance(file, str | os.PathLike) and _part in os.fspath(file)
        if named and any(m in mode for m in "wax+"):
            if _left[0] <= 0:
                raise OSError(_code, os.strerror(_code), os.fspath(file))
            _left[0] -= 1
        return _open(file, mode, *args, **kwargs)

    builtins.open = io.open = _failing_open

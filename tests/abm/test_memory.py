"""The allocator setting for the monthly temporaries: applied on Linux with glibc, and opt-out-able."""

from __future__ import annotations

import platform
import sys

import pytest

from abm.memory import OPT_OUT, keep_freed_memory

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_glibc_takes_the_settings(monkeypatch):
    """Every mallopt value is within what glibc accepts (it returns 0 and ignores a value it rejects)."""
    monkeypatch.delenv(OPT_OUT, raising=False)
    assert keep_freed_memory.__wrapped__() is True


def test_the_environment_variable_opts_out(monkeypatch):
    """With RURALSIM_KEEP_FREED_MEMORY=0 the allocator is left alone."""
    monkeypatch.setenv(OPT_OUT, "0")
    assert keep_freed_memory.__wrapped__() is False

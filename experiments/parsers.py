"""Strict parsers of option values, declared once for the command line and the page.

Each parser reads the raw text strictly (``12``, not ``12.0``, ``1e3`` or ``true``) and refuses a
value out of range with one message naming the value, why and what is allowed (:class:`OptionError`).
The command line (:mod:`experiments.cli.options`) declares its options with them; the page reads its
text fields with :func:`read_option`, so a value is refused there with the command line's message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import typer

from abm.core.checks import ScenarioError
from abm.core.params import declarations

_WHOLE = re.compile(r"[+-]?[0-9]+")


class OptionError(typer.BadParameter):
    """A command-line option's value is not allowed; the message gives the value, why and what is allowed."""

    def __init__(self, value: str, reason: str, allowed: str) -> None:
        super().__init__(f"{value}: {reason}; allowed: {allowed}")


def declare(parse: Callable, **accepts: object) -> Callable:
    """Record on a parser what it accepts (``parse.accepts``), for tools that walk the command line's
    declarations, such as the test that tries every option with valid and invalid values."""
    parse.accepts = accepts
    return parse


def whole(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """A parser of a whole number from ``lo`` to ``hi`` (no upper bound when None)."""
    allowed = f"a whole number from {lo:,} to {hi:,}" if hi is not None else f"a whole number, at least {lo:,}"

    def parse(text: str | int) -> int:
        if isinstance(text, int):  # a command's own default
            return text
        if not _WHOLE.fullmatch(text.strip()):
            raise OptionError(repr(text), "not a whole number", allowed)
        value = int(text)
        if value < lo or (hi is not None and value > hi):
            raise OptionError(text, "out of range", allowed)
        return value

    return declare(parse, kind="whole", lo=lo, hi=hi)


def number(lo: float, hi: float) -> Callable[[str], float]:
    """A parser of a finite decimal number from ``lo`` to ``hi`` (no nan, inf or true)."""
    allowed = f"a number from {lo:g} to {hi:g}"

    def parse(text: str | float) -> float:
        if isinstance(text, float | int):  # a command's own default
            return float(text)
        try:
            value = float(text)
        except ValueError:
            raise OptionError(repr(text), "not a number", allowed) from None
        if not math.isfinite(value):
            raise OptionError(text, "not a finite number", allowed)
        if not lo <= value <= hi:
            raise OptionError(text, "out of range", allowed)
        return value

    return declare(parse, kind="number", lo=lo, hi=hi)


def choice(*names: str) -> Callable[[str], str]:
    """A parser that accepts exactly one of ``names``."""

    def parse(text: str) -> str:
        if text not in names:
            raise OptionError(repr(text), "unknown", "one of " + ", ".join(names))
        return text

    return declare(parse, kind="choice", choices=names)


def _declared_range(name: str) -> tuple[int, int]:
    """The declared range of an integer parameter."""
    d = next(d for d in declarations() if d["name"] == name)
    return int(d["min"]), int(d["max"])


FARMERS_RANGE = _declared_range("farmers")
MONTHS_RANGE = (1, 1200)
SEED_RANGE = (0, 2**63 - 1)

#: the parsers of the shared options, which the page uses too (:func:`read_option`)
PARSE_FARMERS, PARSE_MONTHS = whole(*FARMERS_RANGE), whole(*MONTHS_RANGE)
PARSE_SEED, PARSE_REPLICATES = whole(*SEED_RANGE), whole(1, 100_000)


def read_option(option: str, parse: Callable[[str], Any], text: str | int) -> Any:
    """Read an option's text with its command-line parser, for the other surfaces (the page) to refuse a value
    with the command line's message (``--months = 0: out of range; allowed: ...``).

    Raises:
        ScenarioError: That message.
    """
    try:
        return parse(text if isinstance(text, int) else str(text))
    except OptionError as err:
        raise ScenarioError(f"{option} = {err.message}") from None

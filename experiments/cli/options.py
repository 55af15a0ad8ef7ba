"""The command-line options shared by ``run``, ``suite``, ``experiment``, ``sensitivity`` and ``validate``.

Each option is declared once here, with a parser that reads the raw text strictly (``12``, not
``12.0``, ``1e3`` or ``true``) and refuses a value out of range with one message naming the option,
the value and what is allowed (:class:`OptionError`; ``experiments/cli/app.py`` prints it and exits
with code 2 before any work starts). Commands of other issues reuse these definitions.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Annotated

import typer

from abm.core.params import Parameters, declarations
from abm.io.inputs import ScenarioError

ENGINES = ("local", "dask")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_MODEL_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")
MODEL_ALLOWED = ("module:function, the module importable (on PYTHONPATH), the function called as "
                 "f(scenario, seed=, months=, progress=) and returning series, regions and manifest (e.g. "
                 "abm.io.simulate:run)")


class OptionError(typer.BadParameter):
    """A command-line option's value is not allowed; the message gives the value, why and what is allowed."""

    def __init__(self, value: str, reason: str, allowed: str) -> None:
        super().__init__(f"{value}: {reason}; allowed: {allowed}")


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

    return parse


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

    return parse


def choice(*names: str) -> Callable[[str], str]:
    """A parser that accepts exactly one of ``names``."""

    def parse(text: str) -> str:
        if text not in names:
            raise OptionError(repr(text), "unknown", "one of " + ", ".join(names))
        return text

    return parse


def _declared_range(name: str) -> tuple[int, int]:
    """The declared range of an integer parameter."""
    d = next(d for d in declarations() if d["name"] == name)
    return int(d["min"]), int(d["max"])


FARMERS_RANGE = _declared_range("farmers")
MONTHS_RANGE = (1, 1200)
SEED_RANGE = (0, 2**63 - 1)

FarmersOpt = Annotated[int | None, typer.Option(
    parser=whole(*FARMERS_RANGE), metavar="N",
    help="Households, rounded to whole villages with a warning (none given: the scenario's).")]
MonthsOpt = Annotated[int | None, typer.Option(parser=whole(*MONTHS_RANGE), metavar="N",
                                               help="Months to simulate (none given: the file's).")]
ReplicatesOpt = Annotated[int | None, typer.Option(parser=whole(1, 100_000), metavar="N",
                                                   help="Replicate seeds (none given: the file's).")]
SeedOpt = Annotated[int | None, typer.Option(parser=whole(*SEED_RANGE), metavar="N",
                                             help="Random seed (none given: the scenario's).")]
RootSeedOpt = Annotated[int | None, typer.Option(parser=whole(*SEED_RANGE), metavar="N",
                                                 help="Root of the replicate seeds (none given: the file's).")]
EngineOpt = Annotated[str, typer.Option(parser=choice(*ENGINES), metavar="local|dask",
                                        help="local: process pool; dask: dask.distributed cluster.")]
WorkersOpt = Annotated[int | None, typer.Option(parser=whole(1, 4096), metavar="N",
                                                help="Worker processes (default: all cores).")]
PosteriorOpt = Annotated[int | None, typer.Option(
    parser=whole(1, 100_000), metavar="N",
    help="Run every arm over N calibration-posterior members (paired by member and seed).")]
SchedulerOpt = Annotated[str | None, typer.Option(help="Address of a running Dask scheduler (dask engine).")]
OutOpt = Annotated[Path | None, typer.Option(help="Output folder (default: under results/).")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace a finished run in --out instead of refusing.")]
WaitOpt = Annotated[bool, typer.Option(help="If another process is working in --out, wait until it finishes "
                                            "(then reuse its finished runs) instead of stopping.")]


def check_scheduler(engine: str, scheduler: str | None) -> None:
    """Refuse a scheduler address given without the dask engine (it would be ignored)."""
    if scheduler is not None and engine != "dask":
        raise ScenarioError(f"--scheduler {scheduler}: given with --engine {engine}; "
                            "allowed: --scheduler only with --engine dask")


def check_outcome(name: str, option: str = "--outcome") -> None:
    """Refuse, before any run, a name that is not a declared model-level outcome (:mod:`abm.measure.outcomes`).

    Raises:
        ScenarioError: Naming the option, the name given, the closest declared names and what is allowed.
    """
    from abm.measure.outcomes import series_outcome

    try:
        series_outcome(name)
    except ValueError as err:
        raise ScenarioError(f"{option} = {name!r}: {err}") from None


def model_function(text: str) -> str:
    """Parse ``--model``: an importable ``module:function`` that takes the runner's arguments (before any run)."""
    if not _MODEL_PATH.fullmatch(text):
        raise OptionError(repr(text), "not of the form module:function", MODEL_ALLOWED)
    module, _, name = text.partition(":")
    try:
        found = import_module(module)
    except ImportError as err:
        raise OptionError(repr(text), f"cannot import {module} ({err})", MODEL_ALLOWED) from None
    except Exception as err:  # noqa: BLE001 (a user's module failing to import is the user's error)
        raise OptionError(repr(text), f"importing {module} failed ({type(err).__name__}: {err})", MODEL_ALLOWED) from None
    if not hasattr(found, name):
        raise OptionError(repr(text), f"module {module} has no {name!r}", MODEL_ALLOWED)
    _check_model_interface(text, getattr(found, name))
    return text


def _check_model_interface(text: str, found: object) -> None:
    """Refuse a class (a mesa.Model too), something not callable, or a function without the runner's arguments."""
    if isinstance(found, type):
        from mesa import Model

        kind = "a mesa.Model class" if issubclass(found, Model) else "a class"
        raise OptionError(repr(text), f"is {kind}, not a model function",
                          MODEL_ALLOWED + "; wrap the class in such a function, as abm.io.simulate:run wraps RuralEconomy")
    if not callable(found):
        raise OptionError(repr(text), f"is a {type(found).__name__}, not a function", MODEL_ALLOWED)
    try:
        signature = inspect.signature(found)
        signature.bind(None, seed=0, months=1, progress=False)
        missing = [name for name in ("seed", "months", "progress") if name not in signature.parameters]
        problem = f"no parameter named {', '.join(missing)}" if missing else ""
    except (TypeError, ValueError) as err:  # ValueError: a callable whose signature Python cannot read
        problem = str(err)
    if problem:
        raise OptionError(repr(text), f"does not take (scenario, seed=, months=, progress=): {problem}", MODEL_ALLOWED)


ModelOpt = Annotated[str, typer.Option(parser=model_function, metavar="MODULE:FUNCTION",
                                       help="Model function (module:function), checked before any run.")]

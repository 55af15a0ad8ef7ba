"""The command-line options shared by ``run``, ``suite``, ``experiment``, ``sensitivity`` and ``validate``.

Each option is declared once here, with a parser of :mod:`experiments.parsers` that reads the raw text
strictly (``12``, not ``12.0``, ``1e3`` or ``true``) and refuses a value out of range with one message
naming the option, the value and what is allowed (:class:`~experiments.parsers.OptionError`;
``experiments/cli/app.py`` prints it and exits with code 2 before any work starts). Commands of other
issues reuse these definitions.
"""

from __future__ import annotations

import inspect
import re
import shlex
from importlib import import_module
from pathlib import Path
from typing import Annotated

import typer

from abm.io.inputs import ScenarioError
from experiments.parsers import PARSE_FARMERS, PARSE_MONTHS, PARSE_REPLICATES, PARSE_SEED, OptionError, choice, whole
from experiments.pool import DEFAULT_MODEL

ENGINES = ("local", "dask")
_MODEL_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*")
MODEL_ALLOWED = ("module:function, the module importable (on PYTHONPATH), the function called as "
                 "f(scenario, seed=, months=, progress=) and returning series, regions and manifest (e.g. "
                 "abm.io.simulate:run)")


FarmersOpt = Annotated[int | None, typer.Option(
    parser=PARSE_FARMERS, metavar="N",
    help="Households, rounded to whole villages with a warning (none given: the scenario's).")]
MonthsOpt = Annotated[int | None, typer.Option(parser=PARSE_MONTHS, metavar="N",
                                               help="Months to simulate (none given: the file's).")]
ReplicatesOpt = Annotated[int | None, typer.Option(parser=PARSE_REPLICATES, metavar="N",
                                                   help="Replicate seeds (none given: the file's).")]
SeedOpt = Annotated[int | None, typer.Option(parser=PARSE_SEED, metavar="N",
                                             help="Random seed (none given: the scenario's).")]
RootSeedOpt = Annotated[int | None, typer.Option(parser=PARSE_SEED, metavar="N",
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


_invoked: dict[str, list[str]] = {"args": []}


def remember_command_line(args: list[str]) -> None:
    """Keep the arguments the command was started with (``ruralsim`` itself left out), for :func:`command_line`."""
    _invoked["args"] = list(args)


def command_line(name: str) -> str:
    """The command as the user typed it (for reports and for saying how to run it again); ``ruralsim NAME`` when
    it was not started from the command line."""
    return "ruralsim " + shlex.join(_invoked["args"] or [name])


def given(value: object) -> bool:
    """Whether an option was given: a flag that is on, or a value that is not the ``None`` default."""
    return value is not None and value is not False


def refuse_together(first: tuple[str, object], second: tuple[str, object], why: str) -> None:
    """Refuse two options given together where one would silently win over the other.

    Raises:
        ScenarioError: Naming both options, why they conflict and what is allowed.
    """
    if given(first[1]) and given(second[1]):
        raise ScenarioError(f"{first[0]} with {second[0]}: {why}; allowed: one of them")


def refuse_without(option: tuple[str, object], needed: tuple[str, object], why: str) -> None:
    """Refuse an option that does nothing unless another is given too.

    Raises:
        ScenarioError: Naming the option, the one it needs and why.
    """
    if given(option[1]) and not given(needed[1]):
        raise ScenarioError(f"{option[0]}: given without {needed[0]} ({why}); allowed: {option[0]} only with "
                            f"{needed[0]}")


def check_scheduler(engine: str, scheduler: str | None, workers: int | None = None) -> None:
    """Refuse a scheduler address given without the dask engine (it would be ignored), with ``--workers``
    (a running scheduler has its own), or where no scheduler answers (before any work starts)."""
    if scheduler is not None and engine != "dask":
        raise ScenarioError(f"--scheduler {scheduler!r}: given with --engine {engine}; "
                            "allowed: --scheduler only with --engine dask")
    refuse_together(("--workers", workers), ("--scheduler", scheduler),
                    "a running scheduler has its own workers, so --workers would be ignored")
    if scheduler is not None:
        reach_scheduler(scheduler)


def reach_scheduler(address: str, timeout: float | None = None) -> None:
    """Check, within ``timeout`` seconds (default :data:`experiments.runner.SCHEDULER_TIMEOUT_S`), that a Dask
    scheduler answers at ``address``.

    The address is parsed by Dask's own parser; a TCP connection is tried first (a refusal or an
    unknown host is known at once), then the scheduler is asked who it is. Dask's client alone would
    wait without end on a port where something else listens and says nothing.

    Raises:
        ScenarioError: Naming ``--scheduler``, the address, what went wrong and what to check.
    """
    # start-up time: only a dask scheduler's check needs the distributed client
    import asyncio
    import socket

    # start-up time: only a dask scheduler's check needs the distributed client
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.core import rpc

    # start-up time: only a dask scheduler's check needs the distributed client
    from experiments.runner import SCHEDULER_ALLOWED, SCHEDULER_TIMEOUT_S

    timeout = SCHEDULER_TIMEOUT_S if timeout is None else timeout

    async def identity() -> dict:
        async with rpc(address, timeout=timeout) as scheduler:
            return await scheduler.identity()

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as err:
        raise ScenarioError(f"--scheduler = {address!r}: not an address ({err}); allowed: {SCHEDULER_ALLOWED}") from None
    if scheme != "tcp" or not host or not 0 < port < 65536:
        raise ScenarioError(f"--scheduler = {address!r}: not a tcp:// address with a host and a port from 1 "
                            f"to 65535; allowed: {SCHEDULER_ALLOWED}")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
        answer = asyncio.run(asyncio.wait_for(identity(), timeout))
    except OSError as err:
        why = f"no answer within {timeout:g} s" if isinstance(err, TimeoutError) else (err.strerror or str(err))
        raise ScenarioError(f"--scheduler = {address}: no Dask scheduler reachable there ({why}); check that the "
                            f"scheduler runs, the host name and port, and any firewall between; allowed: "
                            f"{SCHEDULER_ALLOWED}") from None
    except Exception as err:  # noqa: BLE001 (whatever listens there spoke, but not as a scheduler)
        answer = {"type": f"something that answered {type(err).__name__}"}
    if answer.get("type") != "Scheduler":
        raise ScenarioError(f"--scheduler = {address}: not a Dask scheduler (it is {answer.get('type')}); allowed: "
                            f"{SCHEDULER_ALLOWED}")


def check_outcome(name: str, option: str = "--outcome") -> None:
    """Refuse, before any run, a name that is not a declared model-level outcome (:mod:`abm.measure.outcomes`).

    Raises:
        ScenarioError: Naming the option, the name given, the closest declared names and what is allowed.
    """
    from abm.measure.outcomes import series_outcome  # start-up time: a command imports what it runs only when it runs

    try:
        series_outcome(name)
    except ValueError as err:
        raise ScenarioError(f"{option} = {name!r}: {err}") from None


def model_function(text: str) -> str:
    """Parse ``--model``: an importable ``module:function`` that takes the runner's arguments (before any run).

    The project's own model is taken as it is (its interface is tested): importing it here would load
    the whole model into a command that only plans and hands the runs to workers that load it anyway.
    """
    if text == DEFAULT_MODEL:
        return text
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
        from mesa import Model  # start-up time: a command imports what it runs only when it runs

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


#: what ``--token`` accepts: what ``secrets.token_urlsafe`` makes, at least 16 characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,256}")
TOKEN_ALLOWED = "16 to 256 letters, digits, '-' or '_' (or leave --token out: one is made and printed)"


def token_text(text: str) -> str:
    """Parse ``ruralsim ui --token``: 16 to 256 URL-safe characters (the message gives its length, never the token).

    Raises:
        OptionError: A token that is too short, too long or has other characters.
    """
    if not TOKEN_PATTERN.fullmatch(text):
        raise OptionError(f"{len(text)} characters", "not a token", TOKEN_ALLOWED)
    return text


ModelOpt = Annotated[str, typer.Option(parser=model_function, metavar="MODULE:FUNCTION",
                                       help="Model function (module:function), checked before any run.")]

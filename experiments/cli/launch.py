"""The ``ruralsim`` entry point: starts the local engine's fork server before the command line's own imports.

A batch command's workers fork from a server that imports the model and loads its compiled kernels
(:mod:`experiments.pool`); the command line itself imports typer, rich, pandas and the experiment
machinery. Started here, before those imports, the server loads on the second core while the command
imports on the first, so that a small batch's first runs start about two seconds sooner. This module
imports only the standard library and :mod:`experiments.pool`, so a fork server that imports the
entry script (as it does every main script) pays nothing for it.

The options are read from the command line as typed (``--engine``, ``--workers``, ``--model``, with
a space or ``=``); anything this reading does not understand only means the server starts later, when
the command asks for it, as it did before. A command that ends without using the server (bad input,
every run already done) ends it at exit.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

from experiments.pool import DEFAULT_MODEL, preload_modules, resume_collector, start_early

#: the commands that run batches and take ``--engine`` and ``--workers`` (a test checks this against the app)
BATCH_COMMANDS = frozenset({"experiment", "sensitivity", "drivers", "suite", "optimise", "validate", "calibrate"})


def option(args: Sequence[str], name: str) -> str | None:
    """The value given to ``name`` (``--name VALUE`` or ``--name=VALUE``; the last one counts), or None."""
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(f"{name}="):
            value = arg.partition("=")[2]
    return value


def start_workers_for(args: Sequence[str]) -> None:
    """Start the fork server now if ``args`` name a batch command on the local engine with more than one worker."""
    if not args or args[0] not in BATCH_COMMANDS or "--help" in args:
        return
    workers = option(args, "--workers")
    start_early(option(args, "--engine") or "local", int(workers) if workers and workers.isdigit() else None,
                preload_modules(option(args, "--model") or DEFAULT_MODEL))


def main() -> None:
    """Run the ``ruralsim`` command line, its fork server started first where a batch will need it.

    The garbage collector rests during the command line's imports, which are then frozen (as in the
    fork server, :mod:`experiments.gc_pause`); at the end everything is frozen, so that the
    interpreter's last collections at exit skip it (about 0.3 s of a command that imported the model).
    """
    start_workers_for(sys.argv[1:])
    gc.disable()
    # start-up time: the command line's imports come after the fork server has started (the module's reason)
    from experiments.cli.app import main as run_command

    resume_collector()
    try:
        run_command()
    finally:
        gc.freeze()

"""The ``ruralsim`` entry point starts a batch command's fork server before the command line's imports."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from experiments.cli import launch
from experiments.cli.app import app
from experiments.pool import DEFAULT_MODEL, preload_modules


def test_batch_commands_are_the_commands_with_workers():
    """Every command that takes --workers (and only those) starts its fork server at launch."""
    with_workers = {command.name or command.callback.__name__ for command in app.registered_commands
                    if "workers" in inspect.signature(command.callback).parameters}
    assert launch.BATCH_COMMANDS == with_workers


def test_the_preloaded_modules_are_the_workers_and_the_models():
    """The names the fork server imports are the modules a worker runs (a rename would leave them stale)."""
    import experiments.warm_kernels as warm  # importing it runs the tiny world once
    import experiments.worker as worker

    assert preload_modules(DEFAULT_MODEL) == [worker.__name__, worker.DEFAULT_MODEL.partition(":")[0], warm.__name__]
    assert preload_modules("tests.toy:run") == [worker.__name__, "tests.toy"]


def test_the_installed_command_is_the_launcher():
    """The console script runs the launcher, not the app, so the server starts before typer and pandas load."""
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "ruralsim"]
    assert script.value == "experiments.cli.launch:main"


@pytest.mark.parametrize(("args", "expected"), [
    (["--workers", "2"], "2"), (["--workers=3"], "3"), (["--workers", "2", "--workers", "4"], "4"),
    (["--out", "x"], None), (["--workers"], None),
])
def test_option_reads_the_value_as_typed(args, expected):
    """A space or an equals sign; the last one counts; none or a missing value: None."""
    assert launch.option(args, "--workers") == expected


@pytest.mark.parametrize(("args", "call"), [
    (["experiment", "example", "--workers", "2"], ("local", 2, preload_modules(DEFAULT_MODEL))),
    (["suite", "trust", "--engine=dask"], ("dask", None, preload_modules(DEFAULT_MODEL))),
    (["sensitivity", "f.toml", "--model", "tests.toy:run", "--workers", "two"],
     ("local", None, preload_modules("tests.toy:run"))),
    (["run", "--workers", "2"], None),
    (["experiment", "--help"], None),
    ([], None),
])
def test_which_command_lines_start_the_server(monkeypatch, args, call):
    """Batch commands start it (a worker count it cannot read is left to the command); others and --help do not."""
    calls = []
    monkeypatch.setattr(launch, "start_early", lambda *a: calls.append(a))
    launch.start_workers_for(args)
    assert calls == ([call] if call else [])


def test_the_command_line_plans_a_batch_without_loading_the_model():
    """The command line, the runner and the default --model load neither Mesa nor the compiled kernels: the workers do.

    Only the fork server (and a one-worker batch, in process) pays for the model's imports, so a
    batch's runs start as soon as the command has planned them.
    """
    code = ("import json, sys\n"
            "import experiments.cli.app, experiments.runner\n"
            "from experiments.cli.options import model_function\n"
            "from experiments.pool import DEFAULT_MODEL\n"
            "model_function(DEFAULT_MODEL)\n"
            "print(json.dumps(sorted(m for m in ('mesa', 'numba', 'networkx', 'abm.model') if m in sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout.splitlines()[-1]) == []


def test_server_runs_before_the_command_line_is_imported():
    """In a fresh process, the launcher's first step leaves a fork server running and the app not yet imported."""
    code = ("import json, sys, multiprocessing.forkserver as f\n"
            "from experiments.cli.launch import start_workers_for\n"
            "start_workers_for(['experiment', 'example', '--workers', '2'])\n"
            "print(json.dumps([f._forkserver._forkserver_pid is not None, 'experiments.cli.app' in sys.modules,"
            " 'pandas' in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout.splitlines()[-1]) == [True, False, False]

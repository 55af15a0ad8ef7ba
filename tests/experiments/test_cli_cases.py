"""The cases of issue 33: a one-objective optimisation writes its report, an unreachable Dask scheduler is
named at once, ``ui``'s options are checked before the server starts, conflicting flags are refused, and
``optimise`` and ``calibrate`` take their folder's lock (or ``--wait``) like ``experiment``."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from exphelpers import SMALL, invoke, subprocess_env, write

from abm.io.scenario import ScenarioError, load_scenario
from experiments.calibration.calibrate import ModelSimulator
from experiments.policy import report as optimise_report
from test_optimise import ZDT1
from test_output_safety import cli, hold

#: ZDT1's three levers and only its first objective: the kind of problem a user writes first
ONE_OBJECTIVE = ZDT1.format(generations=2, objectives='[[objectives]]\noutcome = "f1"\ndirection = "min"\n')


def one_objective_file(folder: Path, suffix: str) -> Path:
    """The first problem a user writes: two levers, one objective (TOML, or the same as YAML)."""
    if suffix == "toml":
        return write(folder, ONE_OBJECTIVE, "one.toml")
    import tomllib

    return write(folder, yaml.safe_dump(tomllib.loads(ONE_OBJECTIVE)), "one.yaml")


@pytest.mark.parametrize("suffix", ["toml", "yaml"])
def test_one_objective_optimisation_writes_its_report_and_named_solution(tmp_path: Path, suffix: str) -> None:
    """Every evaluation, then the report: the objective drawn on its own (no trade-off), the best as a scenario."""
    out = tmp_path / "out"
    code, stdout, err = invoke("optimise", str(one_objective_file(tmp_path, suffix)), "--model", "exphelpers:zdt1",
                               "--workers", "1", "--out", str(out))
    assert code == 0, err
    assert "Traceback" not in err and "Report: " in stdout
    report = (out / "report.md").read_text()
    assert "## The objective" in report and "![objective](objective.png)" in report and "tradeoff" not in report
    assert (out / "objective.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and not (out / "tradeoff.png").exists()
    candidates = pd.read_parquet(out / "candidates.parquet")
    best = candidates.loc[candidates.f1.idxmin()]
    scenario = load_scenario(out / "solutions" / "best_f1.toml")
    assert scenario.parameters.trained_share == pytest.approx(best.trained_share)
    assert not (out / "solutions" / "compromise.toml").exists()  # with one objective the best is the compromise
    others = {p.name for p in (out / "solutions").iterdir()} - {"best_f1.toml"}
    assert len(others) == candidates.pareto.sum() - 1 and all(n.startswith("pareto_") for n in others)  # ties
    assert pd.read_csv(out / "pareto.csv").solution.fillna("").tolist().count("best_f1") == 1


def test_a_report_that_fails_keeps_the_evaluations_and_says_how_to_write_it_again(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    """A figure that breaks: code 1, one line naming what is kept and the command; that command writes the report
    without redoing a run."""
    file, out = one_objective_file(tmp_path, "toml"), tmp_path / "out"
    args = ("optimise", str(file), "--model", "exphelpers:zdt1", "--workers", "1", "--out", str(out))

    def broken(*_: object) -> None:
        raise ValueError("cannot write empty image")

    monkeypatch.setattr(optimise_report, "plot_parallel", broken)
    code, _, err = invoke(*args)
    last = err.strip().splitlines()[-1]  # after the runs' progress bars
    assert code == 1 and "Traceback" not in err and "error" not in err.replace(last, "")
    assert last.startswith(f"error: the report of {out} could not be written (ValueError: cannot write empty image)")
    assert "evaluations are kept in" in last and f"run `ruralsim optimise {file} --model exphelpers:zdt1" in last
    assert last.endswith("again to write the report (no finished run is redone)")
    assert (out / "evaluations.parquet").is_file() and not (out / "report.md").exists()
    monkeypatch.undo()
    code, stdout, err = invoke(*args)
    assert code == 0, err
    assert "(0 new)" in stdout and (out / "report.md").is_file()


def _ruralsim(*args: str, cwd: Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    """Run the real command line; its result and wall time."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "experiments.cli.app", *args], cwd=cwd, env=subprocess_env(),
                          capture_output=True, text=True, timeout=timeout)
    return done, time.monotonic() - start


def test_an_unreachable_dask_scheduler_is_named_before_any_run(tmp_path: Path) -> None:
    """Nothing listening at the address: code 2 at once, the address and what to check, no run, no traceback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once the socket closes
    address = f"tcp://127.0.0.1:{port}"
    done, _ = _ruralsim("experiment", "example", "--engine", "dask", "--scheduler", address, "--out", "o", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith(f"error: --scheduler = {address}: no Dask scheduler reachable there (Connection "
                                  "refused); check that the scheduler runs")
    assert not (tmp_path / "o").exists()


def test_something_else_listening_is_not_taken_for_a_scheduler(tmp_path: Path) -> None:
    """A port where something accepts and says nothing (Dask's client would wait there without end): refused
    within the check's time, naming the address."""
    from experiments.runner import SCHEDULER_TIMEOUT_S

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    threading.Thread(target=lambda: [server.accept() for _ in range(4)], daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    start = time.monotonic()
    code, _, err = invoke("suite", "trust", "--engine", "dask", "--scheduler", address, "--out", str(tmp_path / "o"))
    assert code == 2 and err.startswith(f"error: --scheduler = {address}: no Dask scheduler reachable there (no "
                                        f"answer within {SCHEDULER_TIMEOUT_S:g} s)")
    assert time.monotonic() - start < 3 * SCHEDULER_TIMEOUT_S
    server.close()


def test_a_running_scheduler_is_accepted(tmp_path: Path) -> None:
    """A real Dask scheduler passes the check (then its own workers run the experiment; --workers is refused)."""
    from dask.distributed import LocalCluster

    from abm.io.scenario import ScenarioError
    from experiments.cli.options import check_scheduler

    with LocalCluster(n_workers=0, processes=False, protocol="tcp", dashboard_address=None) as cluster:
        check_scheduler("dask", cluster.scheduler_address)
        with pytest.raises(ScenarioError, match="--workers with --scheduler: a running scheduler has its own workers"):
            check_scheduler("dask", cluster.scheduler_address, 2)


@pytest.mark.parametrize(("args", "message"), [
    (("--port", "99999"), "error: --port = 99999: out of range; allowed: a whole number from 1 to 65,535"),
    (("--port", "http"), "error: --port = 'http': not a whole number"),
    (("--host", "no.such.host.invalid"), "error: --host = 'no.such.host.invalid': not an address or name this "
                                         "machine can resolve"),
    (("--host", "203.0.113.7"), "error: --host = 203.0.113.7: cannot listen there"),
    (("--token", "short"), "error: --token = 5 characters: not a token; allowed: 16 to 256 letters"),
])
def test_ui_options_are_checked_before_the_server_starts(monkeypatch, args: tuple[str, ...], message: str) -> None:
    """A bad port, host or token: code 2 and one line; the server is never started."""
    from viz import serve

    monkeypatch.setattr(serve.os, "execve", lambda *a: pytest.fail("the server was started"))
    code, _, err = invoke("ui", *args)
    assert code == 2 and err.startswith(message) and "Traceback" not in err, err


def test_ui_on_a_port_in_use_names_it_and_a_free_one(monkeypatch) -> None:
    """A port something listens on is refused before the server starts, suggesting the next free port."""
    from viz import serve

    monkeypatch.setattr(serve.os, "execve", lambda *a: pytest.fail("the server was started"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = invoke("ui", "--port", str(port))
    assert code == 2 and err.startswith(f"error: --port = {port}: in use on 127.0.0.1")
    suggested = int(err.split("e.g. --port ")[1].split()[0])
    assert port < suggested <= port + 50


@pytest.mark.parametrize(("args", "message"), [
    (("params", "--json", "--markdown"), "error: --json with --markdown: they are two formats of the same list; "
                                         "allowed: one of them"),
    (("run", "--panel", "monthly", "--panel-months", "0,6"), "error: --panel with --panel-months"),
    (("run", "--overwrite"), "error: --overwrite: given without --out"),
    (("experiment", "example", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"),
     "error: --workers with --scheduler"),
    (("calibrate", "--dry-run", "--out", "somewhere"), "error: --dry-run with --out"),
])
def test_conflicting_flags_are_refused_naming_both(tmp_path: Path, monkeypatch, args: tuple[str, ...],
                                                   message: str) -> None:
    """Two options of which one would silently win: code 2, both named, nothing run or written."""
    monkeypatch.chdir(tmp_path)
    code, stdout, err = invoke(*args)
    assert code == 2 and err.startswith(message) and not stdout, err
    assert not any(tmp_path.iterdir())


def test_optimise_takes_its_folder_lock_or_waits_for_it(tmp_path: Path) -> None:
    """While another process holds --out, optimise stops naming it; with --wait it waits, then runs."""
    file, out = one_objective_file(tmp_path, "toml"), tmp_path / "out"
    holder = hold(out)
    args = ("optimise", str(file), "--model", "exphelpers:zdt1", "--workers", "1", "--out", str(out))
    refused = cli(*args, cwd=tmp_path)
    _, err = refused.communicate(timeout=300)
    assert refused.returncode == 2 and err.startswith(f"error: --out = {out}: in use by pid {holder.pid} on ")
    assert not (out / "runs").exists()
    waiting = cli(*args, "--wait", cwd=tmp_path)
    assert waiting.stderr.readline().startswith(f"waiting: --out = {out} is in use by pid {holder.pid} ")
    holder.communicate("\n", timeout=60)
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert (out / "report.md").is_file()


def test_calibrate_takes_its_work_folder_lock_or_waits_for_it(tmp_path: Path) -> None:
    """While another process holds --work, calibrate stops naming it (before any run); with --wait it waits."""
    work = tmp_path / "work"
    holder = hold(work)
    args = ("calibrate", "--quick", "--work", str(work), "--dry-run", "--workers", "1")
    refused = cli(*args, cwd=tmp_path)
    _, err = refused.communicate(timeout=300)
    assert refused.returncode == 2 and err.startswith(f"error: --work = {work}: in use by pid {holder.pid} on ")
    waiting = cli(*args, "--wait", cwd=tmp_path)
    assert waiting.stderr.readline().startswith(f"waiting: --work = {work} is in use by pid {holder.pid} ")
    time.sleep(1.0)
    assert waiting.poll() is None and sorted(p.name for p in work.iterdir()) == [".lock", ".lock.json"]
    waiting.kill()
    waiting.communicate(timeout=60)
    holder.communicate("\n", timeout=60)


# --- what the fuzzer (test_cli_fuzz.py) found on its first runs, each kept as a plain case ---------------------

def test_yaml_errors_and_odd_keys_stay_one_message(tmp_path: Path) -> None:
    """A YAML syntax error is one line with its place; a key with newlines is quoted, not broken across lines."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("base: default\nmonths: 2\nname")
    code, _, err = invoke("experiment", str(bad))
    assert code == 2 and err == (f"error: {bad}: not valid YAML: while scanning a simple key, could not find "
                                 "expected ':' (line 3, column 5)\n")
    odd = tmp_path / "odd.yaml"
    odd.write_text("? '\n\n  '\n: null\nname: fz\narms:\n  a: {commission: 0.1}\n")
    code, _, err = invoke("experiment", str(odd))
    assert code == 2 and "  '\\n': unknown key (value None)" in err and len(err.strip().split("\n")) == 2


def test_control_characters_in_a_value_are_shown_escaped(tmp_path: Path) -> None:
    """A value with control characters (a line separator, a terminal escape) cannot break or colour the message."""
    code, _, err = invoke("experiment", "example", "--scheduler", "#\x1dI\x1b[31m")
    assert code == 2 and err == ("error: --scheduler '#\\x1dI\\x1b[31m': given with --engine local; allowed: "
                                 "--scheduler only with --engine dask\n")
    code, _, err = invoke("describe", str(tmp_path / "a\nb\x85c"))  # a newline in a path: no new line of the message
    assert code == 2 and err.count("\n") == 1 and "a\\nb\\x85c: no Parquet files there" in err


def test_calibrate_refuses_a_bad_work_folder_or_facts_file_before_making_anything(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    """--work naming a file, or a facts file without targets: code 2, and no results/calibrate left behind."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    code, _, err = invoke("calibrate", "--quick", "--dry-run", "--work", "file")
    assert code == 2 and err.startswith(f"error: --work = file: {tmp_path / 'file'} is a file")
    code, _, err = invoke("calibrate", "--quick", "--dry-run", "--facts", ".")
    assert code == 2 and err.startswith("error: .: no such facts file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_discovery_over_an_experiment_with_one_varied_parameter(tmp_path: Path) -> None:
    """Two arms that differ in one parameter: one feature, which EMA Workbench's default would score with none."""
    experiment = write(tmp_path, SMALL.format(replicates=2).replace("months = 12", "months = 2"))
    out = tmp_path / "out"
    assert invoke("experiment", str(experiment), "--workers", "1", "--out", str(out))[0] == 0
    code, stdout, err = invoke("discover", str(out), "--where", "commission > 0.05")
    assert code == 0, err
    assert (out / "discovery" / "report.md").is_file() and "commission" in stdout


def test_calibrating_a_world_no_parameter_set_can_fit_says_so(tmp_path: Path, monkeypatch) -> None:
    """A world no parameter set fits: code 2 naming the settings and what is allowed, the runs kept for a rerun.

    450 households, one wave of 4 points: no point is consistent with every target (before: a traceback).
    """
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("calibrate", "--quick", "--farmers", "450", "--points", "4", "--waves", "1", "--check", "1",
                          "--workers", "1", "--dry-run", "--work", "work")
    last = err.strip().split("\n")[-1]
    assert code == 2 and "Traceback" not in err
    assert last.startswith("error: --farmers = 450, --waves = 1, --points = 4: no design point is consistent with "
                           "every target fact") and last.endswith("the runs are kept in work")
    assert len(list((tmp_path / "work" / "wave1" / "runs").glob("*.parquet"))) == 8


def test_a_target_fact_measured_at_no_design_point_is_refused_by_name() -> None:
    """A fact with no finite value at any point and seed has nothing to emulate: refused, naming it and the world."""
    facts = [SimpleNamespace(id="branded_share"), SimpleNamespace(id="unbranded_price_ratio")]
    simulator = SimpleNamespace(facts=facts, settings=SimpleNamespace(farmers=450), work=Path("work"))
    values = np.stack([np.full((4, 2), 0.05), np.full((4, 2), np.nan)], axis=-1)  # points x seeds x facts
    with pytest.raises(ScenarioError, match=r"^--farmers = 450: wave 1: fact\(s\) unbranded_price_ratio \(0 of 4 "
                                            r"points\) measured at no point"):
        ModelSimulator.check_measured(simulator, values, 1)
    ModelSimulator.check_measured(simulator, values[..., :1], 1)  # measured everywhere: accepted

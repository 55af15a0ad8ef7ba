"""Malformed inputs are refused before any work: exit code 2, one message naming the field, no traceback.

The whole corpus (``badinputs.py``) goes through the command's entry point ``experiments.cli.app.main``
in this process (fast); the cases the issue lists go through the real command line in child
processes, all at once.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from badinputs import CASES
from exphelpers import subprocess_env

from experiments.cli import app as cli

#: the cases of issue 21's list, by their command lines (each through the real ``ruralsim``)
LISTED = [
    "nosuch", "run {d}/bomb.yaml", "run {d}/binary.toml", "run {d}", "run --seed -1", "experiment example --months 0",
    "experiment example --workers 0", "suite trust --replicates 0", "suite trust --farmers 50",
    "sensitivity example --outcome adoption --workers -1", "run {d}/empty.toml", "run {d}/dup.yaml",
    "run --set commission=false", "run {d}/text.toml", "validate --months 1", "run {d}/nan.toml",
    "run {d}/true.toml", "run {d}/badseed.toml", "experiment {d}/lhs.toml",
]


def normalise(text: str) -> str:
    """Collapse whitespace, so that a message wrapped across lines still matches."""
    return " ".join(text.split())


def materialise(folder: Path, files: dict[str, str | bytes], argv: list[str]) -> list[str]:
    """Write a case's files into ``folder`` and return its command line with ``{d}`` filled in."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return [arg.replace("{d}", str(folder)) for arg in argv]


@pytest.fixture
def signals_restored():
    """``cli.main`` installs its signal handlers; give pytest its own back afterwards."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def test_corpus_has_at_least_sixty_cases_of_every_kind():
    """The corpus covers files, values, experiment files, options and output folders."""
    kinds = Counter(kind for kind, _, _ in CASES)
    assert len(CASES) >= 60 and set(kinds) == {"file", "value", "experiment", "option", "output"}


@pytest.mark.parametrize(("kind", "case", "expected"), CASES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(CASES)])
def test_malformed_input_exits_2_naming_the_field(tmp_path, monkeypatch, capsys, signals_restored,
                                                  kind, case, expected):
    """Each malformed input ends with code 2 and an ``error:`` message naming what is wrong and what is allowed."""
    argv = materialise(tmp_path, *case)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["ruralsim", *argv])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    err = normalise(capsys.readouterr().err)
    assert stop.value.code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err
    for part in expected:
        assert normalise(part) in err
    assert not (tmp_path / "results").exists()  # nothing was run or written


def _listed_files(folder: Path) -> None:
    """The files the listed cases read."""
    from badinputs import BOMB

    texts = {"bomb.yaml": BOMB, "empty.toml": "", "dup.yaml": "name: a\nname: b\n",
             "text.toml": "[parameters]\ncommission = '0.1'\n", "nan.toml": "[parameters]\ncommission = nan\n",
             "true.toml": "[parameters]\ncommission = true\n", "badseed.toml": "seed = 'x'\n",
             "lhs.toml": "[design]\nkind = 'lhs'\nparameters = ['trust_mechanism']\nsamples = 4\n"}
    for name, text in texts.items():
        (folder / name).write_text(text)
    (folder / "binary.toml").write_bytes(bytes(range(256)))


def test_listed_cases_through_the_real_command_line(tmp_path):
    """The issue's cases, each run as ``python -m experiments.cli.app``: code 2, one message, no traceback."""
    _listed_files(tmp_path)
    procs = [(line, subprocess.Popen([sys.executable, "-m", "experiments.cli.app", *line.format(d=tmp_path).split()],
                                     cwd=tmp_path, env=subprocess_env(), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)) for line in LISTED]
    for line, proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, (line, err)
        assert err.startswith("error: ") and "Traceback" not in err + out, (line, err)
    assert not (tmp_path / "results").exists()

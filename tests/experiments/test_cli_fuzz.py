"""A fuzzer that knows every surface: any command line ``ruralsim`` declares, valid or not, ends cleanly.

Hypothesis draws command lines from the command tree typer builds (``cliwalk.py``: every command,
argument and option with its declared type and range; files and folders valid, mutated or damaged) and
runs each in this process with the work itself replaced. Each must:

- exit with code 0 or 2, or reach the work (every check passed);
- print no traceback on either stream;
- on code 2, end with one ``error:`` line that names an option, argument or the file or folder given;
- on code 2, leave no new file or folder behind (a refused command writes nothing).

It tries ``RURALSIM_FUZZ_EXAMPLES`` command lines of every command (default 25, derandomised so that
CI runs the same ones every time: about two minutes); a longer, random run:
``RURALSIM_FUZZ_EXAMPLES=500 RURALSIM_FUZZ_RANDOM=1 pytest tests/experiments/test_cli_fuzz.py``. What it tried (distinct command/option combinations, valid
and invalid values per option, outcomes) is written to ``test-results/cli_fuzz.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from cliwalk import COMMANDS, ROOT, Line, command_lines, inside, materialise, names_of, run, tree, work_replaced
from exphelpers import write
from hypothesis import HealthCheck, given, settings
from test_optimise import OBJECTIVES, ZDT1

EXAMPLES = int(os.environ.get("RURALSIM_FUZZ_EXAMPLES", "25"))  # per command
RANDOM = os.environ.get("RURALSIM_FUZZ_RANDOM", "") not in ("", "0")
SUMMARY = ROOT / "test-results" / "cli_fuzz.json"
TRIED: dict[str, Counter] = {"combinations": Counter(), "values": Counter(), "outcomes": Counter(),
                              "by_command": Counter()}

EXPERIMENT = """
name = "fz"
months = 2
replicates = 2
root_seed = 1
parameters = { farmers = 450 }
outcomes = ["income_mean", "adoption", "gini"]
[arms.low]
commission = 0.03
[arms.high]
commission = 0.12
"""

PROBLEM = ZDT1.format(generations=2, objectives=OBJECTIVES)  # two objectives of a stand-in model


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A finished run, an experiment and an optimisation (stand-in model), made once by the real commands."""
    from cliwalk import run as ruralsim

    folder = tmp_path_factory.mktemp("fuzz_fixtures")
    made = {"run": folder / "run", "experiment": folder / "experiment", "optimisation": folder / "optimisation"}
    lines = [["run", "--months", "2", "--set", "farmers=450", "--panel", "none", "--out", str(made["run"])],
             ["experiment", str(write(folder, EXPERIMENT, "e.toml")), "--workers", "1", "--out",
              str(made["experiment"])],
             ["optimise", str(write(folder, PROBLEM, "p.toml")), "--model", "exphelpers:zdt1", "--workers", "1",
              "--out", str(made["optimisation"])]]
    for words in lines:
        code, _, err = ruralsim(words)
        assert code == 0, err
    return made


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Write what the fuzzer tried to ``test-results/cli_fuzz.json`` when the module ends."""
    yield
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    combinations = TRIED["combinations"]
    SUMMARY.write_text(json.dumps({
        "examples": sum(TRIED["outcomes"].values()),
        "distinct_command_option_combinations": len(combinations),
        "commands": sorted({c.split(" ")[0] for c in combinations}),
        "declared_commands": sorted(COMMANDS),
        "outcomes": dict(TRIED["outcomes"]),
        "outcomes_by_command": dict(sorted(TRIED["by_command"].items())),
        "option_values_tried": {k: v for k, v in sorted(TRIED["values"].items())},
    }, indent=1))


def check(line: Line, fixtures: dict[str, Path]) -> None:
    """Run one command line in a fresh folder and check how it ended (see the module docstring)."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz_"))
    try:
        words = [materialise(w, folder, fixtures, k) for k, w in enumerate(line.words)]
        before = tree(folder)
        with inside(folder), work_replaced():
            code, out, err = run(words)
        record(line, code)
        assert code in (0, 2, "work"), (words, code, err[-2000:])
        assert "Traceback" not in out + err, (words, err[-3000:])
        if code == 2:
            lines = err.rstrip().split("\n")
            starts = [i for i, text in enumerate(lines) if text.startswith("error: ")]
            assert len(starts) == 1, (words, err)  # one message: its first line, then indented detail lines
            assert all(text.startswith(" ") for text in lines[starts[0] + 1:]), (words, err)
            given_values = [form for w in words[1:] if w for form in (f"{w}:", f"= {w}", repr(w), f"({w})")]
            assert any(name in err for name in names_of(line.command) + given_values), (words, err)
            left = {p for p in tree(folder) - before if not p.endswith(".lock")}
            assert not left, (words, err, sorted(left))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def record(line: Line, code: int | str) -> None:
    """Count the command/option combination, each option's value kind and the outcome."""
    options = sorted({name for name, _ in line.tried if name.startswith("-")})
    TRIED["combinations"][" ".join([line.command, *options])] += 1
    for name, valid in line.tried:
        TRIED["values"][f"{line.command} {name} {({True: 'valid', False: 'invalid'}).get(valid, 'any')}"] += 1
    TRIED["outcomes"][str(code)] += 1
    TRIED["by_command"][f"{line.command} {code}"] += 1


def test_every_command_line_ends_with_code_0_or_2_and_a_clear_message(fixtures) -> None:
    """Every declared command with any options, valid or not: exit 0 or 2, no traceback, a named error, nothing
    left behind."""
    for name in COMMANDS:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(line=command_lines(name))
        def walk(line: Line) -> None:
            check(line, fixtures)

        walk()

"""Hypothesis strategies that walk ``ruralsim``'s command line as typer declares it.

Every command, argument and option comes from the click command tree typer builds
(:func:`typer.main.get_command`); each option's type, range or choices from its declaration (the
annotation, and what a parser of :mod:`experiments.parsers` records in ``parser.accepts``). So a new
command or option is tried without editing the test. Values are valid or not (``Value.valid``; None
where the declaration does not say): numbers in and out of their range, wrong words, files and
folders. Files are scenario, experiment and problem documents, valid or mutated, written as TOML or
YAML, some damaged byte by byte; folders are copies of a finished run, experiment and optimisation,
some damaged. Names of options a user would fill with a known kind of text (``--where``, ``--set``,
``--scheduler``...) get such text as well as any text.

The work itself (simulating, the runner's engines, the page's server) is replaced by
:class:`WorkStarted`: a command line that reaches it passed every check.
"""

from __future__ import annotations

import contextlib
import enum
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import tomli_w
import typer
import yaml
from hypothesis import strategies as st

from experiments.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
GROUP = typer.main.get_command(cli.app)
COMMANDS = {name: GROUP.commands[name] for name in sorted(GROUP.commands)}


class WorkStarted(BaseException):  # noqa: N818 (a marker, not a failure: the checks all passed)
    """Raised where the real work would start."""


@dataclass(frozen=True)
class File:
    """A file written into the example's folder: its name and bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Folder:
    """A copy of a fixture folder (``run``, ``experiment``, ``optimisation``), perhaps damaged."""

    kind: str
    damage: str | None = None


@dataclass(frozen=True)
class Value:
    """One value given to an argument or option, and whether its declaration allows it (None: not known)."""

    given: str | File | Folder
    valid: bool | None = None


# --- documents: valid ones, and mutations of them ------------------------------------------------

SCENARIO = {"name": "fz", "description": "fuzz", "months": 2, "seed": 1, "parameters": {"farmers": 450,
                                                                                       "commission": 0.1}}
EXPERIMENT = {"name": "fz", "base": "default", "months": 2, "replicates": 2, "root_seed": 1,
              "parameters": {"farmers": 450}, "arms": {"low": {"commission": 0.03}, "high": {"commission": 0.12}}}
DESIGN = {"name": "fzd", "months": 2, "replicates": 1, "parameters": {"farmers": 450},
          "design": {"kind": "sobol", "parameters": ["commission", "trust_weight"], "samples": 4}}
PROBLEM = {"name": "fzp", "months": 2, "replicates": 1, "parameters": {"farmers": 450},
           "levers": {"commission": {"range": [0.0, 0.2]}, "trust_mechanism": {"values": ["reputation", "dual"]}},
           "objectives": [{"outcome": "income_mean", "direction": "max"}], "search": {"population": 4, "generations": 1}}
BUDGET_PROBLEM = {"name": "fzb", "months": 2, "replicates": 1, "parameters": {"farmers": 450},
                  "budget": {"total": 1e6, "spend": "up_to"},
                  "objectives": [{"outcome": "income_mean", "direction": "max"},
                                 {"outcome": "gini", "direction": "min", "change": "difference"}],
                  "constraints": [{"outcome": "adoption", "min": 0.0}],
                  "uncertain": {"conditions": 2, "ranges": {"urban_budget": [80.0, 160.0]}},
                  "robustness": {"measure": "percentile", "percentile": 25}, "search": {"population": 4,
                                                                                      "generations": 1}}
DOCUMENTS = {"scenario": SCENARIO, "experiment": EXPERIMENT, "design": DESIGN, "problem": PROBLEM,
             "budget_problem": BUDGET_PROBLEM}

def mostly(valid: st.SearchStrategy, invalid: st.SearchStrategy, share: int = 75) -> st.SearchStrategy:
    """``valid`` in ``share`` per cent of draws, else ``invalid`` (valid values reach the deeper checks)."""
    return st.integers(0, 99).flatmap(lambda n: valid if n < share else invalid)


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["dual", "0.1", "12", "true", "", "income_mean", "sobol", "max"]),
)
LEAVES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(max_size=6), inner, max_size=3), max_leaves=5)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _set(data: Any, path: tuple, value: Any, delete: bool = False) -> None:
    """Replace (or delete) the value at ``path``."""
    *head, last = path
    for key in head:
        data = data[key]
    if delete:
        del data[last]
    else:
        data[last] = value


@st.composite
def documents(draw, kinds: tuple[str, ...] = ()) -> tuple[dict, bool]:
    """A valid document (mostly of ``kinds`` where given, else any), or one with up to three mutations (a value
    replaced, a key removed or added)."""
    import copy

    kind = draw(mostly(st.sampled_from(kinds), st.sampled_from(sorted(DOCUMENTS)), 80) if kinds else
                st.sampled_from(sorted(DOCUMENTS)))
    data = copy.deepcopy(DOCUMENTS[kind])
    mutations = draw(mostly(st.just(0), st.integers(1, 3), 60))
    for _ in range(mutations):
        paths = _paths(data)
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "add" or not paths:
            where = draw(st.sampled_from([()] + [p for p in paths if isinstance(_get(data, p), dict)]))
            _get(data, where)[draw(st.text(min_size=1, max_size=8))] = draw(LEAVES)
        else:
            _set(data, draw(st.sampled_from(paths)), draw(LEAVES), delete=action == "delete")
    return data, mutations == 0


def _get(data: Any, path: tuple) -> Any:
    """The value at ``path``."""
    for key in path:
        data = data[key]
    return data


def serialise(data: dict, suffix: str) -> bytes | None:
    """The document as TOML or YAML text (None where TOML cannot hold it)."""
    if suffix == ".toml":
        try:
            return tomli_w.dumps(data).encode()
        except (TypeError, ValueError):
            return None
    return yaml.safe_dump(data, allow_unicode=True).encode()


DAMAGE = ["truncate", "nul", "latin1", "bom", "empty", "comment_only", "huge"]


def damaged(content: bytes, how: str, cut: int) -> bytes:
    """The file's bytes damaged one way."""
    return {"truncate": content[: cut % max(len(content), 1)], "nul": content[:cut] + b"\0" + content[cut:],
            "latin1": content + "\ncaf\u00e9 = 1\n".encode("latin-1"), "bom": b"\xef\xbb\xbf" + content,
            "empty": b"", "comment_only": b"# nothing here\n", "huge": b"# " + b"x" * 1_000_100 + b"\n" + content,
            }[how]


@st.composite
def files(draw, kinds: tuple[str, ...] = ()) -> Value:
    """A document file (mostly of ``kinds``): valid, mutated, damaged, or a facts table (CSV), under a right or
    wrong suffix."""
    if draw(st.integers(0, 9)) == 0:
        return draw(facts_files())
    data, valid = draw(documents(kinds))
    suffix = draw(mostly(st.sampled_from([".toml", ".yaml", ".yml"]), st.sampled_from([".json", ".txt", ""]), 85))
    content = serialise(data, suffix if suffix in (".toml", ".yaml", ".yml") else ".yaml")
    if content is None:
        content, suffix = serialise(data, ".yaml"), ".yaml"
    how = draw(mostly(st.none(), st.sampled_from(DAMAGE), 85))
    if how is not None:
        content, valid = damaged(content, how, draw(st.integers(0, 400))), False
    return Value(File("input" + suffix, content), valid and suffix in (".toml", ".yaml", ".yml"))


FACTS = (ROOT / "seeds" / "facts.csv").read_bytes()


@st.composite
def facts_files(draw) -> Value:
    """The packaged facts table, or one with a line removed, a column dropped, a figure made a word, or garbage."""
    lines = FACTS.decode().splitlines(keepends=True)
    how = draw(mostly(st.none(), st.sampled_from(["drop_line", "drop_column", "word", "garbage"]), 50))
    if how == "drop_line":
        lines.pop(draw(st.integers(0, len(lines) - 1)))
    elif how == "drop_column":
        lines = [",".join(line.split(",")[:-1]) + "\n" for line in lines]
    elif how == "word":
        row = draw(st.integers(1, len(lines) - 1))
        parts = lines[row].split(",")
        parts[2] = "many"
        lines[row] = ",".join(parts)
    elif how == "garbage":
        lines = [draw(st.text(max_size=200)) + "\n"]
    return Value(File("facts.csv", "".join(lines).encode("utf-8", "surrogatepass")), how is None)


FOLDER_DAMAGE = ["no_manifest", "garbage_manifest", "truncate_parquet", "no_parquet", "empty", "file"]


FOLDER_KINDS = ("run", "experiment", "optimisation")


def folders(kinds: tuple[str, ...] = ()) -> st.SearchStrategy[Value]:
    """A copy of a finished run, experiment or optimisation folder (mostly of ``kinds``), whole or damaged."""
    kind = mostly(st.sampled_from(kinds), st.sampled_from(FOLDER_KINDS), 80) if kinds else st.sampled_from(FOLDER_KINDS)
    return st.builds(lambda k, damage: Value(Folder(k, damage), None if damage is None else False), kind,
                     mostly(st.none(), st.sampled_from(FOLDER_DAMAGE), 60))


#: what the words of a path parameter's help declare it takes: document kinds and folder kinds
HELP_WORDS = {"scenario": ("scenario", "run"), "experiment": ("experiment", "design"), "suite": ("experiment",),
              "problem": ("problem", "budget_problem"), "optimisation": ("optimisation",), "run's": ("run",)}


def paths(help_text: str = "") -> st.SearchStrategy[Value]:
    """Anything a path option or argument may be given: files, folders, new or impossible paths, names; mostly
    files, or folders where its help says folder, of the kinds its help names."""
    words = help_text.lower().replace(",", " ").replace(".", " ").split()
    named = tuple(k for w in words for k in HELP_WORDS.get(w, ()))
    docs, kept = tuple(k for k in named if k in DOCUMENTS), tuple(k for k in named if k in FOLDER_KINDS)
    odd = st.sampled_from(["/dev/null", "/proc/nope/x", "missing.toml", "new_folder", "nested/new/folder", ".",
                           "/", "default", "example", "trust", "subsidy_mix", "livestream"]).map(Value)
    first, second = (folders(kept), files(docs)) if "folder" in words else (files(docs), folders(kept))
    return mostly(first, st.one_of(second, odd), 75)


# --- values of one parameter, from its declaration -----------------------------------------------

BAD_NUMBERS = ["1.5", "1e3", "true", "", " ", "nan", "inf", "-inf", "0x10", "\uff11\uff12", "abc", "9" * 30, "-",
               "1,000", "1_000"]

#: text a user would give to options of these names (besides any text)
HINTS: dict[str, list[str]] = {
    "scheduler": ["tcp://127.0.0.1:1", "tcp://127.0.0.1:99999", "nonsense", "tls://x:1", "", "tcp://:8786",
                  "tcp://no.such.host.invalid:8786", "inproc://x"],
    "model": ["abm.io.simulate:run", "abm.simulate:run", "exphelpers:zdt1", "nosuch.module:run",
              "abm.model:RuralEconomy", "os:sep", "abm.simulate", "a b:c", "abm.simulate:nosuch"],
    "where": ["income_mean > 0", "f1 < 0.5", "adoption < 0.1", "income_mean >", "nosuch < 1", "",
              "__import__('os').getcwd() == 1", "income_mean < 'a'", "gini == gini", "commission > 0.05"],
    "outcome": ["income_mean", "adoption", "gini", "nosuch", ""],
    "set_": ["commission=0.1", "farmers=450", "commission=abc", "nosuch=1", "commission", "=1", "g5.west=0.2",
             "trust_mechanism=dual", "trust_mechanism=magic", "months=3", "farmers=1e3"],
    "panel": ["yearly", "monthly", "none", "weekly", ""],
    "network": ["none", "yearly", "daily"],
    "panel_months": ["0,6,12", "3,x", "40", "", "0", ",", "-1"],
    "reference": ["low", "high", "nosuch", ""],
    "parameters": ["brand_multiplier", "urban_budget,brand_multiplier", "nosuch", ",", ""],
    "host": ["127.0.0.1", "localhost", "::1", "no.such.host.invalid", "203.0.113.7", "", "999.1.1.1"],
    "token": ["a" * 16, "short", "with space in it!!", "x" * 300],
    "name": ["trust", "subsidies", "eastwest", "nosuch", ""],
    "scenario": ["default", "livestream", "nosuch"],
}
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"), max_size=20)


def _numbers(accepts: dict) -> st.SearchStrategy[Value]:
    """Whole or decimal numbers in their declared range (valid) and out of it, or not numbers at all."""
    lo, hi, whole = accepts["lo"], accepts["hi"], accepts["kind"] == "whole"
    if whole:
        top = hi if hi is not None and hi - lo <= 10_000 else lo + 24  # the largest valid sizes cost real planning
        valid = st.integers(lo, top).map(str)
        outside = st.sampled_from([lo - 1] + ([hi + 1] if hi is not None else [])).map(str)
    else:
        valid = st.floats(lo, hi, allow_nan=False).map(repr)
        outside = st.sampled_from([lo - 1.0, hi + 0.5, lo - 1e-9]).map(repr)
    return mostly(valid.map(lambda t: Value(t, True)), st.one_of(outside, st.sampled_from(BAD_NUMBERS)).map(
        lambda t: Value(t, False)))


def values(param: Any) -> st.SearchStrategy[Value]:
    """Values for one argument or option, from its declared annotation and parser (see the module docstring)."""
    info = param.type_descriptor
    annotation, parser = info.annotation, info.parameter_info.parser
    accepts = getattr(parser, "accepts", None)
    if accepts and accepts["kind"] in ("whole", "number"):
        return _numbers(accepts)
    if accepts and accepts["kind"] == "choice":
        return mostly(st.sampled_from(accepts["choices"]).map(lambda t: Value(t, True)),
                      TEXT.filter(lambda t: t not in accepts["choices"]).map(lambda t: Value(t, False)))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        names = [m.value for m in annotation]
        return mostly(st.sampled_from(names).map(lambda t: Value(t, True)),
                      TEXT.filter(lambda t: t not in names).map(lambda t: Value(t, False)))
    if annotation in (int, float):
        return st.one_of(st.integers(-5, 10**6).map(lambda n: Value(str(n))), st.sampled_from(BAD_NUMBERS).map(
            lambda t: Value(t, False)))
    hinted = st.sampled_from(HINTS[param.name]).map(Value) if param.name in HINTS else st.nothing()
    if annotation is Path or param.name in ("file", "scenario", "results", "folder", "facts", "out", "work"):
        return st.one_of(paths(info.parameter_info.help or ""), hinted)
    return mostly(hinted, TEXT.map(Value)) if param.name in HINTS else TEXT.map(Value)


# --- command lines --------------------------------------------------------------------------------

@dataclass
class Line:
    """A generated command line: the command, its words (values not yet written as files) and what it tried."""

    command: str
    words: list[str | File | Folder] = field(default_factory=list)
    tried: list[tuple[str, bool | None]] = field(default_factory=list)


def _flag(param: Any) -> st.SearchStrategy[list]:
    """A flag's spelling: on or off."""
    return st.sampled_from([*param.opts, *param.secondary_opts]).map(lambda o: [o])


@st.composite
def command_lines(draw, name: str) -> Line:
    """A line of one command: its arguments (required ones always), a few options with values (required ones
    always), and sometimes a usage slip."""
    line = Line(name, [name])
    command = COMMANDS[name]
    for param in command.params:
        if param.param_type_name == "argument" and (param.required or draw(st.booleans())):
            value = draw(values(param))
            line.words.append(value.given)
            line.tried.append((param.name, value.valid))
    options = [p for p in command.params if p.param_type_name == "option"]
    chosen = draw(st.lists(st.sampled_from(options), unique_by=lambda p: p.name, max_size=4)) if options else []
    for param in [p for p in options if p.required and p not in chosen] + chosen:  # required options always
        if param.is_flag:
            line.words += draw(_flag(param))
            line.tried.append((param.opts[0], True))
            continue
        for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
            value = draw(values(param))
            line.words += [draw(st.sampled_from(param.opts)), value.given]
            line.tried.append((param.opts[0], value.valid))
    slip = draw(mostly(st.none(), st.sampled_from(["unknown_option", "missing_value", "extra_argument"]), 90))
    if slip == "unknown_option":
        line.words.append("--bogus")
    elif slip == "missing_value" and options:
        line.words.append(draw(st.sampled_from([p for p in options if not p.is_flag] or options)).opts[0])
    elif slip == "extra_argument":
        line.words.append("extra")
    if slip:
        line.tried.append((slip, False))
    return line


# --- writing the values, running the line, and what it changed ------------------------------------

def materialise(word: str | File | Folder, folder: Path, fixtures: dict[str, Path], k: int) -> str:
    """Write a file or copy (and damage) a fixture folder into ``folder``; the word to put on the command line."""
    if isinstance(word, str):
        return word
    if isinstance(word, File):
        path = folder / f"{k}_{word.name}"
        path.write_bytes(word.content)
        return str(path)
    path = folder / f"{k}_{word.kind}"
    if word.damage == "file":
        path.write_text("not a folder")
        return str(path)
    shutil.copytree(fixtures[word.kind], path)
    _damage_folder(path, word.damage)
    return str(path)


def _damage_folder(path: Path, damage: str | None) -> None:
    """Damage a copied results folder one way."""
    parquets = sorted(path.rglob("*.parquet"))
    if damage == "no_manifest":
        (path / "manifest.json").unlink(missing_ok=True)
    elif damage == "garbage_manifest":
        (path / "manifest.json").write_text("{not json")
    elif damage == "truncate_parquet" and parquets:
        data = parquets[0].read_bytes()
        parquets[0].write_bytes(data[: len(data) // 2])
    elif damage == "no_parquet":
        for p in parquets:
            p.unlink()
    elif damage == "empty":
        shutil.rmtree(path)
        path.mkdir()


@contextlib.contextmanager
def work_replaced() -> Iterator[None]:
    """Replace every start of real work (a simulation, the runner's engines, the page's server, rewriting or
    checking the project's documents) by WorkStarted."""
    import functools

    import abm.io.simulate
    import experiments.documents
    import experiments.runner
    import viz.serve

    def started(*_: object, **__: object) -> None:
        raise WorkStarted

    simulate = functools.wraps(abm.io.simulate.run)(started)  # keeps the signature --model checks
    with mock.patch.object(abm.io.simulate, "run", simulate), mock.patch.object(experiments.runner, "imap", started), \
            mock.patch.object(viz.serve.os, "execve", started), mock.patch.object(viz.serve.subprocess, "call", started), \
            mock.patch.object(experiments.documents, "refresh_documents", started), \
            mock.patch.object(experiments.documents, "document_problems", started):
        yield


def run(words: list[str]) -> tuple[int | str, str, str]:
    """Run ``ruralsim WORDS`` in this process: the exit code (``"work"`` when it reached the work), stdout, stderr."""
    from click.testing import CliRunner

    with CliRunner().isolation() as (out, err, _), mock.patch.object(cli.interrupts, "install"):
        try:
            cli.main(words)
            code: int | str = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except WorkStarted:
            code = "work"
        return code, out.getvalue().decode(errors="replace"), err.getvalue().decode(errors="replace")


def tree(folder: Path) -> set[str]:
    """Every path under ``folder``, relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def names_of(command: str) -> list[str]:
    """What an error message may name: the command's options, arguments and metavars, and the command."""
    out = [command]
    for p in COMMANDS[command].params:
        out += [*p.opts, *p.secondary_opts, p.name, (p.metavar or "").strip("[]")]
    return [n for n in out if n]


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Work in ``folder`` (where default output folders such as ``results/`` land)."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)

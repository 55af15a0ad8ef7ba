"""The model description's figures, tables and references, kept faithful to the code (``ruralsim docs``).

``docs/ODD.md`` quotes numbers in prose. Each one carries a hidden tag naming where it comes from,
written right after it: ``25%<!--=p.fresh_loss_no_cold_chain-->``. A tag names

- ``p.NAME``: a declared parameter's default (:mod:`abm.core.params`; a regional one as ``p.g5_west``);
- ``c.KEY``: a fixed value of the code (:mod:`abm.fixed_values`; a sequence element as ``c.KEY[0]``);
- ``f.ID.FIELD``: a stylized fact's ``target``, ``low``, ``high`` or ``tolerance`` (``seeds/facts.csv``);
- ``r.PATH``: a committed record's value (:data:`RECORDS`: the calibration record, the validation table);
- ``s.NAME.FIELD``: a packaged scenario's setting (``s.default.months``).

The written number must be the tagged value rounded to the decimals written (``0.28`` for 0.28369;
``25%`` for 0.25), so a change in the code or a record makes the document wrong until
:func:`refresh_figures` rewrites it. :func:`untagged_numbers` lists every number of the prose that is
neither tagged, nor in a generated block, nor one of the few kinds that are not figures (a heading, a
section or calendar reference, a citation year, an identifier such as ``5G``): a test requires that
list to be empty. :func:`refresh_documents` regenerates the ODD's tables, figures and reference list
and writes ``docs/TRACE.md`` (:mod:`experiments.trace`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from abm.core.params import Parameters
from abm.fixed_values import values_by_key
from abm.io.docs import refreshed_tables, replace_between
from abm.io.scenario import load_scenario
from experiments import rests_on
from experiments.calibration.facts import load_facts
from experiments.calibration.validate import validation_rows
from experiments.references import reference_list
from experiments.trace import README_BEGIN, README_END, ROOT, evidence_block, trace_document

ODD = ROOT / "docs" / "ODD.md"
TRACE = ROOT / "docs" / "TRACE.md"
README = ROOT / "README.md"
DRIVERS = ROOT / "docs" / "drivers"  # the committed drivers analyses, a folder per suite
SUITE_REPORTS = ROOT / "docs" / "suites"  # the committed suite reports, a folder per suite (and its posterior)
REFERENCES_BEGIN = "<!-- references:begin (generated from seeds/references.toml by `ruralsim docs`; do not edit) -->"
REFERENCES_END = "<!-- references:end -->"

#: a number followed by its tag: ``0.28<!--=p.nest_dissimilarity-->``, ``20,133<!--=f.x.target-->``, ``25%<!--=...-->``
TAG = re.compile(r"(?P<number>-?\d[\d,]*(?:\.\d+)?)(?P<percent>%?)<!--=(?P<key>[^>]+?)-->")
#: a generated block of any kind: ``<!-- NAME:begin ... -->`` ... ``<!-- NAME:end -->``
BLOCK = re.compile(r"<!-- (?P<name>[\w:-]+):begin.*?<!-- (?P=name):end -->", re.S)
#: numbers that are not figures: (pattern, why); matched across line breaks
NOT_FIGURES: list[tuple[str, str]] = [
    (r"(?i:\bsections?)\s+\d+(?:\.\d+)*[a-z]?(?:(?:-|\s+and\s+|\s+to\s+)\d+(?:\.\d+)*[a-z]?)?",
     "a section reference"),
    (r"\b(?:month|months|year|years|model\s+year|stage|phase|step)s?\s+\d+(?:-\d+)?"
     r"(?:(?:,|\s+and|\s+or)\s+\d+(?:-\d+)?)*", "a calendar month or year of a run, or a stage code"),
    (r"(?:et\s+al\.|[A-Z][A-Za-z'-]+),?\s+\(?(?:19|20)\d\d(?:-(?:19|20)?\d\d)?[a-z]?\)?", "a citation year"),
    (r"(?:Python|Mesa)\s+\d+(?:\.\d+)*", "a software version"),
    (r"/\s*12\b", "months in a year"),
    (r"\b[\w.-]*[A-Za-z_][\w.-]*\d[\w.-]*|\b\d+[A-Za-z_][\w-]*", "an identifier (5G, g5_west, 003_d59e...)"),
    (r"Double\s+11|\b618\b", "a shopping festival's name"),
    (r"(?<![\d.])[01](?![\d%]|[.,]\d)", "0 and 1: bounds of a share or an index, not figures"),
    (r"(?m)^\s*\d+\.\s", "a numbered list item"),
]


# --- what a tag names ---------------------------------------------------------------------------------------------

def _parameter(name: str) -> Any:
    """A declared parameter's default."""
    if name not in Parameters.model_fields:
        raise KeyError(f"p.{name}: no such parameter")
    return Parameters.model_fields[name].default


def _fixed(key: str) -> Any:
    """A fixed value of the code (abm/fixed_values.py)."""
    values = values_by_key()
    if key not in values:
        raise KeyError(f"c.{key}: no such fixed value in abm/fixed_values.py")
    return values[key]


@functools.lru_cache(maxsize=1)
def _facts() -> dict[str, Any]:
    """The stylized facts by id."""
    return {f.id: f for f in load_facts()}


def _fact(path: str) -> Any:
    """A fact's field: ``ID.target``, ``ID.low``, ``ID.high`` or ``ID.tolerance``."""
    fact_id, _, field = path.rpartition(".")
    facts = _facts()
    if fact_id not in facts or field not in ("target", "low", "high", "tolerance"):
        raise KeyError(f"f.{path}: no such fact field (ID.target, .low, .high or .tolerance)")
    return getattr(facts[fact_id], field)


def _toml(path: Path) -> Callable[[str], Any]:
    """A reader of dotted paths into a TOML record."""
    def read(dotted: str) -> Any:
        node: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        for part in dotted.split("."):
            node = node[part]
        return node
    return read


def _validation(path: Path) -> Callable[[str], Any]:
    """A reader of ``FACT.COLUMN`` from a committed validation table (``docs/validation/*.md``)."""
    def read(dotted: str) -> Any:
        fact_id, _, column = dotted.rpartition(".")
        return validation_rows(path)[fact_id][column]
    return read


#: the committed records a document may quote (``r.NAME.PATH``)
RECORDS: dict[str, tuple[Path, Callable[[str], Any]]] = {
    "calibration": (ROOT / "seeds" / "calibration.toml", _toml(ROOT / "seeds" / "calibration.toml")),
    "baseline": (ROOT / "docs" / "validation" / "baseline.md",
                 _validation(ROOT / "docs" / "validation" / "baseline.md")),
}


def _record(path: str) -> Any:
    """A committed record's value: ``calibration.record.effective_sample_size``, ``baseline.FACT.mean``."""
    name, _, rest = path.partition(".")
    if name not in RECORDS:
        raise KeyError(f"r.{path}: no such record; allowed: {', '.join(RECORDS)}")
    return RECORDS[name][1](rest)


def _scenario(path: str) -> Any:
    """A packaged scenario's setting: ``default.months``."""
    name, _, field = path.partition(".")
    return getattr(load_scenario(name), field)


_NAMESPACES: dict[str, Callable[[str], Any]] = {"p": _parameter, "c": _fixed, "f": _fact, "r": _record,
                                                "s": _scenario}


def figure_value(key: str) -> float:
    """The number a tag names (see the module docstring).

    Raises:
        KeyError: If the namespace, the name or the index does not exist, or the value is not a number.
    """
    space, _, name = key.partition(".")
    if space not in _NAMESPACES:
        raise KeyError(f"{key}: unknown namespace; allowed: {', '.join(_NAMESPACES)}")
    index = None
    if name.endswith("]"):
        name, _, at = name[:-1].partition("[")
        index = int(at)
    value = _NAMESPACES[space](name)
    if index is not None:
        value = value[index]
    if isinstance(value, bool) or not isinstance(value, int | float) and not hasattr(value, "__float__"):
        raise KeyError(f"{key}: {value!r} is not a number")
    return float(value)


# --- checking and refreshing the tags -----------------------------------------------------------------------------

def _decimals(number: str) -> int:
    """Decimals written in a number."""
    return len(number.split(".")[1]) if "." in number else 0


def written(value: float, like: str, percent: bool) -> str:
    """``value`` written as ``like`` is: the same decimals, thousands separators and percent sign."""
    shown = value * 100 if percent else value
    decimals = _decimals(like)
    text = f"{shown:,.{decimals}f}" if "," in like else f"{shown:.{decimals}f}"
    return text + ("%" if percent else "")


def stale_figures(text: str) -> list[str]:
    """Every tagged number that disagrees with what its tag names (or names nothing), as a message."""
    problems = []
    for match in TAG.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        try:
            value = figure_value(match["key"])
        except (KeyError, IndexError, LookupError) as e:
            problems.append(f"line {line}: {match[0]!r}: {e}")
            continue
        expected = written(value, match["number"], bool(match["percent"]))
        if expected != match["number"] + match["percent"]:
            problems.append(f"line {line}: {match['number']}{match['percent']} is stale; "
                            f"{match['key']} = {value:g}, written {expected}")
    return problems


def refresh_figures(text: str) -> str:
    """``text`` with every tagged number rewritten from what its tag names (keeping its decimals and style)."""
    def rewrite(match: re.Match) -> str:
        value = figure_value(match["key"])
        return f"{written(value, match['number'], bool(match['percent']))}<!--={match['key']}-->"
    return TAG.sub(rewrite, text)


def untagged_numbers(text: str) -> list[str]:
    """Every number of the prose that is not a tagged figure, a generated table or one of :data:`NOT_FIGURES`.

    Code spans may hold numbers only inside identifiers (``g5_west``, ``abm/market/clearing.py``) or 0 and 1;
    a figure in an equation is written outside the code span, with its tag.
    """
    keep_lines = lambda m: "\n" * m[0].count("\n") + " "  # noqa: E731 (a replacement that keeps line numbers)
    prose = BLOCK.sub(keep_lines, text)
    prose = re.sub(r"(?m)^#.*$", "", prose)  # headings
    prose = TAG.sub(" ", prose)
    prose = re.sub(r"\]\([^)]*\)", "]", prose)  # link targets
    prose = re.sub(r"<!--.*?-->", keep_lines, prose, flags=re.S)
    problems = []
    for span in re.finditer(r"`([^`]*)`", prose):
        if re.search(r"\d", _strip_not_figures(span[1])):
            line = prose.count("\n", 0, span.start()) + 1
            problems.append(f"line {line}: a number in the code span `{span[1]}`: write it outside, tagged")
    prose = re.sub(r"`[^`]*`", keep_lines, prose)
    prose = _strip_not_figures(prose)
    for found in re.finditer(r"\d[\d,.]*%?", prose):
        line = prose.count("\n", 0, found.start()) + 1
        context = text.splitlines()[line - 1].strip()[:100]
        problems.append(f"line {line}: untagged number {found[0].rstrip(',.')!r} in: {context}")
    return problems


def _strip_not_figures(text: str) -> str:
    """``text`` without the numbers that are not figures (:data:`NOT_FIGURES`), line breaks kept."""
    for pattern, _ in NOT_FIGURES:
        text = re.sub(pattern, lambda m: "\n" * m[0].count("\n") + " ", text)
    return text


# --- links --------------------------------------------------------------------------------------------------------

def broken_links(text: str, at: Path) -> list[str]:
    """Relative links and backticked repository paths of a document that point at nothing."""
    problems = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        if not (at.parent / target).exists():
            problems.append(f"link to {target}: no such file")
    for path in re.findall(r"`((?:abm|agents|experiments|viz|seeds|docs|benchmarks|tests|notebooks|scripts)/"
                           r"[\w./-]+)`", text):
        if not (ROOT / path).exists() and not (ROOT / path.split("::")[0]).exists():
            problems.append(f"`{path}`: no such file in the repository")
    return problems


def unknown_commands(text: str, commands: Collection[str]) -> list[str]:
    """``ruralsim COMMAND`` mentions whose command is not among ``commands`` (the command line's)."""
    return sorted({f"ruralsim {name}" for name in re.findall(r"\bruralsim ([a-z_]+)\b", text)
                   if name not in commands})


# --- regenerating the documents -----------------------------------------------------------------------------------

def refreshed_odd(text: str, drivers: Path = DRIVERS) -> str:
    """The ODD with its generated tables, figures, reference list and decisive parameters regenerated."""
    text = refreshed_tables(text)
    text = replace_between(text, REFERENCES_BEGIN, REFERENCES_END, reference_list())
    text = replace_between(text, rests_on.DECISIVE_BEGIN, rests_on.DECISIVE_END,
                           rests_on.decisive_block(rests_on.conclusions(drivers)))
    return refresh_figures(text)


def refreshed_readme(text: str, drivers: Path = DRIVERS) -> str:
    """The README with its evidence block (the independent facts) and its conclusions' drivers regenerated."""
    text = replace_between(text, rests_on.BEGIN, rests_on.END, rests_on.summary_block(rests_on.conclusions(drivers)))
    return replace_between(text, README_BEGIN, README_END, evidence_block())


def refreshed_suite_reports(reports: Path = SUITE_REPORTS, drivers: Path = DRIVERS) -> dict[Path, str]:
    """Each committed suite report (``reports/NAME/report.md``) with what its conclusions rest on filled in.

    A posterior report (``NAME_posterior``) quotes the drivers analysis of its suite.
    """
    out, tables = {}, rests_on.conclusions(drivers)
    for path in sorted(reports.glob("*/report.md")):
        text = path.read_text(encoding="utf-8")
        if rests_on.SUITE_BLOCK[0] in text:
            block = rests_on.suite_block(tables, path.parent.name.removesuffix("_posterior"))
            out[path] = replace_between(text, *rests_on.SUITE_BLOCK, block)
    return out


def _write_if_changed(path: Path, new: str) -> bool:
    """Write ``new`` to ``path`` unless it already holds it; whether it wrote."""
    if path.is_file() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def refresh_documents(odd: Path = ODD, trace: Path = TRACE, readme: Path = README) -> list[Path]:
    """Regenerate the ODD's generated parts, the README's evidence block and the TRACE document.

    Returns:
        The files that changed.
    """
    new = {odd: refreshed_odd(odd.read_text(encoding="utf-8")), trace: trace_document()}
    if readme.is_file():
        new[readme] = refreshed_readme(readme.read_text(encoding="utf-8"))
    new |= refreshed_suite_reports()
    return [path for path, text in new.items() if _write_if_changed(path, text)]


def document_problems(commands: Collection[str], odd: Path = ODD, trace: Path = TRACE, readme: Path = README
                      ) -> list[str]:
    """Everything that makes the documents disagree with the code and records (empty: they are current).

    ``commands`` are the command line's commands (a ``ruralsim NAME`` the documents mention must be one).
    """
    text = odd.read_text(encoding="utf-8")
    problems = [f"ODD {p}" for p in stale_figures(text) + untagged_numbers(text) + broken_links(text, odd)]
    problems += [f"ODD mentions {c}, which is not a command" for c in unknown_commands(text, commands)]
    if refreshed_odd(text) != text:
        problems.append("ODD: a generated table or the reference list is stale (run `ruralsim docs`)")
    if not trace.is_file() or trace.read_text(encoding="utf-8") != trace_document():
        problems.append("TRACE.md is stale or missing (run `ruralsim docs`)")
    if trace.is_file():
        document = trace.read_text(encoding="utf-8")
        problems += [f"TRACE {p}" for p in broken_links(document, trace)]
        problems += [f"TRACE mentions {c}, which is not a command" for c in unknown_commands(document, commands)]
    if readme.is_file() and refreshed_readme(readme.read_text(encoding="utf-8")) != readme.read_text(
            encoding="utf-8"):
        problems.append("README: the evidence block or the conclusions' drivers are stale (run `ruralsim docs`)")
    problems += [f"{path.relative_to(ROOT)}: what its conclusions rest on is stale (run `ruralsim docs`)"
                 for path, text in refreshed_suite_reports().items() if path.read_text(encoding="utf-8") != text]
    return problems

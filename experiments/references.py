"""The references of the project (``seeds/references.toml``): every source a fact, a parameter or a document cites.

Each reference has a key (the name ``seeds/facts.csv`` cites it by), how the text cites it, its
authors, year, title, venue, an identifier (DOI or file name) and a note of what the project takes
from it. :func:`reference_list` writes the list the ODD and the TRACE document end with, and
:func:`parameter_source_keys` says which references a parameter declaration's ``source`` cites
(its short forms, such as ``003`` or ``NBS``, are each reference's ``aliases``).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from abm.io.scenario import ScenarioError

#: the fields every reference gives
FIELDS = ("cite", "kind", "authors", "year", "title", "venue", "identifier", "note", "aliases")
#: what a parameter's source may be besides a reference: a stated assumption or the calibration record
NOT_REFERENCES = ("assumption", "seeds/calibration.toml")


@dataclass(frozen=True)
class Reference:
    """One reference: the key facts cite it by, and its bibliographic fields."""

    key: str
    cite: str
    kind: str
    authors: str
    year: int
    title: str
    venue: str
    identifier: str
    note: str
    aliases: tuple[str, ...]

    def entry(self) -> str:
        """The reference as one line of a reference list (Markdown)."""
        year = f" ({self.year})" if self.year else " (n.d.)"
        ident = f" {self.identifier}." if self.identifier and self.identifier != self.key else ""
        return f"- **{self.cite}**: {self.authors}{year}. *{self.title}*. {self.venue}.{ident} Key `{self.key}`."


def references_path() -> Path:
    """Where the packaged references live (``seeds/references.toml``)."""
    return Path(str(resources.files("seeds") / "references.toml"))


@functools.lru_cache(maxsize=4)
def load_references(path: str | None = None) -> dict[str, Reference]:
    """Every reference by key.

    Raises:
        ScenarioError: If the file is missing or a reference lacks a field.
    """
    file = Path(path) if path is not None else references_path()
    if not file.is_file():
        raise ScenarioError(f"{file}: no such references file")
    table = tomllib.loads(file.read_text(encoding="utf-8")).get("references", {})
    out = {}
    for key, fields in table.items():
        missing = [f for f in FIELDS if f not in fields]
        if missing:
            raise ScenarioError(f"{file}: reference {key!r} lacks {', '.join(missing)}")
        out[key] = Reference(key, *(fields[f] for f in FIELDS[:-1]), tuple(fields["aliases"]))
    return out


def parameter_source_keys(source: str) -> list[str]:
    """The references a parameter's ``source`` cites: each ``;``-separated part by its alias.

    A part cites a reference when it starts with the reference's key or one of its aliases
    (``003 (at least 40%)`` cites ``003_d59e74559908fb7a.txt``); the longest alias wins.

    Raises:
        ScenarioError: If a part is neither an assumption, the calibration record, nor a reference (an
            ``assumption: reason`` source cites nothing, whatever its reason mentions).
    """
    if source.startswith("assumption:"):  # an assumption with its reason in prose cites nothing
        return []
    refs = load_references()
    names = sorted(((alias, key) for key, r in refs.items() for alias in (key, *r.aliases)),
                   key=lambda pair: -len(pair[0]))
    cited = []
    for part in (p.strip() for p in source.split(";") if p.strip()):
        if part in NOT_REFERENCES:
            continue
        key = next((k for alias, k in names if part == alias or part.startswith(alias + " ")), None)
        if key is None:
            raise ScenarioError(f"parameter source {part!r} cites no reference of seeds/references.toml")
        cited.append(key)
    return cited


def reference_list(keys: list[str] | None = None) -> str:
    """The reference list (Markdown), by kind then citation: all references, or the given keys."""
    refs = load_references()
    chosen = [refs[k] for k in keys] if keys is not None else list(refs.values())
    kinds = list(dict.fromkeys(r.kind for r in refs.values()))
    lines = []
    for kind in kinds:
        group = sorted((r for r in chosen if r.kind == kind), key=lambda r: r.cite.lower())
        if group:
            lines += [f"*{kind[0].upper()}{kind[1:]}*", "", *(r.entry() for r in group), ""]
    return "\n".join(lines).rstrip()

"""The input layer: read scenario and experiment files safely, refusing what could hang, crash or mislead.

Every file goes through :func:`read_table`: it must be a regular file of at most
:data:`MAX_FILE_BYTES`, UTF-8 text (no NUL bytes), not empty, and valid TOML or YAML whose top level
is a table. YAML is read with a safe loader that refuses anchors and aliases outright (an alias bomb
expands a few hundred bytes into gigabytes), duplicate keys (TOML refuses them too) and nesting
deeper than :data:`MAX_DEPTH`. :func:`reject_non_finite` refuses NaN and infinity by name wherever
they appear, so a range check never has to judge them.
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionStartEvent

from abm.core.checks import ScenarioError, field_location, non_finite, reject_non_finite

#: largest scenario or experiment file read (bytes); the packaged ones are a few kilobytes
MAX_FILE_BYTES = 1_000_000
#: deepest nesting of tables and lists in a file (the packaged files nest three deep)
MAX_DEPTH = 16
SUFFIXES = (".toml", ".yaml", ".yml")


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, with a depth limit and duplicate keys refused."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing aliases, anchors and nesting beyond :data:`MAX_DEPTH`."""
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ConstructorError(None, None, "anchors and aliases (& and *) are not allowed; write the "
                                   "values out", event.start_mark)
        if isinstance(event, CollectionStartEvent):
            self._depth = getattr(self, "_depth", 0) + 1
            if self._depth > MAX_DEPTH:
                raise ConstructorError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """Build a mapping, refusing a key given twice (YAML would silently keep the last)."""
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConstructorError(None, None, f"duplicate key {key!r}; allowed: each key once",
                                       key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _check_path(path: Path) -> None:
    """Refuse a missing path, a folder, a device or pipe, an unknown suffix and an oversized file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read ({err.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: is a folder; allowed: a .toml or .yaml file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{path}: not a regular file (a device, pipe or socket); allowed: a .toml or .yaml file")
    if path.suffix not in SUFFIXES:
        raise ScenarioError(f"{path}: unknown file type {path.suffix!r}; allowed: {', '.join(SUFFIXES)}")
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: {info.st_size:,} bytes; allowed: at most {MAX_FILE_BYTES:,} bytes")


def read_text(path: Path) -> str:
    """Read a file that passed the path checks as UTF-8 text, refusing binary content and empty files."""
    _check_path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot be read ({err.strerror})") from None
    return decode_text(data, str(path))


def decode_text(data: bytes, origin: str) -> str:
    """A file's bytes as UTF-8 text, refusing binary content and empty files."""
    if b"\0" in data:
        raise ScenarioError(f"{origin}: binary content (NUL bytes); allowed: TOML or YAML text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{origin}: not UTF-8 text (byte {err.start}); allowed: TOML or YAML text") from None
    if not text.strip():
        raise ScenarioError(f"{origin}: empty file; allowed: a table of keys (see the packaged examples)")
    return text


def table_from_bytes(data: bytes, name: str) -> dict[str, Any]:
    """A file given as bytes (uploaded to the page) through the same checks as a file on disk."""
    suffix = Path(name).suffix
    if suffix not in SUFFIXES:
        raise ScenarioError(f"{name}: unknown file type {suffix!r}; allowed: {', '.join(SUFFIXES)}")
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{name}: {len(data):,} bytes; allowed: at most {MAX_FILE_BYTES:,} bytes")
    return parse_text(decode_text(data, name), ".toml" if suffix == ".toml" else ".yaml", name)


def parse_text(text: str, suffix: str, origin: str) -> dict[str, Any]:
    """Parse TOML or YAML text into a non-empty table (NaN and infinity are checked by the caller)."""
    try:
        data = tomllib.loads(text) if suffix == ".toml" else yaml.load(text, Loader=_StrictLoader)  # noqa: S506
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as err:
        raise ScenarioError(f"{origin}: not valid {suffix[1:].upper()}: {_parse_error(err)}") from None
    except RecursionError:
        raise ScenarioError(f"{origin}: nested too deeply; allowed: at most {MAX_DEPTH} levels") from None
    if data is None or data == {}:
        raise ScenarioError(f"{origin}: no keys (only comments?); allowed: a table of keys")
    if not isinstance(data, dict):
        raise ScenarioError(f"{origin}: the top level must be a table of keys, got {type(data).__name__}")
    return data


def _parse_error(err: Exception) -> str:
    """A parser's error on one line: what is wrong and where (YAML's own message spans several, with a snippet)."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        context = f"{err.context}, " if err.context else ""
        mark = err.problem_mark
        return f"{context}{err.problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(err).split())


def read_table(path: Path) -> dict[str, Any]:
    """Read a TOML or YAML file into a dict through every check of this module."""
    path = Path(path)
    text = read_text(path)
    return parse_text(text, ".toml" if path.suffix == ".toml" else ".yaml", str(path))


def format_table_errors(err: ValidationError, origin: str, kind: str, keys: Callable[[tuple], Iterable[str]]) -> str:
    """Describe pydantic's errors on an experiment or problem file: one line each, the field, the value, what is allowed.

    ``keys(loc)`` names the keys allowed in the table where an unknown key appeared.
    """
    lines = [f"{origin}: invalid {kind}"]
    for e in err.errors():
        loc = field_location(e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            lines.append(f"  {loc}: unknown key (value {e['input']!r}); allowed: {', '.join(keys(e['loc']))}")
        elif e["type"] == "missing":
            lines.append(f"  {loc}: missing; required")
        elif isinstance(e["input"], dict):  # a check of a whole table
            lines.append(f"  {loc or 'file'}: {msg}")
        else:
            lines.append(f"  {loc} = {e['input']!r}: {msg}")
    return "\n".join(lines)


@contextmanager
def reading(folder: Path | str, allowed: str) -> Iterator[None]:
    """Turn a results folder that cannot be read (a file missing, truncated or not what it should be) into one
    :class:`ScenarioError` naming the folder, what went wrong and what is allowed.

    pyarrow's and pandas' read errors are ``OSError`` or ``ValueError`` (``json`` too); ``KeyError`` is a column
    or key the folder's files lack.
    """
    try:
        yield
    except ScenarioError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ScenarioError(f"{folder}: cannot be read ({type(err).__name__}: {err}); allowed: {allowed}") from None

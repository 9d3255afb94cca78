"""Read YAML safely, keep line numbers, and never turn dates into ``datetime`` objects.

Materials write dates as ``2017-12`` or ``2017-12-01`` and those must keep their precision,
so the loader leaves timestamps as strings. Every mapping and sequence position is recorded
with its line so validation messages can say ``file:line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from seminarkit.errors import MaterialsError, Problem

Loc = tuple[str | int, ...]


_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~20x faster


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader (libyaml-backed when possible) without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlDoc:
    """A parsed YAML file: its data plus the line of every node, keyed by location."""

    def __init__(self, path: Path, data: Any, lines: dict[Loc, int]):
        self.path = path
        self.data = data
        self.lines = lines

    def line_of(self, loc: Loc) -> int | None:
        """Return the line of ``loc`` or of its nearest ancestor that has one."""
        probe = tuple(loc)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)

    def record_id(self, loc: Loc) -> str | None:
        """Return the ``id`` of the innermost mapping on ``loc`` that has one."""
        node = self.data
        found: str | None = None
        for key in loc:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, dict) and isinstance(node.get("id"), (str, int)):
                found = str(node["id"])
        return found


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _walk(value_node, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines)


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse ``text`` (the contents of ``path``); a syntax error becomes a MaterialsError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # one parse: nodes carry line marks...
        data = loader.construct_document(node) if node is not None else None  # ...and the data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or "invalid YAML"
        raise MaterialsError(
            [Problem(str(path), line, None, None, f"YAML syntax error: {what} (fix the YAML syntax)")]
        ) from None
    except yaml.YAMLError as exc:  # non-marked errors, e.g. unsupported constructs
        raise MaterialsError(
            [Problem(str(path), None, None, None, f"YAML error: {exc} (fix the YAML syntax)")]
        ) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDoc(path, data, lines)


def read_yaml(path: Path) -> YamlDoc:
    """Read and parse one YAML file; unreadable or non-UTF-8 files give a MaterialsError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise MaterialsError(
            [Problem(str(path), None, None, None, "not UTF-8 text (save the file as UTF-8)")]
        ) from None
    except OSError as exc:
        raise MaterialsError(
            [Problem(str(path), None, None, None, f"cannot read: {exc.strerror}")]
        ) from None
    return parse_yaml(text, path)

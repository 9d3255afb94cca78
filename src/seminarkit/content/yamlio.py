"""Read YAML safely, keep line numbers, and never turn dates into ``datetime`` objects.

Materials write dates as ``2017-12`` or ``2017-12-01`` and those must keep their precision,
so the loader leaves timestamps as strings. Every mapping and sequence position is recorded
with its line so validation messages can say ``file:line``.

Hostile files fail closed with one located problem, before anything is built from them: a
file that is not UTF-8 text (control characters, NUL bytes) is one line; the composed node
graph is checked before construction, so a recursive alias is refused, aliases may expand
to at most :data:`MAX_NODES` nodes (a "billion laughs" file stops in milliseconds instead
of expanding), nesting is bounded by :data:`MAX_DEPTH`, and a key repeated in one mapping
(where YAML would silently keep the later value) is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from seminarkit.errors import MaterialsError, Problem

Loc = tuple[str | int, ...]

# The largest materials file has about 1,200 nodes; a hundred times that is still a
# fraction of a second to walk, and far below what an alias bomb expands to.
MAX_NODES = 100_000
MAX_DEPTH = 64
_MERGE_TAG = "tag:yaml.org,2002:merge"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _problem(path: Path, line: int | None, message: str, record: str | None = None,
             field: str | None = None) -> MaterialsError:
    return MaterialsError([Problem(str(path), line, record, field, message)])


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _duplicate_keys(node: yaml.MappingNode, path: Path) -> list[Problem]:
    """Keys given twice in one mapping (merge keys aside): YAML keeps the later value."""
    seen: dict[tuple[str, str], int] = {}
    record: str | None = None
    for key, value in node.value:
        if (isinstance(key, yaml.ScalarNode) and key.value == "id"
                and isinstance(value, yaml.ScalarNode)):
            record = value.value
    problems: list[Problem] = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
            continue
        ident = (key.tag, key.value)
        line = key.start_mark.line + 1
        if ident in seen:
            problems.append(Problem(str(path), line, record, key.value,
                                    f"duplicate key (also on line {seen[ident]}; YAML would "
                                    "silently keep the later value: remove one)"))
        else:
            seen[ident] = line
    return problems


def check_graph(root: yaml.Node, path: Path) -> None:
    """Refuse recursive aliases, alias bombs, deep nesting and duplicate keys, before construction.

    One iterative pass over the composed node graph; a node reached again through an alias
    is not walked again (its expanded size is remembered), so the cost is linear in the size
    of the file, not in what its aliases would expand to.
    """
    sizes: dict[int, int] = {}
    on_path = {id(root)}
    frames = [(root, iter(_children(root)))]
    totals = [1]
    duplicates: list[Problem] = []
    if isinstance(root, yaml.MappingNode):
        duplicates.extend(_duplicate_keys(root, path))
    while frames:
        node, pending = frames[-1]
        child = next(pending, None)
        if child is None:
            frames.pop()
            on_path.discard(id(node))
            size = totals.pop()
            sizes[id(node)] = size
            if totals:
                totals[-1] += size
            continue
        line = child.start_mark.line + 1
        if id(child) in on_path:
            raise _problem(path, line, "recursive alias: an anchored node contains an alias of "
                                       "itself (YAML materials must be finite; remove the alias)")
        if id(child) in sizes:
            totals[-1] += sizes[id(child)]
        else:
            if len(frames) >= MAX_DEPTH:
                raise _problem(path, line, f"nested more than {MAX_DEPTH} levels deep "
                                           "(flatten the structure)")
            if isinstance(child, yaml.MappingNode):
                duplicates.extend(_duplicate_keys(child, path))
            frames.append((child, iter(_children(child))))
            on_path.add(id(child))
            totals.append(1)
        if sum(totals) > MAX_NODES:
            raise _problem(path, line, f"aliases expand this file to more than {MAX_NODES:,} "
                                       "values (an alias bomb?); write the values out or use "
                                       "fewer aliases")
    if duplicates:
        raise MaterialsError(duplicates)


def _walk(root: yaml.Node, lines: dict[Loc, int]) -> None:
    """Record the line of every location (iteratively; check_graph bounded the size)."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                lines[(*loc, key)] = key_node.start_mark.line + 1
                stack.append((value_node, (*loc, key)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, (*loc, index)))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def parse_yaml(text: str, path: Path) -> YamlDoc:
    """Parse ``text`` (the contents of ``path``); any YAML problem becomes a MaterialsError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # one parse: nodes carry line marks...
        if node is not None:
            check_graph(node, path)  # ...checked before anything is built from them...
        data = loader.construct_document(node) if node is not None else None  # ...then data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = _one_line(exc.problem or "invalid YAML")
        raise _problem(path, line, f"YAML syntax error: {what} (fix the YAML syntax)") from None
    except yaml.YAMLError as exc:  # reader errors (special characters), unsupported constructs
        raise _problem(path, None, f"YAML error: {_one_line(str(exc))} (fix the YAML "
                                   "syntax)") from None
    except RecursionError:
        raise _problem(path, None, "nested too deeply to read (flatten the structure)") from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, lines)
    return YamlDoc(path, data, lines)


def read_text(path: Path, what: str = "text") -> str:
    """Read a UTF-8 text file; binary or unreadable content is one :class:`MaterialsError` line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _problem(path, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        if not _CONTROL.search(raw[:exc.start].decode("utf-8")):  # else: report what comes first
            line = raw[:exc.start].count(b"\n") + 1
            raise _problem(path, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line "
                                       f"{line}; a binary file? save it as UTF-8 {what})") from None
        text = raw[:exc.start].decode("utf-8")
    found = _CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise _problem(path, line, f"not a text file (control character "
                                   f"U+{ord(found.group()):04X} at line {line}; a binary "
                                   f"file? save it as UTF-8 {what})")
    return text


def read_yaml(path: Path) -> YamlDoc:
    """Read and parse one YAML file; unreadable, binary or non-UTF-8 files give a MaterialsError."""
    return parse_yaml(read_text(path, "YAML"), path)

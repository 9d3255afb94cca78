"""Value checks that fail closed: strict CSV values, declared ranges, unique x, no self-references.

:mod:`seminarkit.content.checks` calls these; each returns or records located
:class:`~seminarkit.errors.Problem` lines.

* CSV numbers are plain ASCII decimals (``1_000``, Arabic-Indic digits, ``inf`` and ``nan``
  are refused) and keep to the column's range (:meth:`ColumnSpec.bounds`: counts and shares
  are never negative unless the provenance says so).
* Within one data series each x value appears once (per label, when the data set declares a
  label column): a repeated year would draw two points, or a zig-zag, for one x.
* A glossary term does not list itself under ``see_also``, a relation does not join an actor
  to itself, a module does not link to itself, a sequence names each session once.
* Data set names (their file names) are ids like any other: ASCII only.
* At most :data:`MAX_ROW_PROBLEMS` row problems are listed per CSV file, then one summary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from seminarkit.content.problems import record_label
from seminarkit.content.schema.common import is_id
from seminarkit.content.yamlio import Loc, YamlDoc
from seminarkit.dates import PartialDate
from seminarkit.errors import Problem

if TYPE_CHECKING:
    from seminarkit.content.materials import Module
    from seminarkit.content.schema.data import ColumnSpec, DatasetProvenance

MAX_ROW_PROBLEMS = 20
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _parse_int(value: str) -> int:
    if not _INT.fullmatch(value):
        raise ValueError(f"{value!r} is not a int")
    return int(value)


def _parse_float(value: str) -> float:
    if not _FLOAT.fullmatch(value):
        raise ValueError(f"{value!r} is not a float")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a float (too large to be a finite number)")
    return number


def _parse_date(value: str) -> PartialDate:
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a date: {exc}") from None


def _parse_bool(value: str) -> bool:
    try:
        return {"true": True, "false": False}[value.lower()]
    except KeyError:
        raise ValueError(f"{value!r} is not a bool (true or false)") from None


PARSERS: dict[str, Callable[[str], object]] = {
    "int": _parse_int, "float": _parse_float, "str": str, "date": _parse_date,
    "bool": _parse_bool,
}


def parse_value(spec: ColumnSpec, value: str) -> object:
    """Parse one stripped CSV value by its column type and check its range; ValueError says why."""
    parsed = PARSERS[spec.type](value)
    low, high = spec.bounds()
    if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
        if low is not None and parsed < low:
            raise ValueError(f"{value} is below the column's minimum {low:g} (declare "
                             "'minimum' in the provenance if the value is right)")
        if high is not None and parsed > high:
            raise ValueError(f"{value} is above the column's maximum {high:g} (declare "
                             "'maximum' in the provenance if the value is right)")
    return parsed


def duplicate_x(path: Path, prov: DatasetProvenance,
                rows: list[tuple[int, dict[str, object]]]) -> list[Problem]:
    """Rows whose x value (and label, when declared) repeats an earlier row's."""
    if prov.x is None:
        return []
    first: dict[tuple[object, object], int] = {}
    found: list[Problem] = []
    for line, values in rows:
        if prov.x not in values:
            continue
        key = (values[prov.x], values.get(prov.label) if prov.label else None)
        if key in first:
            what = f"x value {values[prov.x]}"
            if prov.label:
                what += f" with label {values.get(prov.label)!r}"
            found.append(Problem(str(path), line, f"row {line}", prov.x,
                                 f"duplicate {what} (also on row {first[key]}; each x appears "
                                 "once in a series)"))
        else:
            first[key] = line
    return found


def capped(found: list[Problem], path: Path) -> list[Problem]:
    """Keep the first MAX_ROW_PROBLEMS problems and add one line counting the rest."""
    if len(found) <= MAX_ROW_PROBLEMS:
        return found
    rest = len(found) - MAX_ROW_PROBLEMS
    return [*found[:MAX_ROW_PROBLEMS],
            Problem(str(path), None, path.stem, None,
                    f"{rest} more row problem(s) in this file not listed (fix these first)")]


def _at(doc: YamlDoc, loc: Loc, field: str, message: str) -> Problem:
    full = (*loc, field)
    return Problem(str(doc.path), doc.line_of(full), record_label(doc, full), field, message)


def _repeats(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    twice: list[str] = []
    for item in items:
        if item in seen and item not in twice:
            twice.append(item)
        seen.add(item)
    return twice


def check_integrity(module: Module, docs: dict[str, YamlDoc], problems: list[Problem]) -> None:
    """Self-references, repeated references and data set names of one module."""
    glossary = docs.get("glossary.yaml")
    if module.glossary is not None and glossary is not None:
        for index, term in enumerate(module.glossary.terms):
            loc: Loc = ("terms", index)
            if term.id in term.see_also:
                problems.append(_at(glossary, loc, "see_also", f"term {term.id!r} refers to "
                                    "itself (list other terms only)"))
            for ref in _repeats(term.see_also):
                problems.append(_at(glossary, loc, "see_also", f"{ref!r} is listed twice"))
    actors = docs.get("actors.yaml")
    if module.actors is not None and actors is not None:
        for index, relation in enumerate(module.actors.relations):
            if relation.source == relation.target:
                problems.append(_at(actors, ("relations", index), "target",
                                    f"relation joins {relation.source!r} to itself (a relation "
                                    "is between two different actors)"))
    meta = docs.get("module.yaml")
    if meta is not None:
        for index, link in enumerate(module.meta.links):
            if link.module == module.meta.id:
                problems.append(_at(meta, ("links", index), "module", "the module links to "
                                    "itself (link to another module)"))
        for index, sequence in enumerate(module.meta.sequences):
            for ref in _repeats(sequence.sessions):
                problems.append(_at(meta, ("sequences", index), "sessions",
                                    f"session {ref!r} is listed twice"))
    for name, dataset in module.datasets.items():
        if not is_id(name):
            problems.append(Problem(str(dataset.csv_path), None, name, None,
                                    f"data set name {name!r} is not a valid id (rename the .csv "
                                    "and .yaml files: lower-case letters, digits, '-', '_' or "
                                    "'.', ASCII only)"))

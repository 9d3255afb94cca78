"""Parse and validate an instructor source exercise notebook.

An exercise is an ``.ipynb`` whose notebook metadata ``seminarkit`` holds ``exercise`` (id),
``module``, ``files`` (data files copied into the working directory, relative to the
module's ``data`` folder) and optional ``limits`` (``cell_seconds``, ``total_seconds``,
``memory_mb``). Cells carry ``metadata.seminarkit`` = ``{id, role, points, rubric}`` with
role ``answer | test | locked | manual``. Cells without a role are treated as locked.

Notebooks are read as plain JSON (no :mod:`nbformat`): it is faster and tolerates the
damage students do to submissions.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seminarkit.errors import ExerciseError
from seminarkit.grading.protocol import Limits
from seminarkit.markers import (
    BEGIN_HIDDEN_TESTS,
    BEGIN_SOLUTION,
    END_HIDDEN_TESTS,
    END_SOLUTION,
    METADATA_KEY,
    ROLE_ANSWER,
    ROLE_LOCKED,
    ROLE_MANUAL,
    ROLE_TEST,
    ROLES,
)

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
DEFAULT_LIMITS = {"cell_seconds": 30.0, "total_seconds": 120.0, "memory_mb": 1024.0}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FILE = re.compile(r"^(\.\./)?[A-Za-z0-9][A-Za-z0-9_.-]*$")


class CellError(ExerciseError):
    """A malformed cell in an exercise source; names the notebook, cell index and id."""

    def __init__(self, notebook: str, index: int, cell_id: str | None, message: str):
        self.notebook, self.index, self.cell_id = notebook, index, cell_id
        ident = f" (id {cell_id!r})" if cell_id else ""
        super().__init__(f"{notebook}: cell {index}{ident}: {message}")


@dataclass(frozen=True)
class ExCell:
    """One cell of an exercise source, with its kit metadata."""

    index: int
    id: str
    role: str
    cell_type: str
    source: str
    points: float = 0.0
    rubric: Any = None
    answers: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """A validated exercise: metadata, cells, and the cells' graded items."""

    path: Path
    id: str
    module: str
    title: str
    files: tuple[str, ...]
    limits: Limits
    cells: tuple[ExCell, ...]
    nb: dict[str, Any]

    def cell(self, cell_id: str) -> ExCell:
        """Return the cell with ``cell_id``."""
        for cell in self.cells:
            if cell.id == cell_id:
                return cell
        raise KeyError(cell_id)

    @property
    def tests(self) -> list[ExCell]:
        """The test cells, in order."""
        return [c for c in self.cells if c.role == ROLE_TEST]

    @property
    def manual(self) -> list[ExCell]:
        """The manually graded cells, in order."""
        return [c for c in self.cells if c.role == ROLE_MANUAL]

    @property
    def max_points(self) -> float:
        """Total points of the exercise."""
        return sum(c.points for c in self.cells if c.role in (ROLE_TEST, ROLE_MANUAL))


def source_text(cell: dict[str, Any]) -> str:
    """Return a cell's source as one string (notebooks may store it as a list of lines)."""
    src = cell.get("source", "")
    if isinstance(src, list):
        return "".join(str(s) for s in src)
    return str(src) if src is not None else ""


def checksum(cell_type: str, source: str) -> str:
    """Return a checksum of a cell's type and source, ignoring trailing whitespace on each line."""
    norm = "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.sha256(f"{cell_type}\n{norm}".encode()).hexdigest()[:16]


def find_regions(source: str, begin: str, end: str) -> list[tuple[int, int]] | str:
    """Return (begin line, end line) pairs of ``begin``/``end`` regions, or an error message."""
    regions: list[tuple[int, int]] = []
    start: int | None = None
    for number, line in enumerate(source.splitlines()):
        text = line.strip()
        if text.startswith(begin):
            if start is not None:
                return f"'{begin}' on line {number + 1} inside a region opened on line {start + 1}"
            start = number
        elif text.startswith(end):
            if start is None:
                return f"'{end}' on line {number + 1} without a matching '{begin}'"
            regions.append((start, number))
            start = None
    if start is not None:
        return f"unclosed region: '{begin}' on line {start + 1} has no '{end}'"
    return regions


def replace_regions(source: str, regions: list[tuple[int, int]], stub: tuple[str, ...] | None,
                    ) -> str:
    """Replace each region (delimiters included) by ``stub`` indented like the delimiter."""
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for begin, end in regions:
        out.extend(lines[cursor:begin])
        if stub is not None:
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            out.extend(indent + s for s in stub)
        cursor = end + 1
    out.extend(lines[cursor:])
    return "\n".join(out)


def _fail(path: Path, index: int, cell_id: str | None, message: str) -> CellError:
    return CellError(path.name, index, cell_id, message)


def _points(path: Path, index: int, cell_id: str, meta: dict[str, Any], role: str) -> float:
    value = meta.get("points")
    if value is None:
        raise _fail(path, index, cell_id, f"{role} cell without points (add metadata "
                                          f"seminarkit.points, a positive number)")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise _fail(path, index, cell_id, f"points must be a positive number, got {value!r}")
    return float(value)


def _parse_cell(path: Path, index: int, raw: Any, seen: set[str]) -> ExCell:
    if not isinstance(raw, dict):
        raise _fail(path, index, None, "not a cell object")
    meta = raw.get("metadata", {}).get(METADATA_KEY) or {}
    if not isinstance(meta, dict):
        raise _fail(path, index, None, f"metadata.{METADATA_KEY} must be a mapping")
    cell_type = str(raw.get("cell_type", ""))
    source = source_text(raw)
    cell_id = meta.get("id")
    role = meta.get("role")
    if role is None and cell_id is None:
        return ExCell(index, f"auto-{index}", ROLE_LOCKED, cell_type, source, meta={})
    if not isinstance(cell_id, str) or not _ID.match(cell_id):
        raise _fail(path, index, None, f"bad or missing id {cell_id!r} (letters, digits, "
                                       "'-', '_' and '.')")
    if cell_id in seen:
        raise _fail(path, index, cell_id, "duplicate id (each cell id must be unique)")
    seen.add(cell_id)
    role = role or ROLE_LOCKED
    if role not in ROLES:
        raise _fail(path, index, cell_id, f"unknown role {role!r}; choose one of: "
                                          + ", ".join(ROLES))
    solutions = find_regions(source, BEGIN_SOLUTION, END_SOLUTION)
    hidden = find_regions(source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
    for found in (solutions, hidden):
        if isinstance(found, str):
            raise _fail(path, index, cell_id, found)
    if solutions and role not in (ROLE_ANSWER, ROLE_MANUAL):
        raise _fail(path, index, cell_id, f"solution region in a {role} cell (only answer and "
                                          "manual cells may hold solutions)")
    if hidden and role != ROLE_TEST:
        raise _fail(path, index, cell_id, f"hidden tests in a {role} cell (only test cells)")
    points, rubric = 0.0, None
    answers: tuple[str, ...] = ()
    if role == ROLE_TEST:
        if cell_type != "code":
            raise _fail(path, index, cell_id, "test cells must be code cells")
        points = _points(path, index, cell_id, meta, role)
        raw_answers = meta.get("answers", [])
        if not isinstance(raw_answers, list) or not all(isinstance(a, str) for a in raw_answers):
            raise _fail(path, index, cell_id, "answers must be a list of answer cell ids")
        answers = tuple(raw_answers)
    elif role == ROLE_MANUAL:
        points = _points(path, index, cell_id, meta, role)
        rubric = meta.get("rubric")
        if not rubric:
            raise _fail(path, index, cell_id, "manual cell without a rubric (add metadata "
                                              "seminarkit.rubric)")
    return ExCell(index, cell_id, role, cell_type, source, points, rubric, answers, dict(meta))


def _link_answers(path: Path, cells: list[ExCell]) -> list[ExCell]:
    """Default each test's answer cells to the answer cells since the previous test."""
    ids = {c.id: c for c in cells}
    linked: list[ExCell] = []
    pending: list[str] = []
    for cell in cells:
        if cell.role == ROLE_ANSWER:
            pending.append(cell.id)
        if cell.role == ROLE_TEST:
            for ref in cell.answers:
                if ref not in ids or ids[ref].role != ROLE_ANSWER:
                    raise _fail(path, cell.index, cell.id, f"answers names {ref!r}, which is "
                                                           "not an answer cell")
            if not cell.answers:
                cell = ExCell(cell.index, cell.id, cell.role, cell.cell_type, cell.source,
                              cell.points, cell.rubric, tuple(pending), cell.meta)
            pending = []
        linked.append(cell)
    return linked


def read_notebook_json(path: Path) -> dict[str, Any]:
    """Read an ``.ipynb`` as JSON; raise ExerciseError if it is not a v4 notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExerciseError(f"{path}: cannot read the notebook ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ExerciseError(f"{path}: not a notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise ExerciseError(f"{path}: nbformat {nb.get('nbformat')!r} is not supported "
                            "(save it with Jupyter as nbformat 4)")
    return nb


def parse_exercise(nb: dict[str, Any], path: Path) -> Exercise:
    """Validate a notebook dict as an exercise source; raise ExerciseError naming the cell."""
    meta = nb.get("metadata", {}).get(METADATA_KEY)
    if not isinstance(meta, dict):
        raise ExerciseError(f"{path.name}: no notebook metadata '{METADATA_KEY}' (add "
                            "exercise, module and files)")
    ex_id, module = meta.get("exercise"), meta.get("module")
    for key, value in (("exercise", ex_id), ("module", module)):
        if not isinstance(value, str) or not _ID.match(value):
            raise ExerciseError(f"{path.name}: notebook metadata {METADATA_KEY}.{key} must be "
                                f"an id, got {value!r}")
    files = meta.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and _FILE.match(f)
                                              for f in files):
        raise ExerciseError(f"{path.name}: {METADATA_KEY}.files must be a list of file names in "
                            "the module's data folder (or '../name' for a file of the module "
                            "folder itself)")
    limits = dict(DEFAULT_LIMITS)
    raw_limits = meta.get("limits", {}) or {}
    if not isinstance(raw_limits, dict):
        raise ExerciseError(f"{path.name}: {METADATA_KEY}.limits must be a mapping")
    for key, value in raw_limits.items():
        if key not in DEFAULT_LIMITS:
            raise ExerciseError(f"{path.name}: unknown limit {key!r}; choose one of: "
                                + ", ".join(DEFAULT_LIMITS))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ExerciseError(f"{path.name}: limit {key} must be a positive number")
        limits[key] = float(value)
    seen: set[str] = set()
    cells = [_parse_cell(path, i, raw, seen) for i, raw in enumerate(nb["cells"])]
    cells = _link_answers(path, cells)
    if not any(c.role in (ROLE_TEST, ROLE_MANUAL) for c in cells):
        raise ExerciseError(f"{path.name}: no test or manual cell, so nothing to grade")
    from seminarkit.grading.probes import plan_test  # validates test code

    for cell in cells:
        if cell.role == ROLE_TEST:
            try:
                plan_test(cell.source)
            except ValueError as exc:
                raise _fail(path, cell.index, cell.id, str(exc)) from None
    title = str(meta.get("title") or ex_id)
    checked = Limits(cell_seconds=limits["cell_seconds"], total_seconds=limits["total_seconds"],
                     memory_mb=limits["memory_mb"])
    return Exercise(path, str(ex_id), str(module), title, tuple(files), checked, tuple(cells), nb)


def load_exercise(path: Path) -> Exercise:
    """Read and validate an exercise source notebook."""
    path = Path(path)
    if not path.is_file():
        raise ExerciseError(f"{path}: no such exercise notebook")
    return parse_exercise(read_notebook_json(path), path)

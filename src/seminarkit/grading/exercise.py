"""Parse and validate an instructor source exercise notebook.

An exercise is an ``.ipynb`` whose notebook metadata ``seminarkit`` holds ``exercise`` (id),
``module``, ``files`` (data files copied into the working directory, relative to the
module's ``data`` folder) and optional ``limits`` (``cell_seconds``, ``total_seconds``,
``memory_mb``). Cells carry ``metadata.seminarkit`` = ``{id, role, points, rubric}`` with
role ``answer | test | locked | manual``. Cells without a role are treated as locked.

Parsing fails closed (:class:`CellError` names the cell): region markers are read by
:func:`seminarkit.markers.parse_regions` (every form nbgrader accepts; anything that only
looks like a marker is refused), each region kind must sit in a role that strips it, a
hidden-tests region holds whole statements, points and limits are finite, and a cell tagged
``instructor-only`` (which may not be graded) is dropped from :attr:`Exercise.cells`, so no
student version, grading job or feedback can ever include it.

Notebooks are read as plain JSON (no :mod:`nbformat`): it is faster and tolerates the
damage students do to submissions.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seminarkit.errors import ExerciseError
from seminarkit.grading.protocol import Limits
from seminarkit.markers import (
    HIDDEN_TESTS,
    MARK_SCHEME,
    METADATA_KEY,
    ROLE_ANSWER,
    ROLE_LOCKED,
    ROLE_MANUAL,
    ROLE_TEST,
    ROLES,
    SOLUTION,
    TAG_INSTRUCTOR_ONLY,
    MarkerError,
    Region,
    RegionKind,
    fold_marker_text,
    parse_regions,
)

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
DEFAULT_LIMITS = {"cell_seconds": 30.0, "total_seconds": 120.0, "memory_mb": 1024.0}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # used with fullmatch: ASCII only
_FILE = re.compile(r"(\.\./)?[A-Za-z0-9][A-Za-z0-9_.-]*")
# Tags an instructor may have meant as instructor-only (compared folded, without spaces).
_LOOKALIKE_TAGS = {"instructoronly", "instructorsonly", "instructoronlycell", "teacheronly"}


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
    regions: tuple[Region, ...] = ()

    def regions_of(self, kind: RegionKind) -> list[Region]:
        """Return the cell's regions of one kind, in order."""
        return [r for r in self.regions if r.kind is kind]


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


def _fail(path: Path, index: int, cell_id: str | None, message: str) -> CellError:
    return CellError(path.name, index, cell_id, message)


def _points(path: Path, index: int, cell_id: str, meta: dict[str, Any], role: str) -> float:
    value = meta.get("points")
    if value is None:
        raise _fail(path, index, cell_id, f"{role} cell without points (add metadata "
                                          f"seminarkit.points, a positive number)")
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0
            or not math.isfinite(value)):
        raise _fail(path, index, cell_id, f"points must be a positive number (finite), got "
                                          f"{value!r}")
    return float(value)


def _tags(path: Path, index: int, raw_meta: dict[str, Any]) -> list[str]:
    tags = raw_meta.get("tags")
    if tags is None:
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _fail(path, index, None, "metadata.tags must be a list of strings")
    for tag in tags:
        if tag != TAG_INSTRUCTOR_ONLY and fold_marker_text(tag).replace(" ", "") in _LOOKALIKE_TAGS:
            raise _fail(path, index, None, f"tag {tag!r} looks like '{TAG_INSTRUCTOR_ONLY}' but "
                                           f"is not (tags are exact: write {TAG_INSTRUCTOR_ONLY})")
    return tags


def _regions(path: Path, index: int, cell_id: str | None, role: str, cell_type: str,
             source: str) -> tuple[Region, ...]:
    """Parse the cell's marked regions and check each kind is allowed in this role."""
    try:
        regions = parse_regions(source, code=cell_type == "code")
    except MarkerError as exc:
        raise _fail(path, index, cell_id, str(exc)) from None
    kinds = {r.kind for r in regions}
    if SOLUTION in kinds and role not in (ROLE_ANSWER, ROLE_MANUAL):
        raise _fail(path, index, cell_id, f"solution region in a {role} cell (only answer and "
                                          "manual cells may hold solutions)")
    if HIDDEN_TESTS in kinds and role != ROLE_TEST:
        raise _fail(path, index, cell_id, f"hidden tests in a {role} cell (only test cells)")
    if MARK_SCHEME in kinds and role != ROLE_MANUAL:
        raise _fail(path, index, cell_id, f"mark scheme in a {role} cell (only manual cells)")
    if role == ROLE_TEST and regions:
        crossing = _crossing_statement(source, regions)
        if crossing:
            raise _fail(path, index, cell_id, f"the statement on lines {crossing} crosses a "
                                              "hidden-tests marker (a hidden region must hold "
                                              "whole top-level statements)")
    return tuple(regions)


def _crossing_statement(source: str, regions: list[Region]) -> str | None:
    """Lines of the first top-level statement that is partly inside a hidden region."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None  # plan_test reports it
    markers = {n + 1 for r in regions for n in (r.begin, r.end)}
    inside = {n + 1 for r in regions for n in range(r.begin + 1, r.end)}
    for stmt in tree.body:
        decorators = getattr(stmt, "decorator_list", [])
        first = min([stmt.lineno, *(d.lineno for d in decorators)])
        span = set(range(first, (stmt.end_lineno or stmt.lineno) + 1))
        if span & markers or (span & inside and not span <= inside):
            return f"{first}-{max(span)}"
    return None


def _check_id(path: Path, index: int, cell_id: Any, seen: set[str]) -> str:
    if not isinstance(cell_id, str) or not _ID.fullmatch(cell_id):
        raise _fail(path, index, None, f"bad or missing id {cell_id!r} (ASCII letters, digits, "
                                       "'-', '_' and '.')")
    if cell_id in seen:
        raise _fail(path, index, cell_id, "duplicate id (each cell id must be unique)")
    seen.add(cell_id)
    return cell_id


def _parse_cell(path: Path, index: int, raw: Any, seen: set[str]) -> ExCell | None:
    """Validate one cell; return None for an instructor-only cell (it is never used)."""
    if not isinstance(raw, dict):
        raise _fail(path, index, None, "not a cell object")
    raw_meta = raw.get("metadata") or {}
    if not isinstance(raw_meta, dict):
        raise _fail(path, index, None, "metadata must be a mapping")
    meta = raw_meta.get(METADATA_KEY) or {}
    if not isinstance(meta, dict):
        raise _fail(path, index, None, f"metadata.{METADATA_KEY} must be a mapping")
    cell_type = raw.get("cell_type")
    if cell_type not in ("code", "markdown", "raw"):
        raise _fail(path, index, None, f"unknown cell type {cell_type!r} (code, markdown or raw)")
    src = raw.get("source", "")
    if not isinstance(src, str) and not (isinstance(src, list)
                                         and all(isinstance(s, str) for s in src)):
        raise _fail(path, index, None, "source must be text or a list of lines")
    source = source_text(raw)
    cell_id, role = meta.get("id"), meta.get("role")
    if TAG_INSTRUCTOR_ONLY in _tags(path, index, raw_meta):
        if role not in (None, ROLE_LOCKED):
            raise _fail(path, index, cell_id if isinstance(cell_id, str) else None,
                        f"an {TAG_INSTRUCTOR_ONLY} cell cannot be a {role} cell: it never "
                        "reaches students or grading (remove the tag, or hide tests in a "
                        "'### BEGIN HIDDEN TESTS' region of a test cell)")
        if cell_id is not None:
            _check_id(path, index, cell_id, seen)
        return None
    graded = raw_meta.get("nbgrader")
    if role is None and isinstance(graded, dict) and any(
            graded.get(k) for k in ("solution", "grade", "task")):
        raise _fail(path, index, None, "an nbgrader solution, grade or task cell without a "
                                       f"seminarkit role (add metadata {METADATA_KEY}.id and "
                                       f"{METADATA_KEY}.role: answer, test or manual)")
    if role is None and cell_id is None:
        regions = _regions(path, index, None, ROLE_LOCKED, cell_type, source)
        return ExCell(index, f"auto-{index}", ROLE_LOCKED, cell_type, source, meta={},
                      regions=regions)
    cell_id = _check_id(path, index, cell_id, seen)
    role = role or ROLE_LOCKED
    if role not in ROLES:
        raise _fail(path, index, cell_id, f"unknown role {role!r}; choose one of: "
                                          + ", ".join(ROLES))
    regions = _regions(path, index, cell_id, role, cell_type, source)
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
    return ExCell(index, cell_id, role, cell_type, source, points, rubric, answers, dict(meta),
                  regions)


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
                cell = dataclasses.replace(cell, answers=tuple(pending))
            pending = []
        linked.append(cell)
    return linked


def read_notebook_json(path: Path) -> dict[str, Any]:
    """Read an ``.ipynb`` as JSON; raise ExerciseError if it is not a v4 notebook."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExerciseError(f"{path}: cannot read the notebook ({exc})") from None
    except RecursionError:
        raise ExerciseError(f"{path}: cannot read the notebook (JSON nested too deeply)") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ExerciseError(f"{path}: not a notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise ExerciseError(f"{path}: nbformat {nb.get('nbformat')!r} is not supported "
                            "(save it with Jupyter as nbformat 4)")
    return nb


def parse_exercise(nb: dict[str, Any], path: Path) -> Exercise:
    """Validate a notebook dict as an exercise source; raise ExerciseError naming the cell."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ExerciseError(f"{path.name}: not a notebook (no list of cells)")
    nb_meta = nb.get("metadata")
    meta = nb_meta.get(METADATA_KEY) if isinstance(nb_meta, dict) else None
    if not isinstance(meta, dict):
        raise ExerciseError(f"{path.name}: no notebook metadata '{METADATA_KEY}' (add "
                            "exercise, module and files)")
    ex_id, module = meta.get("exercise"), meta.get("module")
    for key, value in (("exercise", ex_id), ("module", module)):
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise ExerciseError(f"{path.name}: notebook metadata {METADATA_KEY}.{key} must be "
                                f"an id, got {value!r}")
    files = meta.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) and _FILE.fullmatch(f)
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
        if (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0
                or not math.isfinite(value)):
            raise ExerciseError(f"{path.name}: limit {key} must be a positive number (finite), "
                                f"got {value!r}")
        limits[key] = float(value)
    seen: set[str] = set()
    parsed = [_parse_cell(path, i, raw, seen) for i, raw in enumerate(nb["cells"])]
    # Instructor-only cells are left out here, so nothing downstream (student version,
    # grading job, feedback) can ever see them.
    cells = _link_answers(path, [c for c in parsed if c is not None])
    if not any(c.role in (ROLE_TEST, ROLE_MANUAL) for c in cells):
        raise ExerciseError(f"{path.name}: no test or manual cell, so nothing to grade")
    from seminarkit.grading.probes import plan_test  # validates test code

    for cell in cells:
        if cell.role == ROLE_TEST:
            try:
                plan_test(cell.source)
            except RecursionError:
                raise _fail(path, cell.index, cell.id, "test code is nested too deeply") from None
            except SyntaxError as exc:  # parses, but does not compile ('yield' outside a function)
                raise _fail(path, cell.index, cell.id, f"test code does not compile: {exc.msg} "
                                                       f"(line {exc.lineno})") from None
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

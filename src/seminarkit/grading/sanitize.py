"""Rebuild a submission against the instructor source, and record every repair.

Cells are matched by their kit id (``metadata.seminarkit.id``), never by position, so cells
that were moved are simply found. Locked cells are always taken from the instructor source;
test cells are never taken from the submission at all (checks run in the grader). Answer
cells that were duplicated or split (both halves keep the id) are merged, an answer cell
whose type was changed is turned back, a deleted answer cell is restored as its stub, and
cells the student added are run after the kit cell they follow. A test cell becomes a
*point*: the place where its probes are evaluated, as Jupyter would run it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seminarkit.grading.exercise import Exercise, checksum, source_text
from seminarkit.grading.protocol import JobCell
from seminarkit.grading.release import stubs, student_source
from seminarkit.grading.submissions import Unreadable, parse_json
from seminarkit.markers import METADATA_KEY, ROLE_ANSWER, ROLE_LOCKED, ROLE_MANUAL, ROLE_TEST


class InvalidNotebook(ValueError):
    """The submission is not a readable v4 notebook (carries the reason for the gradebook)."""


@dataclass
class Sanitized:
    """A submission rebuilt for execution."""

    cells: list[JobCell]  # in execution order
    answers: dict[str, str]  # answer/manual id -> the student's text
    untouched: set[str]  # answer/manual ids left as released (or deleted)
    repairs: list[tuple[str, str]] = field(default_factory=list)  # (cell id, what was done)


def load_submission(data: bytes, exercise_id: str) -> dict[str, Any]:
    """Parse submission bytes as a notebook; raise InvalidNotebook with a clear reason."""
    try:
        nb = parse_json(data, "notebook")
    except Unreadable as exc:
        raise InvalidNotebook(str(exc)) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InvalidNotebook("not a notebook: no list of cells")
    if nb.get("nbformat") != 4:
        raise InvalidNotebook(f"unsupported nbformat {nb.get('nbformat')!r} (expected 4)")
    meta = nb.get("metadata")
    kit = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
    if isinstance(kit, dict) and kit.get("exercise") not in (None, exercise_id):
        raise InvalidNotebook(f"wrong exercise: this notebook is {kit.get('exercise')!r}, "
                              f"expected {exercise_id!r}")
    return nb


def _kit_id(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return None
    meta = raw.get("metadata")
    kit = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
    ident = kit.get("id") if isinstance(kit, dict) else None
    return ident if isinstance(ident, str) else None


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def sanitize(exercise: Exercise, nb: dict[str, Any]) -> Sanitized:
    """Match the submission's cells to the source by id and rebuild the cells to run."""
    known = {c.id: c for c in exercise.cells}
    released = stubs(exercise)
    matches: dict[str, list[dict[str, Any]]] = {}
    extras: dict[str | None, list[tuple[int, dict[str, Any]]]] = {}
    anchor: str | None = None
    for pos, raw in enumerate(nb["cells"]):
        ident = _kit_id(raw)
        if ident in known:
            matches.setdefault(ident, []).append(raw)
            anchor = ident
        elif isinstance(raw, dict):
            extras.setdefault(anchor, []).append((pos, raw))
    result = Sanitized([], {}, set())
    for pos, raw in extras.get(None, []):
        _add_extra(result, pos, raw)
    for cell in exercise.cells:
        found = matches.get(cell.id, [])
        if cell.role in (ROLE_LOCKED, ROLE_TEST):
            _check_fixed(result, cell.id, cell.role, found,
                         {checksum(cell.cell_type, student_source(cell)),
                          checksum(cell.cell_type, cell.source)})
            if cell.role == ROLE_LOCKED and cell.cell_type == "code":
                result.cells.append(JobCell(key=cell.id, source=cell.source))
            if cell.role == ROLE_TEST:  # its checks run here, as in Jupyter
                result.cells.append(JobCell(key=cell.id, point=True))
        else:
            text = _answer_text(result, cell.id, cell.cell_type, found, released[cell.id])
            result.answers[cell.id] = text
            if not text.strip() or _norm(text) == _norm(released[cell.id]):
                result.untouched.add(cell.id)
            if cell.cell_type == "code":
                result.cells.append(JobCell(key=cell.id, source=text))
        for pos, raw in extras.get(cell.id, []):
            _add_extra(result, pos, raw)
    return result


def _add_extra(result: Sanitized, pos: int, raw: dict[str, Any]) -> None:
    if raw.get("cell_type") == "code":
        result.cells.append(JobCell(key=f"added-{pos}", source=source_text(raw)))


def _check_fixed(result: Sanitized, ident: str, role: str, found: list[dict[str, Any]],
                 expected: set[str]) -> None:
    what = "test" if role == ROLE_TEST else "locked"
    if not found:
        result.repairs.append((ident, f"restored the deleted {what} cell"))
        return
    if len(found) > 1:
        result.repairs.append((ident, f"removed {len(found) - 1} extra copies of the {what} "
                                      "cell"))
    first = found[0]
    if checksum(str(first.get("cell_type", "")), source_text(first)) not in expected:
        result.repairs.append((ident, f"restored the {what} cell, which had been changed"))


def _answer_text(result: Sanitized, ident: str, cell_type: str, found: list[dict[str, Any]],
                 stub: str) -> str:
    if not found:
        result.repairs.append((ident, "the answer cell was deleted; restored it unanswered"))
        return stub
    texts = [source_text(raw) for raw in found]
    if len(texts) > 1:
        kept = [t for t in texts if t.strip() and _norm(t) != _norm(stub)] or [stub]
        result.repairs.append((ident, f"merged {len(texts)} cells carrying this answer's id "
                                      "(duplicated or split)"))
        texts = kept
    if any(raw.get("cell_type") != cell_type for raw in found):
        result.repairs.append((ident, f"changed the answer cell back to a {cell_type} cell"))
    return "\n".join(texts)


__all__ = ["ROLE_ANSWER", "ROLE_MANUAL", "InvalidNotebook", "Sanitized", "load_submission",
           "sanitize"]

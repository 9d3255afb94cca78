"""The gradebook in each platform's grade-import layout (``seminarkit grade export``).

Input: one or more gradebook folders written by ``seminarkit grade`` (read through their
public surface, ``Gradebook(folder).reports``: one :class:`GradeReport` per student and
exercise), and a roster (:mod:`seminarkit.lms.rosters`). One column per exercise; a cell is
the exercise's total points (sum of its items), rounded half-up to 2 decimals, the precision
Canvas shows. The maximum of a column is the sum of the items' maxima.

* **Canvas** (Grades > Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, one
  column per assignment, and a ``Points Possible`` row under the header, as Canvas's own
  export writes it. Canvas's importer needs ``SIS Login ID`` right after ``SIS User ID`` and a
  ``Section`` column to accept the header; it finds the student by ID, then SIS User ID, then
  SIS Login ID. A column named ``Title (1234)`` updates Canvas assignment 1234; another title
  creates an assignment with the points possible of that row.
* **Moodle** (Grades > Import > CSV file): ``First name, Last name``, the identifier column
  (``Email address``, ``ID number`` or ``Username``, from the roster's key: map it to
  useremail, useridnumber or username on Moodle's import page), then one column per grade
  item. Moodle has no row for maxima: set each grade item's maximum to the one printed.

Roster students without a submission get an empty cell (no grade: Moodle reads an empty
cell or ``-`` as no grade; Canvas lists every cell that differs from its gradebook on its
confirmation page before changing anything) unless ``missing_as_zero``; an exercise with
answers still to mark by hand stays empty, with a note. A gradebook student who is not on
the roster is an error (their grade would be lost), unless ``skip_unmatched``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from seminarkit.lms.cells import csv_text, id_cell, points_cell, rounded, text_cell
from seminarkit.lms.errors import GradeExportError
from seminarkit.lms.rosters import Roster, RosterStudent

PLATFORMS = ("canvas", "moodle")
NEEDS_MANUAL = "needs-manual"
MOODLE_ID_COLUMNS = {"email": ("Email address", "email"), "sis": ("ID number", "sis_id"),
                     "username": ("Username", "username")}
MOODLE_MAP_TO = {"email": "useremail", "sis": "useridnumber", "username": "username"}


@dataclass(frozen=True)
class Column:
    """One exercise: its column title and maximum (points)."""

    exercise: str
    title: str
    maximum: Decimal


@dataclass
class Grades:
    """Every exercise total of every gradebook student; ``None`` = still to mark by hand."""

    columns: list[Column]
    points: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GradeExport:
    """What :func:`export_grades` produced: the CSV text, notes to show, and a summary."""

    text: str
    columns: list[Column]
    students: int
    without_submission: int
    notes: list[str]


def _decimal(value: object) -> Decimal:
    return Decimal(repr(float(value))) if isinstance(value, float | int) else Decimal(0)


def collect(folders: Sequence[Path], titles: Mapping[str, str] | None = None) -> Grades:
    """Read the gradebook folders; one column per exercise, in order of first appearance."""
    from seminarkit.grading.gradebook import Gradebook

    problems: list[str] = []
    maxima: dict[str, tuple[Decimal, str]] = {}
    grades = Grades(columns=[])
    origin: dict[tuple[str, str], Path] = {}
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise GradeExportError(f"{folder}: no such gradebook folder (give the --out folder "
                                   "of seminarkit grade)")
        reports = list(Gradebook(folder).reports.values())
        if not reports:
            raise GradeExportError(f"{folder}: no graded reports (run seminarkit grade ... "
                                   f"--out {folder} first)")
        for report in sorted(reports, key=lambda r: (r.get("exercise", ""), r["student"])):
            student, exercise = report["student"], report.get("exercise") or folder.name
            if (student, exercise) in origin:
                problems.append(f"{folder}: {student} / {exercise} is also in "
                                f"{origin[student, exercise]}; export each exercise once")
                continue
            origin[student, exercise] = folder
            items = report.get("items", [])
            total = sum((_decimal(i["max"]) for i in items), Decimal(0))
            if exercise not in maxima:
                maxima[exercise] = (total, student)
            elif maxima[exercise][0] != total:
                first, who = maxima[exercise]
                problems.append(f"{folder}: exercise {exercise!r} is out of {points_cell(total)} "
                                f"for {student} but out of {points_cell(first)} for {who}; "
                                "regrade with one version")
            pending = sum(1 for i in items if i["status"] == NEEDS_MANUAL)
            if pending:
                grades.notes.append(f"{student}: {exercise} has {pending} answer(s) still to mark "
                                    "by hand; grade left empty (seminarkit grade --import-manual)")
            grades.points.setdefault(student, {})[exercise] = None if pending else sum(
                (_decimal(i["points"]) for i in items), Decimal(0))
    unknown = sorted(set(titles or {}) - set(maxima))
    problems += [f"--title {name}=...: no exercise {name!r} in the gradebook (exercises: "
                 f"{', '.join(maxima)})" for name in unknown]
    if problems:
        raise GradeExportError(problems)
    grades.columns = [Column(ex, (titles or {}).get(ex, ex), total)
                      for ex, (total, _who) in maxima.items()]
    return grades


def _cells(grades: Grades, student: str | None, missing_as_zero: bool) -> list[str]:
    row = grades.points.get(student or "", {})
    cells = []
    for column in grades.columns:
        if column.exercise in row:
            value = row[column.exercise]
            cells.append(points_cell(None if value is None else rounded(value)))
        else:
            cells.append("0" if missing_as_zero else "")
    return cells


def _names(student: RosterStudent) -> tuple[str, str, str]:
    """(sortable 'Last, First', first name, last name) from whatever the roster holds."""
    first, last = student.first_name or "", student.last_name or ""
    if not (first or last) and student.sortable_name and student.sortable_name.count(",") == 1:
        last, first = (p.strip() for p in student.sortable_name.split(","))
    if not (first or last):
        first = student.name or ""
    sortable = student.sortable_name or (f"{last}, {first}" if last else first)
    return sortable, first, last


def canvas_rows(roster: Roster, grades: Grades, owners: Mapping[str, str],
                missing_as_zero: bool) -> list[list[str]]:
    """Canvas's import layout: header, Points Possible row, one row per roster student."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
              *(text_cell(c.title) for c in grades.columns)]
    rows = [header, ["    Points Possible", "", "", "", "",
                     *(points_cell(c.maximum) for c in grades.columns)]]
    for student in roster.students:
        who = f"{roster.path}: row {student.row}"
        if not (student.lms_id or student.sis_id or student.username):
            raise GradeExportError(f"{who}: {student.id} has no Canvas ID, SIS User ID or SIS "
                                   "Login ID, so Canvas cannot find the student (use the Canvas "
                                   "gradebook export as roster)")
        sortable, _first, _last = _names(student)
        rows.append([text_cell(sortable), id_cell(student.lms_id, "ID", who),
                     id_cell(student.sis_id, "SIS User ID", who),
                     id_cell(student.username, "SIS Login ID", who), text_cell(student.section),
                     *_cells(grades, owners.get(student.id), missing_as_zero)])
    return rows


def moodle_rows(roster: Roster, grades: Grades, owners: Mapping[str, str],
                missing_as_zero: bool) -> list[list[str]]:
    """Moodle's CSV import layout: names, the identifier column, one column per grade item."""
    if roster.key not in MOODLE_ID_COLUMNS:
        raise GradeExportError(f"{roster.path}: Moodle finds users by email address, ID number "
                               "or username: read the roster with --key email, sis or username")
    label, attribute = MOODLE_ID_COLUMNS[roster.key]
    rows = [["First name", "Last name", label, *(text_cell(c.title) for c in grades.columns)]]
    for student in roster.students:
        _sortable, first, last = _names(student)
        value = getattr(student, attribute) or student.id
        rows.append([text_cell(first), text_cell(last),
                     id_cell(value, label, f"{roster.path}: row {student.row}"),
                     *_cells(grades, owners.get(student.id), missing_as_zero)])
    return rows


def export_grades(roster: Roster, folders: Sequence[Path], platform: str, *,
                  missing_as_zero: bool = False, skip_unmatched: bool = False,
                  titles: Mapping[str, str] | None = None) -> GradeExport:
    """Build the grade-import CSV of ``platform`` for every roster student."""
    if platform not in PLATFORMS:
        raise GradeExportError(f"unknown platform {platform!r}; choose one of: "
                               f"{', '.join(PLATFORMS)}")
    grades = collect(folders, titles)
    match = roster.match(grades.points)
    unmatched = [f"{s}: graded in the gradebook but not on the roster {roster.path} "
                 f"(no {roster.key} {s!r})" for s in match.not_on_roster]
    if unmatched and not skip_unmatched:
        raise GradeExportError([*unmatched, f"{len(unmatched)} graded student(s) are not on the "
                                "roster; nothing written (fix the roster or --key, or pass "
                                "--skip-unmatched to leave them out)"])
    owners = {s.id: student for student, s in match.found.items()}
    build = canvas_rows if platform == "canvas" else moodle_rows
    text = csv_text(build(roster, grades, owners, missing_as_zero))
    notes = [*roster.skipped_lines(), *unmatched, *grades.notes]
    return GradeExport(text, grades.columns, len(roster.students),
                       len(match.without_submission), notes)

"""Per-student quiz variants: one exam notebook per roster entry plus an instructor key.

``seminarkit quiz variants MODULE --roster roster.csv --out DIR`` writes::

    DIR/students/<module>-quiz-<student>.ipynb     one per student (hand these out)
    DIR/instructor/<module>-quiz-key.csv           student, seed, question, answer...
    DIR/instructor/<module>-quiz-key.json          the same, as JSON

Each notebook holds a title and one code cell calling
:func:`seminarkit.quiz.notebook.exam_quiz` with the student's seed, derived from the module
and student ids (:func:`variant_seed`), so running the command again gives the same files.
The roster is a Canvas or Moodle roster export (with ``--key`` naming the column of the
students' ids) or the kit's own CSV with an ``id`` (or ``student_id``) column and an optional
``name`` (:mod:`seminarkit.lms.rosters`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from seminarkit.fileio import write_atomic
from seminarkit.lms.rosters import read_roster as read_lms_roster
from seminarkit.quiz.common import answer_text, number_text
from seminarkit.quiz.errors import QuizError, RosterError
from seminarkit.quiz.notebook import default_quiz_id, file_slug
from seminarkit.quiz.scoring import require_key
from seminarkit.quiz.select import select_questions

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

_NB: Any = nbformat  # nbformat is untyped


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster (``row`` is the CSV line number, header = 1)."""

    id: str
    name: str | None
    row: int


@dataclass(frozen=True)
class VariantsResult:
    """What :func:`write_variants` wrote."""

    notebooks: list[Path]
    key_csv: Path
    key_json: Path


def read_roster(path: Path, key: str | None = None,
                encoding: str | None = None) -> list[RosterEntry]:
    """Read a roster for variants: every row needs an id and its own notebook file name.

    ``path`` is a Canvas or Moodle roster export or the kit's ``id,name`` roster
    (:func:`seminarkit.lms.rosters.read_roster`; ``key`` says which column holds the ids).
    Unlike grade export, a row without an id is an error here: that student would get no
    exam. Raises :class:`RosterError` with one line per problem.
    """
    roster = read_lms_roster(path, key=key, encoding=encoding)
    problems = []
    for skipped in roster.skipped:
        if roster.key == "id":
            problems.append(f"{roster.path}: row {skipped.row}: empty id (every student "
                            "needs one)")
        else:
            who = f" ({skipped.name})" if skipped.name else ""
            problems.append(f"{roster.path}: row {skipped.row}{who}: {skipped.reason}; every "
                            "student needs an id (fill the cell, remove the row or choose "
                            "another --key)")
    entries: list[RosterEntry] = []
    slugs: dict[str, RosterEntry] = {}
    for student in roster.students:
        entry = RosterEntry(student.id, student.name, student.row)
        slug = file_slug(student.id)
        if slug in slugs:
            problems.append(f"{roster.path}: row {student.row}: id {student.id!r} gives the same "
                            f"file name as {slugs[slug].id!r} on row {slugs[slug].row}")
            continue
        slugs[slug] = entry
        entries.append(entry)
    if problems:
        raise RosterError(sorted(problems, key=_row_of))
    return entries


def _row_of(line: str) -> int:
    """Return the row number in a problem line (to report problems in file order)."""
    match = re.search(r": row (\d+)", line)
    return int(match.group(1)) if match else 0


def variant_seed(module_id: str, student_id: str) -> int:
    """Return the deterministic seed of a student's variant (31-bit, from both ids)."""
    data = f"seminarkit-variant\0{module_id}\0{student_id}".encode()
    return int(hashlib.sha256(data).hexdigest()[:8], 16) & 0x7FFFFFFF


def variant_notebook(module: Module, entry: RosterEntry, seed: int,
                     n_questions: int | None) -> Any:
    """Build one student's exam notebook (nbformat v4, deterministic cell ids)."""
    quiz_id = default_quiz_id(module.id, entry.id)
    who = f"{entry.name} ({entry.id})" if entry.name else entry.id
    title = (f"# Quiz: {module.meta.short_title}\n\n"
             f"Student: **{who}**\n\n"
             "Run the cell below, answer every question, then press **Save answers**. "
             f"Hand in the file `{quiz_id}.responses.json` that appears next to this "
             "notebook. You can save as often as you like; the last save counts.")
    code = ("from seminarkit.quiz.notebook import exam_quiz\n\n"
            f"exam_quiz(module={module.id!r}, seed={seed!r}, student={entry.id!r}, "
            f"n_questions={n_questions!r})")
    nb = _NB.v4.new_notebook()
    nb.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "seminarkit": {"quiz": {"module": module.id, "student": entry.id, "seed": seed,
                                "quiz_id": quiz_id}},
    })
    nb.cells = [_NB.v4.new_markdown_cell(title, id="quiz-title"),
                _NB.v4.new_code_cell(code, id="quiz-exam")]
    return nb


def _key_rows(module: Module, roster: list[RosterEntry],
              n_questions: int | None) -> list[dict[str, Any]]:
    by_id = require_key(module)
    students = []
    for entry in roster:
        seed = variant_seed(module.id, entry.id)
        chosen = select_questions(module.need_quiz(), n=n_questions, seed=seed, pool="exam")
        students.append({
            "id": entry.id, "name": entry.name, "seed": seed,
            "quiz_id": default_quiz_id(module.id, entry.id),
            "questions": [{"id": q.id, "type": q.type, "points": q.points,
                           "answer": answer_text(by_id[q.id])} for q in chosen],
        })
    return students


def write_variants(module: Module, roster: list[RosterEntry], out_dir: Path,
                   n_questions: int | None = None) -> VariantsResult:
    """Write one exam notebook per student and the instructor key (CSV and JSON)."""
    if not roster:
        raise QuizError("the roster lists no students")
    students = _key_rows(module, roster, n_questions)
    out_dir = Path(out_dir)
    notebooks = []
    for entry, info in zip(roster, students, strict=True):
        nb = variant_notebook(module, entry, info["seed"], n_questions)
        target = out_dir / "students" / f"{info['quiz_id']}.ipynb"
        notebooks.append(write_atomic(target, _NB.writes(nb) + "\n"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "name", "seed", "quiz_id", "position", "question_id", "type",
                     "points", "answer"])
    for info in students:
        for pos, q in enumerate(info["questions"], start=1):
            writer.writerow([info["id"], info["name"] or "", info["seed"], info["quiz_id"], pos,
                             q["id"], q["type"], number_text(q["points"]), q["answer"]])
    key_dir = out_dir / "instructor"
    key_csv = write_atomic(key_dir / f"{module.id}-quiz-key.csv", buffer.getvalue())
    payload = {"module": module.id, "n_questions": n_questions, "students": students}
    key_json = write_atomic(key_dir / f"{module.id}-quiz-key.json",
                                 json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    return VariantsResult(notebooks, key_csv, key_json)

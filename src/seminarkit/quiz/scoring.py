"""Scoring saved exam responses with the real key (instructor materials only).

:func:`score_responses` is the stable entry point other graders call: one responses
document in, one :class:`ItemScore` per question out. :func:`score_files` scores many files
(or folders of ``*.responses.json``), turning a corrupt or foreign file into a per-file
:class:`FileError` while the others are still scored; :func:`grades_csv` writes the table,
with a row for every roster student who did not submit (:func:`roster_check`). Text cells
are escaped against spreadsheet formula injection.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.quiz.check import check
from seminarkit.quiz.common import RESPONSES_FORMAT, RESPONSES_SUFFIX, fmt_points
from seminarkit.quiz.errors import QuizError, ResponsesError
from seminarkit.quiz.select import select_questions

if TYPE_CHECKING:
    from seminarkit.content.materials import Module


@dataclass(frozen=True)
class ItemScore:
    """The score of one question: points earned, points possible, and a status.

    ``status`` is ``correct``, ``partial``, ``wrong`` or ``unanswered``.
    """

    question_id: str
    points: float
    max_points: float
    status: str


@dataclass(frozen=True)
class ScoredFile:
    """One responses file, scored."""

    path: Path
    student: str | None
    quiz_id: str
    seed: int | None
    saved_at: str | None
    items: list[ItemScore] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Points earned over all questions of the file."""
        return sum(i.points for i in self.items)

    @property
    def max_score(self) -> float:
        """Points possible over all questions of the file."""
        return sum(i.max_points for i in self.items)


@dataclass(frozen=True)
class FileError:
    """A responses file that could not be scored, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def require_key(module: Module) -> dict[str, Any]:
    """Return the module's questions by id; a clear error without a quiz or without keys."""
    if module.quiz is None or not module.quiz.questions:
        raise QuizError(f"module {module.id!r} has no quiz questions (add quiz.yaml)")
    missing = [q.id for q in module.quiz.questions if q.answer is None]
    if missing:
        raise QuizError(f"module {module.id!r}: no answer key for {missing[0]!r} (scoring "
                        "needs the instructor edition of the materials)")
    return {q.id: q for q in module.quiz.questions}


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise ResponsesError(f"field {name!r} is missing or malformed (not a seminarkit quiz "
                             "responses file?)")
    return value


def _expected_ids(module: Module, data: Mapping[str, Any]) -> list[str] | None:
    selection = data.get("selection")
    if not isinstance(selection, Mapping) or not selection:
        return None
    try:
        chosen = select_questions(
            module.need_quiz(), n=selection.get("n"), seed=int(data.get("seed") or 0),
            blocks=selection.get("blocks"), difficulties=selection.get("difficulties"),
            objectives=selection.get("objectives"), shuffle=bool(selection.get("shuffle")),
            pool=selection.get("pool"))
    except (QuizError, TypeError, ValueError) as exc:
        raise ResponsesError(f"recorded selection cannot be replayed: {exc}") from None
    return [q.id for q in chosen]


def score_responses(module: Module, data: Mapping[str, Any]) -> list[ItemScore]:
    """Score one responses document against ``module``'s real key.

    ``module`` is a :class:`seminarkit.content.materials.Module` of the instructor edition; ``data``
    is the parsed ``<quiz_id>.responses.json`` (see docs/quiz.md). Returns one
    :class:`ItemScore` per question of the quiz the student saw, in quiz order. A document
    without a ``module`` (a widget built without one) is checked by its question ids. Raises
    :class:`ResponsesError` when the document is malformed, belongs to another module, or
    lists questions that its recorded selection (seed, filters) would not have given.
    """
    by_id = require_key(module)
    if not isinstance(data, Mapping) or data.get("format") != RESPONSES_FORMAT:
        raise ResponsesError("not a seminarkit quiz responses file (no "
                             f"'format: {RESPONSES_FORMAT}')")
    if data.get("module") not in (None, module.id):  # None: a widget built without module
        raise ResponsesError(f"responses are for module {data.get('module')!r}, "
                             f"not {module.id!r}")
    answers = _field(data, "answers", Mapping)
    ids = data.get("questions", list(answers))
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids) or not ids:
        raise ResponsesError("field 'questions' must list the question ids")
    unknown = [i for i in [*ids, *answers] if i not in by_id]
    if unknown:
        raise ResponsesError(f"unknown question {unknown[0]!r} (not in module "
                             f"{module.id!r}; another quiz, or an older question bank?)")
    stray = [i for i in answers if i not in ids]
    if stray:
        raise ResponsesError(f"answer to {stray[0]!r}, which is not among the file's questions")
    expected = _expected_ids(module, data)
    if expected is not None and sorted(expected) != sorted(ids):
        raise ResponsesError(f"question list does not match seed {data.get('seed')!r} and the "
                             "recorded selection (file edited, or the question bank changed)")
    items = []
    for qid in ids:
        result = check(by_id[qid], answers.get(qid))
        items.append(ItemScore(qid, result.points, result.max_points, result.status))
    return items


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[FileError]]:
    """Files as given, folders as their ``*.responses.json`` files (recursively)."""
    files: list[Path] = []
    errors: list[FileError] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.rglob(f"*{RESPONSES_SUFFIX}"))
            if not found:
                errors.append(FileError(path, f"no *{RESPONSES_SUFFIX} files in this folder"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(FileError(path, "no such file or folder"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return [Path(p) for p in unique], errors


def score_files(module: Module,
                paths: Iterable[Path]) -> tuple[list[ScoredFile], list[FileError]]:
    """Score every responses file under ``paths``; bad files become errors, not aborts."""
    require_key(module)
    files, errors = expand_paths(paths)
    rows: list[ScoredFile] = []
    seen: dict[str, Path] = {}
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(FileError(path, f"cannot read: {exc}"))
            continue
        except ValueError as exc:
            errors.append(FileError(path, f"corrupt JSON ({exc})"))
            continue
        try:
            items = score_responses(module, data)
        except QuizError as exc:
            errors.append(FileError(path, str(exc)))
            continue
        student = data.get("student") if isinstance(data.get("student"), str) else None
        who = student or path.name
        if who in seen:
            errors.append(FileError(path, f"student {who!r} was already scored from "
                                          f"{seen[who]}; keep one file per student"))
            continue
        seen[who] = path
        seed = data.get("seed")
        rows.append(ScoredFile(path, student, str(data.get("quiz_id")),
                               seed if isinstance(seed, int) else None,
                               data.get("saved_at"), items))
    return rows, errors


def _cell(value: object) -> str:
    """Return a CSV text cell, escaped against formula injection (a leading = + - @ tab or CR)."""
    text = str(value)
    return f"'{text}" if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def who(row: ScoredFile) -> str:
    """Return the student a scored file belongs to: its ``student`` field, else the file's stem."""
    return row.student or row.path.name.split(".", 1)[0]


def roster_check(rows: Sequence[ScoredFile], roster: Sequence[str]) -> tuple[list[str],
                                                                               list[str]]:
    """Return (roster students without a scored file, scored students not on the roster)."""
    submitted = {who(row) for row in rows}
    listed = set(roster)
    return ([s for s in roster if s not in submitted],
            sorted(s for s in submitted if s not in listed))


def grades_csv(rows: Sequence[ScoredFile], question_order: Sequence[str] = (),
               missing: Sequence[str] = ()) -> str:
    """Return a grade table (CSV): one row per file, totals, then the points per question.

    Each student in ``missing`` (on the roster, nothing scored) gets a row with ``file``
    ``(not submitted)`` and no score.
    """
    order = list(question_order)
    for row in rows:
        order += [i.question_id for i in row.items if i.question_id not in order]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "quiz_id", "seed", "saved_at", "file", "score", "max_score",
                     "percent", *order])
    for row in rows:
        points = {i.question_id: fmt_points(i.points) for i in row.items}
        percent = 100 * row.score / row.max_score if row.max_score else 0.0
        writer.writerow([_cell(row.student or ""), _cell(row.quiz_id),
                         "" if row.seed is None else row.seed, _cell(row.saved_at or ""),
                         _cell(row.path.name), fmt_points(row.score),
                         fmt_points(row.max_score), f"{percent:.1f}",
                         *(points.get(q, "") for q in order)])
    for student in missing:
        writer.writerow([_cell(student), "", "", "", "(not submitted)", "", "", "",
                         *("" for _ in order)])
    return buffer.getvalue()

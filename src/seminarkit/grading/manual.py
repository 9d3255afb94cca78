"""Manual grading: export written answers with their rubric, import the marks.

``--export-manual FILE`` writes every manual item of the graded submissions as a CSV (fill in
``points`` and ``comment``) or an HTML sheet to read and mark from. ``--import-manual FILE``
reads the filled CSV back, checks every mark, and merges it into the gradebook.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

from seminarkit.errors import SubmissionError
from seminarkit.fileio import write_atomic
from seminarkit.grading import feedback
from seminarkit.grading.exercise import Exercise
from seminarkit.grading.gradebook import Gradebook
from seminarkit.grading.protocol import GradeReport, ItemJson

SHEET_COLUMNS = ("student", "exercise", "item", "max", "rubric", "answer", "points", "comment")


def rubric_text(rubric: Any) -> str:
    """Return a rubric (text, list of criteria, or mapping) as plain text."""
    if isinstance(rubric, str):
        return rubric.strip()
    if isinstance(rubric, dict):
        return "\n".join(f"- {k}: {v}" for k, v in rubric.items())
    if isinstance(rubric, list):
        lines = []
        for entry in rubric:
            if isinstance(entry, dict):
                pts = f" ({entry['points']:g} pt)" if isinstance(entry.get("points"),
                                                                  (int, float)) else ""
                lines.append(f"- {entry.get('criterion', entry.get('text', ''))}{pts}")
            else:
                lines.append(f"- {entry}")
        return "\n".join(lines)
    return str(rubric)


def sheet_rows(book: Gradebook, exercise: Exercise) -> list[dict[str, str]]:
    """One row per (student, manual item) of ``exercise``."""
    rows = []
    for key in sorted(book.reports):
        report = book.reports[key]
        if report.get("exercise") != exercise.id:
            continue
        answers = report.get("manual_answers", {})
        for item in report.get("items", []):
            if item.get("kind") != "manual":
                continue
            marked = item["status"] not in ("needs-manual",)
            rows.append({"student": report["student"], "exercise": exercise.id,
                         "item": item["item"], "max": f"{item['max']:g}",
                         "rubric": rubric_text(exercise.cell(item["item"]).rubric),
                         "answer": answers.get(item["item"], ""),
                         "points": f"{item['points']:g}" if marked else "",
                         "comment": item.get("detail", "") if marked else ""})
    return rows


def export_manual(book: Gradebook, exercise: Exercise, path: Path) -> int:
    """Write the marking sheet (``.csv`` or ``.html``); return the number of answers."""
    rows = sheet_rows(book, exercise)
    if path.suffix.lower() in (".html", ".htm"):
        write_atomic(path, _sheet_html(rows, exercise))
    elif path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=SHEET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(path, buffer.getvalue())
    else:
        raise SubmissionError(f"{path}: the marking sheet must end in .csv or .html")
    return len(rows)


def _sheet_html(rows: list[dict[str, str]], exercise: Exercise) -> str:
    e = html.escape
    blocks = "".join(
        f"<section><h2>{e(r['student'])} — {e(r['item'])} (max {e(r['max'])})</h2>"
        f"<h3>Rubric</h3><pre>{e(r['rubric'])}</pre><h3>Answer</h3><pre>{e(r['answer'])}</pre>"
        f"<p>Points: ____ / {e(r['max'])}</p></section>" for r in rows)
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Marking sheet — "
            f"{e(exercise.title)}</title><style>{feedback._CSS}</style><body>"
            f"<h1>Marking sheet: {e(exercise.title)}</h1>{blocks}</body></html>\n")


def _mark(row: dict[str, str], line: int, path: Path) -> float | None:
    text = (row.get("points") or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise SubmissionError(f"{path}:{line}: points {text!r} is not a number") from None


def import_manual(book: Gradebook, exercise: Exercise, path: Path) -> int:
    """Merge the marks of a filled CSV sheet into the gradebook; return how many."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SubmissionError(f"{path}: cannot read the marking sheet ({exc.strerror})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"student", "item", "points"} - set(reader.fieldnames or [])
    if missing:
        raise SubmissionError(f"{path}: not a marking sheet (missing columns: "
                              + ", ".join(sorted(missing)) + ")")
    changes: list[tuple[GradeReport, ItemJson, float, str]] = []
    for line, row in enumerate(reader, start=2):
        points = _mark(row, line, path)
        if points is None:
            continue
        if row.get("exercise") and row["exercise"] != exercise.id:
            continue
        report = book.reports.get(book.key(row["student"], exercise.id))
        if report is None:
            raise SubmissionError(f"{path}:{line}: no graded submission for student "
                                  f"{row['student']!r}")
        item = next((i for i in report["items"] if i["item"] == row["item"]
                     and i.get("kind") == "manual"), None)
        if item is None:
            raise SubmissionError(f"{path}:{line}: {row['item']!r} is not a manual item of "
                                  f"{exercise.id}")
        if not 0 <= points <= item["max"]:
            raise SubmissionError(f"{path}:{line}: points {points:g} outside 0..{item['max']:g}"
                                  f" for {row['student']}/{row['item']}")
        changes.append((report, item, points, (row.get("comment") or "").strip()))
    for _report, item, points, comment in changes:  # all rows valid: apply
        item["points"] = points
        item["status"] = "ok" if points == item["max"] else "partial" if points else "failed"
        item["detail"] = comment or "marked manually"
    for report in {id(r): r for r, *_ in changes}.values():
        book.save(report)
        feedback.write_feedback(report, exercise, book.out)
    if changes:
        feedback.write_summary(book, exercise)
    return len(changes)

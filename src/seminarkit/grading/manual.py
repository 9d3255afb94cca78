"""Manual grading: export written answers with their rubric, import the marks.

``--export-manual FILE`` writes every manual item of the graded submissions as a CSV (fill in
``points`` and ``comment``) or an HTML sheet to read and mark from; ``note`` says when an
answer changed since it was marked. ``--import-manual FILE`` reads the filled sheet back
(comma, semicolon or tab separated: the delimiter is sniffed), checks every mark, reports
every bad one at once, and merges them only if all are valid.
"""

from __future__ import annotations

import csv
import html
import io
import math
from pathlib import Path
from typing import Any

from seminarkit.errors import SubmissionError
from seminarkit.fileio import write_atomic
from seminarkit.grading import feedback
from seminarkit.grading.exercise import Exercise
from seminarkit.grading.gradebook import Gradebook, csv_cell, report_status
from seminarkit.grading.protocol import GradeReport, ItemJson

SHEET_COLUMNS = ("student", "exercise", "item", "max", "rubric", "answer", "points", "comment",
                 "note")
DELIMITERS = ",;\t"


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
            marked = item["status"] not in ("needs-manual", "missing-answer")
            rows.append({"student": csv_cell(report["student"]), "exercise": exercise.id,
                         "item": item["item"], "max": f"{item['max']:g}",
                         "rubric": rubric_text(exercise.cell(item["item"]).rubric),
                         "answer": csv_cell(answers.get(item["item"], "")),
                         "points": f"{item['points']:g}" if marked else "",
                         "comment": csv_cell(item.get("detail", "")) if marked else "",
                         "note": item.get("note", "")})
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
        + (f"<p><strong>Note:</strong> {e(r['note'])}</p>" if r["note"] else "") +
        f"<p>Points: ____ / {e(r['max'])}</p></section>" for r in rows)
    return (f"<!doctype html><html lang='en'><meta charset='utf-8'><title>Marking sheet — "
            f"{e(exercise.title)}</title><style>{feedback._CSS}</style><body>"
            f"<h1>Marking sheet: {e(exercise.title)}</h1>{blocks}</body></html>\n")


def _unescape(text: str) -> str:
    """Undo :func:`csv_cell` (a leading quote before = + - @ tab or CR)."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def _reader(text: str, path: Path) -> csv.DictReader[str]:
    header = text.splitlines()[0] if text.strip() else ""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(header, DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = [f.strip() for f in reader.fieldnames or []]
    reader.fieldnames = fields
    missing = {"student", "item", "points"} - set(fields)
    if missing:
        raise SubmissionError(
            f"{path}: not a marking sheet (missing columns: {', '.join(sorted(missing))}; "
            f"found {', '.join(repr(f) for f in fields) or 'no header'}; the sheet must be "
            "separated by commas, semicolons or tabs, with the header of --export-manual)")
    return reader


def _check(row: dict[str, str], line: int, book: Gradebook, exercise: Exercise,
           ) -> tuple[GradeReport, ItemJson, float] | str | None:
    """Validate one row: the change, an error message, or None (no mark / other exercise)."""
    text = (row.get("points") or "").strip().replace(",", ".")
    if not text or (row.get("exercise") and row["exercise"].strip() != exercise.id):
        return None
    student, ident = _unescape(row.get("student") or ""), (row.get("item") or "").strip()
    try:
        points = float(text)
    except ValueError:
        return f"line {line}: points {text!r} is not a number"
    if not math.isfinite(points):
        return f"line {line}: points {text!r} is not a finite number"
    report = book.reports.get(book.key(student, exercise.id))
    if report is None:
        return f"line {line}: no graded submission for student {student!r}"
    item = next((i for i in report["items"] if i["item"] == ident
                 and i.get("kind") == "manual"), None)
    if item is None:
        return f"line {line}: {ident!r} is not a manual item of {exercise.id}"
    if not 0 <= points <= item["max"]:
        return f"line {line}: points {points:g} outside 0..{item['max']:g} for {student}/{ident}"
    return report, item, points


def import_manual(book: Gradebook, exercise: Exercise, path: Path) -> int:
    """Merge the marks of a filled CSV sheet into the gradebook; return how many.

    Every row is checked first; if any is bad, nothing is merged and one error lists them all.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SubmissionError(f"{path}: cannot read the marking sheet ({exc})") from None
    changes: list[tuple[GradeReport, ItemJson, float, str]] = []
    problems: list[str] = []
    for line, row in enumerate(_reader(text, path), start=2):
        checked = _check(row, line, book, exercise)
        if isinstance(checked, str):
            problems.append(checked)
        elif checked is not None:
            changes.append((*checked, _unescape((row.get("comment") or "").strip())))
    if problems:
        raise SubmissionError(f"{path}: {len(problems)} bad mark(s), nothing merged: "
                              + "; ".join(problems))
    for _report, item, points, comment in changes:  # all rows valid: apply
        item["points"] = points
        item["status"] = "ok" if points == item["max"] else "partial" if points else "failed"
        item["detail"] = comment or "marked manually"
        item.pop("note", None)
    for report in {id(r): r for r, *_ in changes}.values():
        run = report.get("run") or {}
        report["status"] = report_status(report["items"], str(run.get("status") or "ok"))
        book.save(report)
        feedback.write_feedback(report, exercise, book)
    if changes:
        book.flush(force=True)
        feedback.write_summary(book, exercise)
    return len(changes)

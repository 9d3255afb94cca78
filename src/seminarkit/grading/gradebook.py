"""The gradebook: one JSON report per student, rendered as ``grades.csv`` after each change.

Reports (``reports/<student>.json``) are the source of truth; they hold the submission's
content hash so a rerun skips what is already graded. ``grades.csv`` (student, exercise,
item, points, max, status, detail) is rewritten atomically after every submission, so a crash
or Ctrl-C never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import cast

from seminarkit.fileio import write_atomic
from seminarkit.grading.protocol import GradeReport

COLUMNS = ("student", "exercise", "item", "points", "max", "status", "detail")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """Return a file-name-safe form of a student id."""
    return _SAFE.sub("_", text).strip("._") or "student"



def _fmt(value: float) -> str:
    return f"{value:g}"


class Gradebook:
    """Reports and the CSV in one output folder."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.reports_dir = self.out / "reports"
        self.reports: dict[str, GradeReport] = {}
        if self.reports_dir.is_dir():
            for path in sorted(self.reports_dir.glob("*.json")):
                try:
                    report = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    continue
                if isinstance(report, dict) and "student" in report:
                    self.reports[self.key(report["student"], report.get("exercise", ""))] = cast(GradeReport, report)

    @staticmethod
    def key(student: str, exercise: str) -> str:
        """Return the report key (and file stem) of one student's exercise."""
        return f"{safe_name(student)}--{safe_name(exercise)}"

    def is_graded(self, student: str, exercise: str, digest: str) -> bool:
        """Return True if this exact submission content is already graded."""
        report = self.reports.get(self.key(student, exercise))
        return bool(report and report.get("hash") == digest)

    def save(self, report: GradeReport) -> None:
        """Store one report and rewrite ``grades.csv``."""
        key = self.key(report["student"], report["exercise"])
        self.reports[key] = report
        write_atomic(self.reports_dir / f"{key}.json", json.dumps(report, indent=1,
                                                                   ensure_ascii=False))
        self.write_csv()

    def rows(self) -> list[dict[str, str]]:
        """Every gradebook row, sorted by student then exercise, items in notebook order."""
        rows: list[dict[str, str]] = []
        for key in sorted(self.reports):
            report = self.reports[key]
            for item in report.get("items", []):
                rows.append({"student": report["student"], "exercise": report["exercise"],
                             "item": item["item"], "points": _fmt(item["points"]),
                             "max": _fmt(item["max"]), "status": item["status"],
                             "detail": item.get("detail", "")})
        return rows

    def write_csv(self) -> None:
        """Render all reports as ``grades.csv`` (atomically)."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        write_atomic(self.out / "grades.csv", buffer.getvalue())


def totals(report: GradeReport) -> tuple[float, float]:
    """(points, max) of one report."""
    items = report.get("items", [])
    return (sum(float(i["points"]) for i in items), sum(float(i["max"]) for i in items))

"""Shared pieces of the adversarial grading corpus: the mini exercise, submissions, results.

Every submission starts from the released student version of tests/fixtures/grading/mini
(2 s per cell, 12 s in all, 200 MB): ``q1`` sums a CSV column into ``total`` (public check:
an int; hidden: 60), ``q2`` defines ``double`` (public: ``double(1) == 2``; hidden:
``double(21) == 42`` and ``close(double(0.5), 1.0)``), ``q3`` is a written answer.
"""

from __future__ import annotations

import copy
import csv
import html
import json
from pathlib import Path
from typing import Any

from seminarkit.grading.exercise import load_exercise
from seminarkit.grading.release import student_notebook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grading"
MINI = FIXTURES / "mini.ipynb"
Q1_OK = 'total = sum(int(r["n"]) for r in rows)'
Q2_OK = "def double(x):\n    return 2 * x"
FULL = {"q1-test": (2.0, "ok"), "q2-test": (3.0, "ok")}
NB = dict[str, Any]


def released() -> NB:
    """Return the student version of the mini exercise, as released."""
    return student_notebook(load_exercise(MINI))


def _index(nb: NB, ident: str) -> int:
    return next(i for i, c in enumerate(nb["cells"])
                if c.get("metadata", {}).get("seminarkit", {}).get("id") == ident)


def answer(nb: NB, ident: str, source: str) -> NB:
    """Put ``source`` into the cell with kit id ``ident``."""
    nb["cells"][_index(nb, ident)]["source"] = source
    return nb


def solved(q1: str = Q1_OK, q2: str = Q2_OK, q3: str = "It doubles its input.") -> NB:
    """Return a submission with the given answers (correct ones by default)."""
    return answer(answer(answer(released(), "q1", q1), "q2", q2), "q3", q3)


def add_cell(nb: NB, after: str, source: str) -> NB:
    """Insert a student code cell after the kit cell ``after``."""
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}
    nb["cells"].insert(_index(nb, after) + 1, copy.deepcopy(cell))
    return nb


def write(folder: Path, name: str, content: NB | bytes) -> Path:
    """Write one submission file and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def grades(out: Path) -> dict[tuple[str, str], tuple[float | None, str]]:
    """(student, item) -> (points, status) from grades.csv (None while manual is pending)."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {(r["student"], r["item"]): (float(r["points"]) if r["points"] else None,
                                            r["status"]) for r in csv.DictReader(handle)}


def rows(out: Path) -> list[dict[str, str]]:
    """Return the rows of grades.csv."""
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def reports(out: Path) -> dict[str, dict[str, Any]]:
    """Return every report in out/reports, by student id."""
    found = {}
    for path in (out / "reports").glob("*--*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["student"]] = data
    return found


def all_text(out: Path) -> str:
    """Return everything the grader wrote (feedback, reports, CSV, summary), raw and HTML-unescaped."""
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(out.rglob("*")) if p.is_file() and p.suffix != ".png")
    return text + "\n" + html.unescape(text)


def feedback_text(out: Path) -> str:
    """Return every feedback page (what students see) as one string."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((out / "feedback").glob("*")))

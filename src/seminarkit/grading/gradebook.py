"""The gradebook: one JSON report per (student, exercise), an index, and ``grades.csv``.

* **One writer at a time.** :meth:`Gradebook.open` takes an exclusive lock on the output
  folder (``.seminarkit-grade.lock``); a second ``seminarkit grade`` on the same folder
  waits for it (with a message) and then loads everything the first one wrote, so the
  gradebook is always the union of everything graded there.
* **Distinct students stay distinct.** File names come from :func:`safe_name`, which is
  injective: a plain lower-case id is kept as it is, anything else becomes a readable slug
  plus a hash of the exact id (``a b`` and ``a_b`` never share a file).
* **Only reports the grader wrote count.** ``reports/index.json`` lists each report with the
  hash of its content; a file in ``reports/`` that is not listed (or was changed) is ignored,
  and feedback pages that belong to no report are removed.
* **Spreadsheet-safe.** CSV cells starting with ``= + - @``, a tab or a carriage return are
  prefixed with ``'`` so no spreadsheet runs them as formulas.
* Reports are capped at :data:`MAX_REPORT_BYTES`; pending manual items have no points yet.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

from seminarkit.fileio import make_dirs, write_atomic
from seminarkit.grading.protocol import GradeReport, ItemJson

COLUMNS = ("student", "exercise", "item", "points", "max", "status", "detail")
LOCK_NAME = ".seminarkit-grade.lock"
INDEX_NAME = "index.json"
MAX_REPORT_BYTES = 1024 * 1024
FLUSH_SECONDS = 1.0
PENDING = "needs-manual"
_CLEAN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe_name(text: str) -> str:
    """Return an injective, file-name-safe form of an id (student or exercise).

    Lower-case ids of letters, digits, ``.``, ``_`` and ``-`` (without ``--``) are kept;
    anything else becomes ``<slug>~<12 hex digits of sha256(id)>``. ``~`` never appears in a
    kept id, so a kept id and a hashed one never collide, and ``--`` never appears in any
    result (it separates student and exercise in report names).
    """
    if (_CLEAN.match(text) and "--" not in text and not text.endswith(".")
            and text.split(".")[0] not in _RESERVED):
        return text
    slug = re.sub(r"-{2,}", "-", _UNSAFE.sub("_", text.lower())).strip("._-")[:40] or "id"
    return f"{slug}~{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def csv_cell(text: str) -> str:
    """Escape a CSV cell against formula injection (OWASP: prefix a single quote)."""
    return f"'{text}" if text.startswith(_FORMULA) else text


def _fmt(value: float) -> str:
    return f"{value:g}"


def cap_report(report: GradeReport) -> GradeReport:
    """Shrink a report over :data:`MAX_REPORT_BYTES` (long answers, step details) and mark it."""
    if len(json.dumps(report, ensure_ascii=False)) <= MAX_REPORT_BYTES:
        return report
    answers = report.get("manual_answers", {})
    report["manual_answers"] = {k: v[:64 * 1024] for k, v in answers.items()}
    run = report.get("run")
    if run is not None and len(json.dumps(report, ensure_ascii=False)) > MAX_REPORT_BYTES:
        run["steps"] = None
    report["detail"] = (report.get("detail", "") + "; report shortened (too large)").lstrip("; ")
    return report


class Gradebook:
    """Reports and the CSV in one output folder (open it with :meth:`open`)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.reports_dir = self.out / "reports"
        self.reports: dict[str, GradeReport] = {}
        self.index: dict[str, str] = {}
        self.ignored: list[str] = []
        self._dirty, self._flushed = False, 0.0
        self.load()

    @classmethod
    @contextlib.contextmanager
    def open(cls, out: Path, on_wait: Callable[[str], object] | None = None
             ) -> Iterator[Gradebook]:
        """Lock the folder (waiting for another grader, with a message), load, yield, flush."""
        make_dirs(Path(out))
        with _locked(Path(out) / LOCK_NAME, on_wait):
            book = cls(out)
            try:
                yield book
            finally:
                book.flush(force=True)

    def load(self) -> None:
        """Read the index and the reports it lists (ignoring anything else)."""
        index_path = self.reports_dir / INDEX_NAME
        legacy = not index_path.is_file()
        if not legacy:
            with contextlib.suppress(OSError, ValueError):
                raw = json.loads(index_path.read_text(encoding="utf-8"))
                if isinstance(raw, dict):
                    self.index = {str(k): str(v) for k, v in raw.items()}
        if not self.reports_dir.is_dir():
            return
        for path in sorted(self.reports_dir.glob("*.json")):
            if path.name == INDEX_NAME:
                continue
            try:
                data = path.read_bytes()
                report = json.loads(data)
            except (OSError, ValueError, RecursionError):
                self.ignored.append(path.name)
                continue
            digest = hashlib.sha256(data).hexdigest()
            if not isinstance(report, dict) or not isinstance(report.get("student"), str):
                self.ignored.append(path.name)
                continue
            key = self.key(report["student"], str(report.get("exercise", "")))
            if legacy and key != path.stem:  # a gradebook from before the index: adopt it
                self.save(cast(GradeReport, report))
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            if key != path.stem or (not legacy and self.index.get(key) != digest):
                self.ignored.append(path.name)
                continue
            self.reports[key] = cast(GradeReport, report)
            self.index[key] = digest
            self._dirty = self._dirty or legacy
        self.index = {k: v for k, v in self.index.items() if k in self.reports}

    @staticmethod
    def key(student: str, exercise: str) -> str:
        """Return the report key (and file stem) of one student's exercise."""
        return f"{safe_name(student)}--{safe_name(exercise)}"

    def is_graded(self, student: str, exercise: str, digest: str) -> bool:
        """Return True if this exact submission content is already graded."""
        report = self.reports.get(self.key(student, exercise))
        return bool(report and report.get("hash") == digest)

    def save(self, report: GradeReport) -> None:
        """Store one report (capped); the CSV and index follow at the next flush."""
        report = cap_report(report)
        key = self.key(report["student"], report["exercise"])
        data = json.dumps(report, indent=1, ensure_ascii=False).encode()
        write_atomic(self.reports_dir / f"{key}.json", data)
        self.reports[key] = report
        self.index[key] = hashlib.sha256(data).hexdigest()
        self._dirty = True
        self.flush()

    def flush(self, force: bool = False) -> None:
        """Rewrite the index and ``grades.csv`` (at most once a second unless ``force``)."""
        now = time.monotonic()
        if not (force or (self._dirty and now - self._flushed >= FLUSH_SECONDS)):
            return
        if self.reports or self.index or force:
            make_dirs(self.reports_dir)
            write_atomic(self.reports_dir / INDEX_NAME, json.dumps(self.index, indent=1))
            self.write_csv()
        self._dirty, self._flushed = False, now

    def rows(self) -> list[dict[str, str]]:
        """Every gradebook row, sorted by student then exercise, items in notebook order."""
        rows: list[dict[str, str]] = []
        for key in sorted(self.reports):
            report = self.reports[key]
            for item in report.get("items", []):
                pending = item["status"] == PENDING
                rows.append({"student": csv_cell(report["student"]),
                             "exercise": csv_cell(report["exercise"]),
                             "item": csv_cell(item["item"]),
                             "points": "" if pending else _fmt(item["points"]),
                             "max": _fmt(item["max"]), "status": csv_cell(item["status"]),
                             "detail": csv_cell(item.get("detail", ""))})
        return rows

    def write_csv(self) -> None:
        """Render all reports as ``grades.csv`` (atomically)."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows())
        write_atomic(self.out / "grades.csv", buffer.getvalue())

    def prune_feedback(self) -> int:
        """Remove feedback pages that belong to no report; return how many."""
        folder = self.out / "feedback"
        removed = 0
        if folder.is_dir():
            for path in folder.glob("*.html"):
                if path.stem not in self.reports:
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
        return removed


@contextlib.contextmanager
def _locked(path: Path, on_wait: Callable[[str], object] | None) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here (see docs/grading.md)
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            if on_wait is not None:
                on_wait(f"another seminarkit grade ({holder}) is writing to {path.parent}; "
                        "waiting for it to finish (Ctrl-C to stop)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)


def totals(report: GradeReport) -> tuple[float, float]:
    """(points, max) of one report; pending manual items count in neither."""
    items = [i for i in report.get("items", []) if i["status"] != PENDING]
    return (sum(float(i["points"]) for i in items), sum(float(i["max"]) for i in items))


def pending(report: GradeReport) -> float:
    """Points still waiting for manual grading in one report."""
    return sum(float(i["max"]) for i in report.get("items", []) if i["status"] == PENDING)


def report_status(items: list[ItemJson], run_status: str) -> str:
    """One word for a graded submission: the run's trouble, or what its items add up to."""
    if run_status in ("timeout", "crashed"):
        return run_status
    statuses = {i["status"] for i in items}
    if statuses and statuses <= {"missing-answer"}:
        return "missing-answer"
    if PENDING in statuses:
        return PENDING
    return "ok" if all(i["points"] >= i["max"] for i in items) else "partial"

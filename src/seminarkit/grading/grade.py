"""``seminarkit grade``: find submissions, sanitize, execute isolated, score, write results.

The run holds the output folder's lock from start to end (a second grader waits), so the
gradebook is the union of every run. A submission whose content hash is already graded is
skipped unless ``force``. Whatever one submission does or is (a hostile file, a crash of the
grader's own code on it), it ends as that student's rows, never as the batch's failure.
Manual marks survive a regrade when the answer they marked is unchanged.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from seminarkit.grading import feedback
from seminarkit.grading.exercise import Exercise, load_exercise
from seminarkit.grading.gradebook import Gradebook, report_status
from seminarkit.grading.protocol import GradeJob, GradeReport, RunResult, RunSummary
from seminarkit.grading.quizitems import quiz_items
from seminarkit.grading.sanitize import InvalidNotebook, Sanitized, load_submission, sanitize
from seminarkit.grading.scoring import ItemResult, all_probes, failed_items, score
from seminarkit.grading.submissions import (
    MAX_NOTEBOOK_BYTES,
    Submission,
    Unreadable,
    find_submissions,
    read_bounded,
)

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

LAYER_WORDS = {"processes": "no PID namespace (processes may outlive their run)",
               "network": "network not cut off",
               "filesystem": "no Landlock (student code can read and write your files)",
               "signals": "signals not confined",
               "sockets": "no seccomp filter (AF_UNIX sockets reachable)"}
MARKED = ("ok", "partial", "failed")


@dataclass
class Outcome:
    """What one ``grade`` run did."""

    graded: int = 0
    skipped: int = 0
    reports: list[GradeReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def weaker_isolation(layers: dict[str, bool]) -> str:
    """One warning line naming the layers missing from full Linux isolation ("" if none)."""
    missing = [words for layer, words in LAYER_WORDS.items() if not layers.get(layer, False)]
    if not missing:
        return ""
    return ("grading with weaker isolation than full Linux: " + "; ".join(missing)
            + " (see docs/grading.md, 'Threat model')")


def _digest(sub: Submission, exercise: Exercise) -> str:
    sha = hashlib.sha256(exercise.path.read_bytes())
    sha.update(f"{sub.status}\0{sub.problem}".encode())
    for path in ([sub.notebook] if sub.notebook else []) + sub.responses:
        sha.update(path.name.encode() + b"\0")
        try:
            sha.update(read_bounded(path, sub.path if sub.path.is_dir() else sub.path.parent,
                                    MAX_NOTEBOOK_BYTES))
        except Unreadable as exc:
            sha.update(str(exc).encode())
    return sha.hexdigest()


def resolve_files(exercise: Exercise, materials: Path | None,
                  module_loader: Callable[[], Module]) -> dict[str, str]:
    """Return the declared files as base64: a copy beside the source wins, else the module's file.

    Module YAML files (``../actors.yaml``) are given in their student edition.
    """
    from seminarkit.grading.release import exercise_file_bytes

    files: dict[str, str] = {}
    for name in exercise.files:
        local = exercise.path.parent / Path(name).name
        data = local.read_bytes() if local.is_file() else exercise_file_bytes(module_loader(),
                                                                             name)
        files[Path(name).name] = base64.b64encode(data).decode()
    return files


def _report(sub: Submission, exercise: Exercise, items: list[ItemResult], status: str,
            detail: str, extra: GradeReport | None = None) -> GradeReport:
    report = GradeReport(student=sub.student, exercise=exercise.id, module=exercise.module,
                         submission=str(sub.path), hash=sub.digest, status=status, detail=detail,
                         graded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                         items=[i.to_json() for i in items])
    report.update(extra or {})
    return report


def keep_manual_marks(report: GradeReport, previous: GradeReport | None) -> None:
    """Carry manual marks over from ``previous`` where the marked answer is unchanged."""
    if previous is None:
        return
    old_items = {i["item"]: i for i in previous.get("items", []) if i.get("kind") == "manual"}
    old_answers = previous.get("manual_answers", {})
    answers = report.get("manual_answers", {})
    for item in report.get("items", []):
        old = old_items.get(item["item"])
        if item.get("kind") != "manual" or item["status"] != "needs-manual" or old is None:
            continue
        if old["status"] not in MARKED and not old.get("note"):
            continue
        if old_answers.get(item["item"]) == answers.get(item["item"]):
            for key in ("points", "status", "detail"):
                item[key] = old[key]
            if old.get("note"):
                item["note"] = old["note"]
        elif old["status"] in MARKED:
            item["note"] = (f"the answer changed since it was marked {old['points']:g}/"
                            f"{old['max']:g}; mark it again")
            item["detail"] = f"waiting for manual grading ({item['note']})"


class _Run:
    """One grading run's shared state (the exercise, gradebook, progress)."""

    def __init__(self, exercise: Exercise, book: Gradebook, total: int,
                 progress: Callable[[int, int], object] | None):
        self.exercise, self.book, self.total, self.progress = exercise, book, total, progress
        self.outcome = Outcome()
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)

    def finish(self, report: GradeReport) -> None:
        previous = self.book.reports.get(self.book.key(report["student"], report["exercise"]))
        keep_manual_marks(report, previous)
        if report.get("run") is not None:  # graded (not refused): sum up its items
            report["status"] = report_status(report["items"], report["status"])
        self.book.save(report)
        feedback.write_feedback(report, self.exercise, self.book)
        self.outcome.reports.append(report)
        self.outcome.graded += 1
        self.tick()

    def failed(self, sub: Submission, status: str, why: str,
               quiz: list[ItemResult] | None = None) -> None:
        items = failed_items(self.exercise, status, why) + (quiz or [])
        self.finish(_report(sub, self.exercise, items, status, why))


def grade(source: Path, submissions: Sequence[Path], out: Path, *, jobs: int = 1,
          force: bool = False, scheduler: str | None = None, materials: Path | None = None,
          progress: Callable[[int, int], object] | None = None, isolate: bool = True,
          warn: Callable[[str], object] | None = None) -> Outcome:
    """Grade ``submissions`` of the exercise ``source`` into ``out``."""
    exercise = load_exercise(Path(source))
    subs = find_submissions(submissions, exercise.id)
    if subs and scheduler is None and hasattr(os, "fork"):  # warm up while files are read
        from seminarkit.grading import sandbox

        threading.Thread(target=_warm, args=(sandbox.warm_up,), daemon=True).start()
    module_cache: dict[str, Module] = {}

    def module_loader() -> Module:
        if "m" not in module_cache:
            from seminarkit.content.materials import load_course

            module_cache["m"] = load_course(materials).module(exercise.module)
        return module_cache["m"]

    files = resolve_files(exercise, materials, module_loader)
    with Gradebook.open(Path(out), on_wait=warn) as book:
        run = _Run(exercise, book, len(subs), progress)
        if book.ignored and warn:
            warn(f"ignored {len(book.ignored)} file(s) in {book.reports_dir} that this gradebook "
                 f"did not write: {', '.join(book.ignored[:5])}")
        pending = _prepare(run, subs, force, files, isolate, module_loader)
        if pending:
            _execute(run, pending, jobs, scheduler, warn if isolate else None)
        book.flush(force=True)
        book.prune_feedback()
        feedback.write_summary(book, exercise)
    return run.outcome


def _warm(start: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # the executor will say what is wrong
        start()


def _prepare(run: _Run, subs: list[Submission], force: bool, files: dict[str, str],
             isolate: bool, module_loader: Callable[[], Module],
             ) -> list[tuple[Submission, Sanitized, str, list[ItemResult]]]:
    exercise, book = run.exercise, run.book
    probes = all_probes(exercise)
    pending: list[tuple[Submission, Sanitized, str, list[ItemResult]]] = []
    for sub in subs:
        try:
            sub.digest = _digest(sub, exercise)
            if not force and book.is_graded(sub.student, exercise.id, sub.digest):
                run.outcome.skipped += 1
                run.tick()
                continue
            quiz = quiz_items(sub, module_loader)
            if sub.status:
                run.failed(sub, sub.status, sub.problem, quiz)
                continue
            if sub.notebook is None:
                run.failed(sub, "not-submitted", "no notebook submitted", quiz)
                continue
            root = sub.path if sub.path.is_dir() else sub.path.parent
            try:
                data = read_bounded(sub.notebook, root, MAX_NOTEBOOK_BYTES)
                if sub.notebook.resolve() == exercise.path.resolve():
                    raise InvalidNotebook("this is the instructor source, not a submission")
                sanitized = sanitize(exercise, load_submission(data, exercise.id))
            except (Unreadable, InvalidNotebook) as exc:
                run.failed(sub, "invalid-notebook", str(exc), quiz)
                continue
            job = json.dumps(GradeJob(cells=sanitized.cells, probes=probes, files=files,
                                      limits=exercise.limits, isolate=isolate))
            pending.append((sub, sanitized, job, quiz))
        except Exception as exc:  # the grader's own failure on this file: this student's row
            run.failed(sub, "error", f"could not grade this submission: {type(exc).__name__}")
    return pending


def _execute(run: _Run, pending: list[tuple[Submission, Sanitized, str, list[ItemResult]]],
             jobs: int, scheduler: str | None, warn: Callable[[str], object] | None) -> None:
    from seminarkit.grading.executors import make_executor

    executor = make_executor(jobs, scheduler)
    warned = False
    if warn and executor.isolation and weaker_isolation(executor.isolation):
        warn(weaker_isolation(executor.isolation))
        warned = True
    try:
        for index, result_json in executor.run([job for _, _, job, _ in pending]):
            sub, sanitized, _, quiz = pending[index]
            try:
                result = _parse_run(result_json)
                layers = cast(dict[str, bool], result.get("isolation") or {})
                if warn and not warned and layers and weaker_isolation(layers):
                    warn(weaker_isolation(layers))
                    warned = True
                run.finish(_scored(run.exercise, sub, sanitized, result, quiz))
            except Exception as exc:  # never let one result take the batch down
                run.failed(sub, "error", f"could not score this submission: {type(exc).__name__}")
    finally:
        executor.close()


def _scored(exercise: Exercise, sub: Submission, sanitized: Sanitized, result: RunResult,
            quiz: list[ItemResult]) -> GradeReport:
    items = score(exercise, sanitized, result) + quiz
    notes = [[key, note] for key, step in (result.get("steps") or {}).items()
             for note in step.get("notes", [])]
    extra = GradeReport(
        repairs=[list(r) for r in sanitized.repairs], notes=notes,
        manual_answers={c.id: sanitized.answers.get(c.id, "") for c in exercise.manual},
        run=RunSummary(status=result.get("status"), seconds=result.get("seconds"),
                       attempts=result.get("attempts"), output_chars=result.get("output_chars"),
                       isolation=result.get("isolation"), steps=result.get("steps"),
                       rejected_events=result.get("rejected_events")))
    return _report(sub, exercise, items, str(result.get("status", "ok")), _run_detail(result),
                   extra)


def _parse_run(result_json: str) -> RunResult:
    try:
        run = json.loads(result_json)
    except ValueError:
        run = None
    if not isinstance(run, dict):
        return RunResult(status="crashed", steps={}, values={})
    return cast(RunResult, run)


def _run_detail(run: RunResult) -> str:
    notes = []
    if run.get("status") == "timeout":
        notes.append("the notebook ran past its total time limit")
    elif run.get("status") == "crashed":
        notes.append("the notebook's process kept crashing; graded what it reported")
    chars = int(run.get("output_chars") or 0)
    if chars > 1_000_000:
        notes.append(f"printed {chars / 1e6:.0f} MB of output (discarded)")
    return "; ".join(notes)

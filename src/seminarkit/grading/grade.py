"""``seminarkit grade``: find submissions, sanitize, execute isolated, score, write results.

Submissions are notebooks (student id = the file name up to the first dot) or folders, one
per student (id = folder name) holding the exercise notebook and optionally quiz exam
responses (``*.responses.json``), which are scored by the quiz engine into the same
gradebook. A submission whose content hash is already in the gradebook is skipped unless
``force``. Results are written after every submission.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from seminarkit.errors import SubmissionError
from seminarkit.grading import feedback
from seminarkit.grading.exercise import Exercise, load_exercise
from seminarkit.grading.gradebook import Gradebook
from seminarkit.grading.protocol import GradeJob, GradeReport, RunResult, RunSummary
from seminarkit.grading.sanitize import InvalidNotebook, Sanitized, load_submission, sanitize
from seminarkit.grading.scoring import ItemResult, all_probes, failed_items, score

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

RESPONSES = ".responses.json"


@dataclass
class Submission:
    """One student's submission: a notebook and/or quiz responses."""

    student: str
    path: Path
    notebook: Path | None
    responses: list[Path] = field(default_factory=list)
    problem: str = ""
    digest: str = ""


@dataclass
class Outcome:
    """What one ``grade`` run did."""

    graded: int = 0
    skipped: int = 0
    reports: list[GradeReport] = field(default_factory=list)


def _student_of(path: Path) -> str:
    return path.name.split(".", 1)[0] or path.name


def find_submissions(paths: Sequence[Path], exercise: Exercise) -> list[Submission]:
    """Resolve the SUBMISSIONS arguments; raise SubmissionError for a missing path."""
    found: list[Submission] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            notebooks = sorted(path.glob("*.ipynb"))
            preferred: list[Path | None] = [p for p in notebooks if p.stem == exercise.id]
            responses = sorted(path.glob(f"*{RESPONSES}"))
            chosen = (preferred or notebooks or [None])[0]
            sub = Submission(path.name, path, chosen, responses)
            if not notebooks and not responses:
                sub.problem = "no notebook in the submission folder"
            elif len(notebooks) > 1 and not preferred:
                sub.problem = (f"{len(notebooks)} notebooks and none named {exercise.id}.ipynb;"
                               " graded the first")
            found.append(sub)
        elif path.is_file():
            if path.name.endswith(RESPONSES):
                found.append(Submission(_student_of(path), path, None, [path]))
            else:
                found.append(Submission(_student_of(path), path, path))
        else:
            raise SubmissionError(f"{path}: no such submission file or folder")
    seen: dict[str, Path] = {}
    for sub in found:
        if sub.student in seen:
            raise SubmissionError(f"two submissions for student {sub.student!r}: "
                                  f"{seen[sub.student]} and {sub.path}")
        seen[sub.student] = sub.path
    return found


def _digest(sub: Submission, exercise: Exercise) -> str:
    sha = hashlib.sha256(exercise.path.read_bytes())
    for path in ([sub.notebook] if sub.notebook else []) + sub.responses:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
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


def _quiz_items(sub: Submission, module_loader: Callable[[], Module]) -> list[ItemResult]:
    items: list[ItemResult] = []
    for path in sub.responses:
        quiz_name = path.name[: -len(RESPONSES)]
        try:
            from seminarkit.quiz.scoring import score_responses

            data = json.loads(path.read_text(encoding="utf-8"))
            scores = score_responses(module_loader(), data)
        except (ValueError, UnicodeDecodeError, OSError) as exc:
            items.append(ItemResult(f"quiz:{quiz_name}", "quiz", 0.0, 0.0, "invalid-responses",
                                    str(exc)[:300]))
            continue
        except Exception as exc:  # a ResponsesError / QuizError from the quiz engine
            items.append(ItemResult(f"quiz:{quiz_name}", "quiz", 0.0, 0.0, "invalid-responses",
                                    str(exc)[:300]))
            continue
        status = {"correct": "ok", "wrong": "failed", "unanswered": "missing-answer"}
        items.extend(ItemResult(f"quiz:{s.question_id}", "quiz", float(s.points),
                                float(s.max_points), status.get(s.status, s.status))
                     for s in scores)
    return items


def _report(sub: Submission, exercise: Exercise, items: list[ItemResult], status: str,
            detail: str, extra: GradeReport | None = None) -> GradeReport:
    report = GradeReport(student=sub.student, exercise=exercise.id, module=exercise.module,
                         submission=str(sub.path), hash=sub.digest, status=status, detail=detail,
                         graded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                         items=[i.to_json() for i in items])
    report.update(extra or {})
    return report


def grade(source: Path, submissions: Sequence[Path], out: Path, *, jobs: int = 1,
          force: bool = False, scheduler: str | None = None, materials: Path | None = None,
          progress: Callable[[int, int], object] | None = None, isolate: bool = True) -> Outcome:
    """Grade ``submissions`` of the exercise ``source`` into ``out``."""
    from seminarkit.grading.executors import make_executor

    exercise = load_exercise(Path(source))
    subs = find_submissions(submissions, exercise)
    book = Gradebook(Path(out))
    outcome = Outcome()
    module_cache: dict[str, Module] = {}

    def module_loader() -> Module:
        if "m" not in module_cache:
            from seminarkit.content.materials import load_course

            module_cache["m"] = load_course(materials).module(exercise.module)
        return module_cache["m"]

    files = resolve_files(exercise, materials, module_loader)

    probes = all_probes(exercise)
    quiz_items: dict[str, list[ItemResult]] = {}
    pending: list[tuple[Submission, Sanitized, str]] = []
    done = 0

    def finish(report: GradeReport) -> None:
        nonlocal done
        book.save(report)
        feedback.write_feedback(report, exercise, book.out)
        outcome.reports.append(report)
        outcome.graded += 1
        done += 1
        if progress:
            progress(done, len(subs))

    for sub in subs:
        sub.digest = _digest(sub, exercise)
        if not force and book.is_graded(sub.student, exercise.id, sub.digest):
            outcome.skipped += 1
            done += 1
            if progress:
                progress(done, len(subs))
            continue
        quiz = _quiz_items(sub, module_loader)
        if sub.notebook is None:
            why = sub.problem or "no notebook submitted"
            items = failed_items(exercise, "missing-answer", why) + quiz
            finish(_report(sub, exercise, items, "missing-answer", why))
            continue
        try:
            sanitized = sanitize(exercise, load_submission(sub.notebook.read_bytes(),
                                                           exercise.id))
        except InvalidNotebook as exc:
            finish(_report(sub, exercise, failed_items(exercise, "invalid-notebook", str(exc))
                           + quiz, "invalid-notebook", str(exc)))
            continue
        job = json.dumps(GradeJob(cells=sanitized.cells, probes=probes, files=files, limits=exercise.limits,
                                  isolate=isolate))
        pending.append((sub, sanitized, job))
        quiz_items[sub.student] = quiz

    if pending:
        executor = make_executor(jobs, scheduler)
        try:
            for index, result_json in executor.run([job for _, _, job in pending]):
                sub, sanitized, _ = pending[index]
                run = _parse_run(result_json)
                items = score(exercise, sanitized, run) + quiz_items[sub.student]
                status = str(run.get("status", "ok"))
                detail = sub.problem or _run_detail(run)
                extra = GradeReport(
                    repairs=[list(r) for r in sanitized.repairs],
                    manual_answers={c.id: sanitized.answers.get(c.id, "") for c in exercise.manual},
                    run=RunSummary(status=run.get("status"), seconds=run.get("seconds"), attempts=run.get("attempts"),
                                   output_chars=run.get("output_chars"), isolation=run.get("isolation"),
                                   steps=run.get("steps")))
                finish(_report(sub, exercise, items, status, detail, extra))
        finally:
            executor.close()
    feedback.write_summary(book, exercise)
    return outcome


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

"""One-call helpers for notebooks: :func:`practice_quiz` and :func:`exam_quiz`.

Both load the module's *student edition* through
:func:`seminarkit.editions.module_for_edition` (answers and explanations are never loaded
into the student's kernel; practice checking uses the sealed hashes). Exam mode goes one
step further and drops the sealed hashes too, so nothing in the kernel can check an exam
answer: the instructor scores the saved file with ``seminarkit quiz score``.

A notebook cell ends with the call, so the returned :class:`QuizWidget` displays itself::

    from seminarkit.quiz.notebook import practice_quiz
    practice_quiz(module="afghanistan-2018", n_questions=10, seed=1)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.quiz.keys import strip_keys
from seminarkit.quiz.select import select_questions
from seminarkit.quiz.widget import Mode, QuizWidget

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_slug(text: str) -> str:
    """Return ``text`` safe for a file name: accents dropped, other runs of symbols ``_``."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text.strip())
                     if not unicodedata.combining(ch))
    return _UNSAFE.sub("_", folded).strip("._") or "_"


def default_quiz_id(module: str, student: str | None = None) -> str:
    """Return ``<module>-quiz``, or ``<module>-quiz-<student slug>`` for a student's variant."""
    return f"{module}-quiz-{file_slug(student)}" if student else f"{module}-quiz"


def student_module(module: str, materials_dir: Path | str | None = None) -> Module:
    """Load ``module`` as the student edition sees it (sealed quiz keys, no explanations)."""
    from seminarkit.content.materials import load_course
    from seminarkit.editions import module_for_edition

    course = load_course(Path(materials_dir) if materials_dir else None)
    return module_for_edition(course.module(module), "student")


def _selection(n: int | None, blocks: Iterable[str] | None, difficulties: Iterable[str] | None,
               objectives: Iterable[str] | None) -> dict[str, Any]:
    raw = {"n": n, "blocks": blocks, "difficulties": difficulties, "objectives": objectives}
    return {k: (list(v) if isinstance(v, Iterable) and not isinstance(v, str) else v)
            for k, v in raw.items() if v is not None}


def _quiz(module: str, *, mode: Mode, seed: int, n_questions: int | None,
          blocks: Iterable[str] | None, difficulties: Iterable[str] | None,
          objectives: Iterable[str] | None, materials_dir: Path | str | None,
          student: str | None, quiz_id: str | None, responses_dir: Path | str) -> QuizWidget:
    mod = student_module(module, materials_dir)
    if mod.quiz is None:
        from seminarkit.quiz.errors import QuizError

        raise QuizError(f"module {module!r} has no quiz (add quiz.yaml)")
    # Practice never offers an exam_only question; an exam draws from them (see select.pool_of).
    selection = {**_selection(n_questions, blocks, difficulties, objectives), "pool": mode}
    questions = select_questions(mod.quiz, n=n_questions, seed=seed, blocks=selection.get(
        "blocks"), difficulties=selection.get("difficulties"),
        objectives=selection.get("objectives"), pool=mode)
    if mode == "exam":
        questions = [strip_keys(q) for q in questions]
    return QuizWidget(questions, quiz_id=quiz_id or default_quiz_id(module, student), mode=mode,
                      seed=seed, responses_dir=Path(responses_dir), sources=mod.sources,
                      student=student, module=module, selection=selection,
                      title=f"Quiz: {mod.meta.short_title}")


def practice_quiz(module: str, *, seed: int = 0, n_questions: int | None = None,
                  blocks: Iterable[str] | None = None,
                  difficulties: Iterable[str] | None = None,
                  objectives: Iterable[str] | None = None,
                  materials_dir: Path | str | None = None) -> QuizWidget:
    """Return a practice quiz (instant feedback from sealed keys) over a module's bank."""
    return _quiz(module, mode="practice", seed=seed, n_questions=n_questions, blocks=blocks,
                 difficulties=difficulties, objectives=objectives, materials_dir=materials_dir,
                 student=None, quiz_id=None, responses_dir=".")


def exam_quiz(module: str, *, seed: int = 0, student: str | None = None,
              n_questions: int | None = None, blocks: Iterable[str] | None = None,
              difficulties: Iterable[str] | None = None,
              objectives: Iterable[str] | None = None, quiz_id: str | None = None,
              responses_dir: Path | str = ".",
              materials_dir: Path | str | None = None) -> QuizWidget:
    """Return an exam quiz: no feedback, no key; *Save answers* writes the responses file.

    The file is ``<quiz_id>.responses.json`` in ``responses_dir`` (default: the notebook's
    folder); ``quiz_id`` defaults to :func:`default_quiz_id` (``<module>-quiz-<student>``).
    """
    return _quiz(module, mode="exam", seed=seed, n_questions=n_questions, blocks=blocks,
                 difficulties=difficulties, objectives=objectives, materials_dir=materials_dir,
                 student=student, quiz_id=quiz_id, responses_dir=responses_dir)

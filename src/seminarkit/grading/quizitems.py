"""Quiz exam responses inside a submission folder, scored into the same gradebook.

Each ``*.responses.json`` is read bounded (:func:`submissions.read_bounded`) and scored by the
quiz engine (:func:`seminarkit.quiz.scoring.score_responses`); its questions become items
``quiz:<question id>``. A question earns its points once: when two files of one submission
answer the same quiz (same ``quiz_id``) or the same question, every one of those files is
refused (``invalid-responses``, naming the files) rather than scored twice or picked at
random.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seminarkit.errors import SeminarkitError
from seminarkit.grading.scoring import ItemResult
from seminarkit.grading.submissions import (
    MAX_RESPONSES_BYTES,
    RESPONSES,
    Submission,
    Unreadable,
    parse_json,
    read_bounded,
)

if TYPE_CHECKING:
    from seminarkit.content.materials import Module

STATUS = {"correct": "ok", "wrong": "failed", "unanswered": "missing-answer"}


def _name(path: Path) -> str:
    return path.name[: -len(RESPONSES)]


def quiz_items(sub: Submission, module_loader: Callable[[], Module]) -> list[ItemResult]:
    """Score every responses file of ``sub``; refuse files that would score a question twice."""
    root = sub.path if sub.path.is_dir() else sub.path.parent
    scored: dict[Path, list[ItemResult]] = {}
    quiz_of: dict[Path, str] = {}
    items: list[ItemResult] = []
    for path in sub.responses:
        try:
            data: Any = parse_json(read_bounded(path, root, MAX_RESPONSES_BYTES),
                                   "quiz responses file")
            from seminarkit.quiz.scoring import score_responses

            scores = score_responses(module_loader(), data)
        except (Unreadable, SeminarkitError, ValueError, TypeError) as exc:
            items.append(ItemResult(f"quiz:{_name(path)}", "quiz", 0.0, 0.0, "invalid-responses",
                                    str(exc)[:300]))
            continue
        quiz_of[path] = str(data.get("quiz_id") or _name(path))
        scored[path] = [ItemResult(f"quiz:{s.question_id}", "quiz", float(s.points),
                                   float(s.max_points), STATUS.get(s.status, s.status))
                        for s in scores]
    clashes: dict[Path, set[Path]] = {}
    paths = list(scored)
    for i, first in enumerate(paths):
        for second in paths[i + 1:]:
            same_quiz = quiz_of[first] == quiz_of[second]
            shared = {x.item for x in scored[first]} & {x.item for x in scored[second]}
            if same_quiz or shared:
                clashes.setdefault(first, set()).add(second)
                clashes.setdefault(second, set()).add(first)
    for path, results in scored.items():
        if path in clashes:
            names = ", ".join(sorted(p.name for p in {path, *clashes[path]}))
            items.append(ItemResult(f"quiz:{_name(path)}", "quiz", 0.0, 0.0, "invalid-responses",
                                    f"answers the same quiz as another file ({names}); each "
                                    "question earns its points once: keep one file"))
        else:
            items.extend(results)
    return items

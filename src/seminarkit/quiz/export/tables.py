"""CSV and JSON exports of a question bank: instructor tables, keys and explanations included.

These are for the instructor (a spreadsheet to review the bank, a JSON copy for other tools);
no platform imports them, so they always carry everything the materials hold.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from seminarkit.content.schema.quiz import Question
from seminarkit.quiz.common import answer_text, number_text

CSV_COLUMNS = ("id", "type", "difficulty", "objective", "block", "points", "prompt",
               "choices", "left", "answer", "unit", "explanation", "show_explanation",
               "sources")


def export_csv(questions: Sequence[Question]) -> str:
    """Render questions as CSV, one row per question (see :data:`CSV_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for q in questions:
        choices = list(getattr(q, "options", None) or getattr(q, "items", None) or [])
        writer.writerow([
            q.id, q.type, q.difficulty, q.objective, q.block or "", number_text(q.points),
            q.prompt, " | ".join(choices), " | ".join(getattr(q, "left", []) or []),
            answer_text(q), getattr(q, "unit", None) or "", q.explanation or "",
            "yes" if q.show_explanation else "no", " ".join(q.sources),
        ])
    return buffer.getvalue()


def export_json(questions: Sequence[Question], module_id: str) -> str:
    """Render questions as JSON: ``{"format", "version", "module", "questions": [...]}``."""
    for q in questions:
        answer_text(q)
    data = {
        "format": "seminarkit-quiz",
        "version": 1,
        "module": module_id,
        "questions": [q.model_dump(mode="json", exclude_none=True,
                                   exclude={"key_hash", "public_explanation"})
                      for q in questions],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

r"""Exports of a question bank: Moodle GIFT, CSV and JSON (instructor material: keys included).

GIFT mapping, per type:

* ``single`` → multiple choice (``=right ~wrong``);
* ``multiple`` → multiple answers: each right option ``~%w%`` with ``w = 100 / right``
  (5 decimals, Moodle's own grade values, so they add up to 100 within 0.0001) and each wrong
  option ``~%-w%``; Moodle floors a question at 0, which is the kit's own rule;
* ``truefalse`` → ``{T}`` / ``{F}``;
* ``numeric`` → ``{#answer:tolerance}`` (a relative tolerance becomes ``|answer| × rel``);
  the unit goes into the question text;
* ``text`` → short answer ``{=a =b}`` plus the accent-free form of each answer (Moodle
  ignores case but not accents);
* ``matching`` → ``{=left -> option}``; options no left item uses become distractors
  (``= -> option``);
* ``ordering`` → matching of each item to its position (``=item -> 1``); Moodle then gives
  credit per item in the right position, not per pair.

The explanation (with source titles and URLs) becomes the general feedback (``####``).
Text is escaped for GIFT: ``\`` first, then ``~ = # { } :`` with a backslash, and line
breaks as ``\n``; ``->`` cannot be escaped, so matching texts containing it are an error.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from seminarkit.content.schema.quiz import (
    Matching,
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.quiz.common import answer_text, key_of, number_text
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.keys import numeric_bounds

if TYPE_CHECKING:
    from seminarkit.content.schema.sources import Source

FORMATS = ("gift", "csv", "json")
GIFT_SPECIALS = "~=#{}:"
CSV_COLUMNS = ("id", "type", "difficulty", "objective", "block", "points", "prompt",
               "choices", "left", "answer", "unit", "explanation", "show_explanation",
               "sources")


def gift_escape(text: str) -> str:
    r"""Escape text for GIFT: backslash, ``~ = # { } :``, and line breaks as ``\n``."""
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch in GIFT_SPECIALS:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _weight(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _feedback(question: Question, sources: Mapping[str, Source] | None) -> str:
    parts = [question.explanation] if question.explanation else []
    cited = [sources[s] for s in question.sources if sources and s in sources]
    if cited:
        parts.append("Sources: " + "; ".join(f"{s.title}, {s.publisher}, {s.url}"
                                             for s in cited))
    return "\n".join(parts)


def _matching_text(question: Matching | Ordering, text: str) -> str:
    if "->" in text:
        raise QuizError(f"question {question.id!r}: {text!r} contains '->', which GIFT "
                        "matching cannot escape; reword it for the export")
    return gift_escape(text)


def _gift_answers(question: Question) -> list[str]:
    if isinstance(question, SingleChoice):
        right = key_of(question.answer, question.id)
        return [("=" if opt == right else "~") + gift_escape(opt) for opt in question.options]
    if isinstance(question, MultipleChoice):
        picks = key_of(question.answer, question.id)
        w = 100 / len(picks)
        return [f"~%{_weight(w if opt in picks else -w)}%{gift_escape(opt)}"
                for opt in question.options]
    if isinstance(question, ShortText):
        accepted: list[str] = []
        for ans in key_of(question.answer, question.id):
            plain = "".join(ch for ch in unicodedata.normalize("NFKD", ans)
                            if not unicodedata.combining(ch))
            for variant in (ans, plain):
                if variant not in accepted:
                    accepted.append(variant)
        return ["=" + gift_escape(v) for v in accepted]
    if isinstance(question, Matching):
        key = key_of(question.answer, question.id)
        pairs = [f"={_matching_text(question, left)} -> {_matching_text(question, key[left])}"
                 for left in question.left]
        unused = [o for o in question.options if o not in set(key.values())]
        return pairs + [f"= -> {_matching_text(question, o)}" for o in unused]
    if isinstance(question, Ordering):
        order = key_of(question.answer, question.id)
        return [f"={_matching_text(question, item)} -> {order.index(item) + 1}"
                for item in question.items]
    raise QuizError(f"question {question.id!r}: no GIFT form for type {question.type!r}")


def gift_question(question: Question, sources: Mapping[str, Source] | None = None) -> str:
    """Render one question as a GIFT block (needs the instructor edition)."""
    answer_text(question)  # raises a clear error when the key is missing
    prompt = question.prompt
    if isinstance(question, Numeric) and question.unit:
        prompt += f" (in {question.unit})"
    if isinstance(question, Ordering):
        prompt += " (Match each item to its position: 1 = first.)"
    head = f"// {question.id} ({question.type})\n::{gift_escape(question.id)}::{gift_escape(prompt)}"
    feedback = _feedback(question, sources)
    general = f"####{gift_escape(feedback)}" if feedback else ""
    if isinstance(question, TrueFalse):
        return f"{head}{{{'T' if question.answer else 'F'}{general}}}"
    if isinstance(question, Numeric):
        low, high = numeric_bounds(key_of(question.answer, question.id), question.tolerance,
                                   question.tolerance_kind)
        center, width = (low + high) / 2, (high - low) / 2
        return f"{head}{{#{_decimal(center)}:{_decimal(width)}{general}}}"
    lines = _gift_answers(question)
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"


def export_gift(questions: Sequence[Question], sources: Mapping[str, Source] | None = None) -> str:
    """Render questions as a GIFT file (blank line between questions)."""
    return "\n\n".join(gift_question(q, sources) for q in questions) + "\n"


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


def export_quiz(questions: Sequence[Question], fmt: str, *, module_id: str,
                sources: Mapping[str, Any] | None = None) -> str:
    """Export ``questions`` in ``fmt`` (one of :data:`FORMATS`)."""
    if not questions:
        raise QuizError(f"module {module_id!r} has no quiz questions to export")
    if fmt == "gift":
        return export_gift(questions, sources)
    if fmt == "csv":
        return export_csv(questions)
    if fmt == "json":
        return export_json(questions, module_id)
    raise QuizError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")

"""Small helpers shared by the quiz modules: formatting numbers, points, keys and sources.

Kept free of ipywidgets so that rendering, exporting and scoring import quickly.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from seminarkit.content.schema.quiz import (
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.quiz.errors import QuizError

if TYPE_CHECKING:
    from seminarkit.content.schema.sources import Source

T = TypeVar("T")

# The responses file the exam widget writes and the scoring command reads.
RESPONSES_FORMAT = "seminarkit-quiz-responses"
RESPONSES_VERSION = 1
RESPONSES_SUFFIX = ".responses.json"


def fmt_points(value: float) -> str:
    """Format points without trailing zeros: 1, 0.5, 0.33."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def css_id(question_id: str) -> str:
    """Return a CSS-class-safe form of a question id (dots become dashes)."""
    return "seminarkit-q-" + question_id.replace(".", "-")


def source_links(ids: Sequence[str], sources: Mapping[str, Source] | None) -> str:
    """HTML 'Source: <a>title</a> (publisher)' for the given source ids (unknown ids as text)."""
    parts = []
    for sid in ids:
        src = (sources or {}).get(sid)
        if src is None:
            parts.append(html.escape(sid))
        else:
            parts.append(f'<a href="{html.escape(src.url, quote=True)}" target="_blank" '
                         f'rel="noopener">{html.escape(src.title)}</a> '
                         f"({html.escape(src.publisher)})")
    label = "Source" if len(parts) == 1 else "Sources"
    return f"{label}: " + "; ".join(parts) if parts else ""


def number_text(value: float) -> str:
    """Format a number exactly as written (no float noise, no exponent): 0.1, 1979, 1500000."""
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def tolerance_text(question: Numeric) -> str:
    """Describe a numeric tolerance: '± 2', '± 5 %' or '' when exact."""
    if not question.tolerance:
        return ""
    if question.tolerance_kind == "rel":
        return f"± {number_text(question.tolerance * 100)} %"
    return f"± {number_text(question.tolerance)}"


def key_of(answer: T | None, question_id: str) -> T:
    """Return a question's key; a clear error when these materials hold none (student edition)."""
    if answer is None:
        raise QuizError(f"question {question_id!r} has no answer here (this needs the "
                        "instructor edition of the materials)")
    return answer


def answer_text(question: Question) -> str:
    """Return the key of a question as one line of plain text (instructor materials only)."""
    if isinstance(question, SingleChoice):
        return key_of(question.answer, question.id)
    if isinstance(question, MultipleChoice):
        return "; ".join(key_of(question.answer, question.id))
    if isinstance(question, TrueFalse):
        return "True" if key_of(question.answer, question.id) else "False"
    if isinstance(question, Numeric):
        parts = [number_text(key_of(question.answer, question.id)), tolerance_text(question), question.unit or ""]
        return " ".join(p for p in parts if p)
    if isinstance(question, ShortText):
        return " / ".join(key_of(question.answer, question.id))
    if isinstance(question, Ordering):
        return "; ".join(f"{i}. {item}" for i, item in enumerate(key_of(question.answer, question.id), start=1))
    pairs = key_of(question.answer, question.id)
    return "; ".join(f"{left} → {pairs[left]}" for left in question.left)

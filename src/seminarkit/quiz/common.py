"""Small helpers shared by the quiz modules: formatting numbers, points, keys and sources.

Kept free of ipywidgets so that rendering, exporting and scoring import quickly.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from seminarkit.quiz.errors import QuizError

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


def source_links(ids: Sequence[str], sources: Mapping[str, Any] | None) -> str:
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


def tolerance_text(question: Any) -> str:
    """Describe a numeric tolerance: '± 2', '± 5 %' or '' when exact."""
    if not question.tolerance:
        return ""
    if question.tolerance_kind == "rel":
        return f"± {number_text(question.tolerance * 100)} %"
    return f"± {number_text(question.tolerance)}"


def answer_text(question: Any) -> str:
    """Return the key of a question as one line of plain text (instructor materials only)."""
    a = question.answer
    if a is None:
        raise QuizError(f"question {question.id!r} has no answer here (this needs the "
                        "instructor edition of the materials)")
    kind = question.type
    if kind == "single":
        return str(a)
    if kind == "multiple":
        return "; ".join(a)
    if kind == "truefalse":
        return "True" if a else "False"
    if kind == "numeric":
        parts = [number_text(a), tolerance_text(question), question.unit or ""]
        return " ".join(p for p in parts if p)
    if kind == "text":
        return " / ".join(a)
    if kind == "ordering":
        return "; ".join(f"{i}. {item}" for i, item in enumerate(a, start=1))
    return "; ".join(f"{left} → {a[left]}" for left in question.left)

r"""Moodle GIFT export of a question bank (keys included).

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

The general feedback (``####``) is the explanation with source titles and URLs, as the
edition allows (:mod:`seminarkit.quiz.export.common`).
Text is escaped for GIFT: ``\`` first, then ``~ = # { } :`` with a backslash, and line
breaks as ``\n``; ``->`` cannot be escaped, so matching texts containing it are an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

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
from seminarkit.editions import INSTRUCTOR, Edition
from seminarkit.quiz.common import answer_text, key_of
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.export.common import (
    accepted_texts,
    decimal_text,
    general_feedback,
    interval,
    prompt_text,
)

if TYPE_CHECKING:
    from seminarkit.content.schema.sources import Source

GIFT_SPECIALS = "~=#{}:"


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
        return ["=" + gift_escape(v) for v in accepted_texts(question)]
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


def gift_question(question: Question, sources: Mapping[str, Source] | None = None,
                  edition: Edition = INSTRUCTOR) -> str:
    """Render one question as a GIFT block (needs the instructor edition of the materials)."""
    answer_text(question)  # raises a clear error when the key is missing
    head = (f"// {question.id} ({question.type})\n"
            f"::{gift_escape(question.id)}::{gift_escape(prompt_text(question))}")
    feedback = general_feedback(question, sources, edition).text()
    general = f"####{gift_escape(feedback)}" if feedback else ""
    if isinstance(question, TrueFalse):
        return f"{head}{{{'T' if question.answer else 'F'}{general}}}"
    if isinstance(question, Numeric):
        accepted = interval(question)
        return (f"{head}{{#{decimal_text(accepted.center)}:{decimal_text(accepted.width)}"
                f"{general}}}")
    lines = _gift_answers(question)
    if general:
        lines.append(general)
    return head + "{\n" + "\n".join(lines) + "\n}"


def export_gift(questions: Sequence[Question], sources: Mapping[str, Source] | None = None,
                edition: Edition = INSTRUCTOR) -> str:
    """Render questions as a GIFT file (blank line between questions)."""
    return "\n\n".join(gift_question(q, sources, edition) for q in questions) + "\n"

"""What every learning-platform export shares: feedback policy, texts, numbers and names.

**Who sees what.** A platform shows a question's *general feedback* (and its per-answer
feedback) to students when the quiz's review options allow it, so what goes into an export is
decided by an :class:`~seminarkit.editions.Edition`:

* ``instructor``: the general feedback is the question's explanation (instructor-only in the
  materials) followed by its sources. For the instructor's own question bank.
* ``student``: the general feedback holds the explanation only where the materials set
  ``show_explanation: true`` (the same texts the student edition shows after a practice
  answer), then the sources. Safe for a quiz whose review shows feedback to students.

Both editions carry the keys (a platform cannot grade without them) and the same per-answer
feedback, which only says whether an answer is right and what is accepted: a platform shows
the right answer in its review anyway. Question texts come from the loaded materials, where
cross-references are already resolved to labels; no export writes a question id into any text
a student sees (names, identifiers and categories are built from titles and positions).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from seminarkit.content.schema.quiz import Numeric, Ordering, Question, ShortText
from seminarkit.editions import INSTRUCTOR, Edition
from seminarkit.quiz.common import key_of, number_text
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.keys import numeric_bounds

if TYPE_CHECKING:
    from seminarkit.content.schema.sources import Source

# Characters XML 1.0 cannot carry (C0 controls except tab, newline, carriage return).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)

CORRECT = "Your answer is correct."
PARTIAL = "Your answer is partially correct."
INCORRECT = "Your answer is incorrect."


@dataclass(frozen=True)
class GeneralFeedback:
    """The general feedback of one question in one edition: explanation (or None) and sources."""

    explanation: str | None
    sources: tuple[Source, ...]

    def text(self) -> str:
        """Plain text: the explanation, then one 'Sources:' line (title, publisher, URL)."""
        parts = [self.explanation] if self.explanation else []
        if self.sources:
            parts.append("Sources: " + "; ".join(f"{s.title}, {s.publisher}, {s.url}"
                                                 for s in self.sources))
        return "\n".join(parts)

    def html(self) -> str:
        """HTML: the explanation as paragraphs, then the sources as links (http/https only)."""
        parts = [paragraphs(self.explanation)] if self.explanation else []
        if self.sources:
            links = []
            for src in self.sources:
                title = html.escape(src.title, quote=False)
                if _SAFE_URL.match(src.url):
                    title = f'<a href="{html.escape(src.url, quote=True)}">{title}</a>'
                links.append(f"{title} ({html.escape(src.publisher, quote=False)})")
            label = "Source" if len(links) == 1 else "Sources"
            parts.append(f"<p>{label}: {'; '.join(links)}</p>")
        return "".join(parts)


def explanation_for(question: Question, edition: Edition) -> str | None:
    """Return the explanation an export of ``edition`` may carry (see the module docstring)."""
    if edition.instructor_material or question.show_explanation:
        return question.explanation or None
    return None


def general_feedback(question: Question, sources: Mapping[str, Source] | None,
                     edition: Edition = INSTRUCTOR) -> GeneralFeedback:
    """Return the general feedback of ``question`` for ``edition``."""
    cited = tuple(sources[s] for s in question.sources if sources and s in sources)
    return GeneralFeedback(explanation_for(question, edition), cited)


def paragraphs(text: str) -> str:
    """Plain text as HTML: escaped, blank lines split paragraphs, single breaks become <br>."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    return "".join("<p>" + html.escape(b, quote=False).replace("\n", "<br>") + "</p>" for b in blocks)


def prompt_text(question: Question) -> str:
    """Return the prompt as students read it: with the unit, and how to order."""
    prompt = question.prompt
    if isinstance(question, Numeric) and question.unit:
        prompt += f" (in {question.unit})"
    if isinstance(question, Ordering):
        prompt += " (Match each item to its position: 1 = first.)"
    return prompt


def position_labels(count: int) -> list[str]:
    """Return the positions an ordering question offers: '1 (first)' ... 'n (last)'."""
    labels = [str(i) for i in range(1, count + 1)]
    labels[0] += " (first)"
    labels[-1] += " (last)"
    return labels


def question_title(position: int, question: Question, width: int = 60) -> str:
    """Return a name for the platform's question bank: position and start of the prompt."""
    words = " ".join(question.prompt.split())
    if len(words) > width:
        words = words[:width].rsplit(" ", 1)[0] + "…"
    return f"Q{position:02d} {words}"


def decimal_text(value: Decimal) -> str:
    """Format a decimal without exponent or trailing zeros: 1979, 12.5, 0.05."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Interval:
    """The accepted interval of a numeric question: centre ± width, bounds inclusive."""

    low: Decimal
    high: Decimal

    @property
    def center(self) -> Decimal:
        """Middle of the interval (the key for an absolute tolerance)."""
        return (self.low + self.high) / 2

    @property
    def width(self) -> Decimal:
        """Half the interval's length: the absolute tolerance platforms expect."""
        return (self.high - self.low) / 2

    def describe(self, unit: str | None) -> str:
        """'1979' when exact, else 'from 1978 to 1980'; the unit follows."""
        tail = f" {unit}" if unit else ""
        if self.low == self.high:
            return decimal_text(self.low) + tail
        return f"from {decimal_text(self.low)} to {decimal_text(self.high)}{tail}"


def interval(question: Numeric) -> Interval:
    """Return the accepted interval of ``question`` (a relative tolerance becomes absolute)."""
    low, high = numeric_bounds(key_of(question.answer, question.id), question.tolerance,
                               question.tolerance_kind)
    return Interval(low, high)


def accepted_texts(question: ShortText) -> list[str]:
    """Return the accepted answers plus their accent-free forms (platforms keep accents)."""
    accepted: list[str] = []
    for answer in key_of(question.answer, question.id):
        plain = "".join(ch for ch in unicodedata.normalize("NFKD", answer)
                        if not unicodedata.combining(ch))
        for variant in (answer, unicodedata.normalize("NFC", plain)):
            if variant not in accepted:
                accepted.append(variant)
    return accepted


def check_xml_texts(question: Question, texts: Sequence[str]) -> None:
    """Raise a clear :class:`QuizError` if a text holds a character XML cannot carry."""
    for text in texts:
        bad = _NOT_XML.search(text)
        if bad:
            raise QuizError(f"question {question.id!r}: the text {text[:40]!r} holds the control "
                            f"character U+{ord(bad.group()):04X}, which XML cannot carry; remove "
                            "it from quiz.yaml")


# -- per-answer feedback -------------------------------------------------------------------

def choice_feedback(right: bool, *, several: bool) -> str:
    """Feedback on one option of a single- or multiple-choice question."""
    if several:
        return ("Right: this is one of the right answers." if right else
                "Wrong: this is not one of the right answers; it costs as much as a right one earns.")
    return "Right." if right else "Wrong: this is not the right answer."


def truefalse_feedback(key: bool, chosen: bool) -> str:
    """Feedback on choosing 'true' or 'false'."""
    verdict = "Right" if key is chosen else "Wrong"
    return f"{verdict}: the statement is {'true' if key else 'false'}."


def numeric_feedback(question: Numeric, right: bool) -> str:
    """Feedback on a numeric answer inside (``right``) or outside the accepted interval."""
    accepted = interval(question).describe(question.unit)
    return f"{'Right' if right else 'Wrong'}: the accepted answer is {accepted}."


def text_feedback(question: ShortText, right: bool) -> str:
    """Feedback on a short text answer that matched (``right``) or matched nothing."""
    answers = ", ".join(key_of(question.answer, question.id))
    return f"{'Right' if right else 'Wrong'}: accepted answers are {answers}."


def pair_feedback(left: str, option: str) -> str:
    """Feedback on one row of a matching (or ordering) question: what it goes with."""
    return f"{left} goes with: {option}."


def points_text(value: float) -> str:
    """Question points as written (1, 2, 0.5)."""
    return number_text(value)

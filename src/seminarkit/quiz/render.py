"""Static quiz blocks for handouts: self-contained, escaped HTML fragments (no scripts).

The student edition shows numbered questions with their options (unmarked), a blank for
numeric and text answers, the items to order (shuffled, never in the authored order) and a
matching table. The instructor edition adds an answer-key appendix with explanations and
sources, wrapped in an element carrying :data:`seminarkit.handouts.leaks.KEY_MARKER`, so the leak gate
flags it if it ever reaches a student artifact.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from seminarkit.content.schema.quiz import (
    MultipleChoice,
    Numeric,
    Ordering,
    Question,
    ShortText,
    SingleChoice,
    TrueFalse,
)
from seminarkit.editions import Edition
from seminarkit.editions import edition as lookup_edition
from seminarkit.errors import UnknownChoiceError
from seminarkit.handouts.leaks import KEY_MARKER
from seminarkit.quiz.common import answer_text, fmt_points, source_links
from seminarkit.quiz.errors import QuizError
from seminarkit.quiz.select import shuffled_options

if TYPE_CHECKING:
    from seminarkit.content.schema.sources import Source

BLANK = "_" * 16
_E = html.escape




def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) if i < 26 else f"A{i}" for i in range(n)]


def _body(question: Question, seed: int) -> str:
    if isinstance(question, (SingleChoice, MultipleChoice)):
        single = isinstance(question, SingleChoice)
        box = "○" if single else "☐"
        hint = "" if single else "<p><i>Tick every right option.</i></p>"
        items = "".join(f"<li>{box} {_E(opt)}</li>" for opt in question.options)
        return f'{hint}<ul class="seminarkit-options">{items}</ul>'
    if isinstance(question, TrueFalse):
        return '<ul class="seminarkit-options"><li>○ True</li><li>○ False</li></ul>'
    if isinstance(question, (Numeric, ShortText)):
        unit = f" {_E(question.unit)}" if isinstance(question, Numeric) and question.unit else ""
        return f'<p class="seminarkit-blank">Answer: {BLANK}{unit}</p>'
    if isinstance(question, Ordering):
        items = "".join(f"<li>{BLANK[:4]} {_E(item)}</li>"
                        for item in shuffled_options(question, seed))
        return ("<p><i>Number the items from 1 (first) to "
                f'{len(question.items)} (last).</i></p><ul class="seminarkit-order">{items}</ul>')
    options = shuffled_options(question, seed)
    letters = _letters(len(options))
    rows = "".join(f"<tr><td>{_E(left)}</td><td>{BLANK[:4]}</td></tr>" for left in question.left)
    opts = "".join(f"<li>{letter}. {_E(opt)}</li>" for letter, opt in zip(letters, options,
                                                                           strict=True))
    return ("<p><i>Write the letter of the matching option.</i></p>"
            f'<table class="seminarkit-matching"><tbody>{rows}</tbody></table>'
            f'<ul class="seminarkit-options">{opts}</ul>')


def _key_entry(number: int, question: Question, sources: Mapping[str, Source] | None) -> str:
    parts = [f"<b>{number}.</b> <code>{_E(question.id)}</code> — {_E(answer_text(question))}"]
    if question.explanation:
        parts.append(f'<div class="seminarkit-explanation">{_E(question.explanation)}</div>')
    links = source_links(question.sources, sources)
    if links:
        parts.append(f'<div class="seminarkit-source">{links}</div>')
    return "<li>" + "".join(parts) + "</li>"


def render_static(
    questions: Sequence[Any],
    *,
    edition: str | Edition,
    sources: Mapping[str, Any] | None = None,
    title: str = "Quiz",
    seed: int = 0,
) -> str:
    """Render ``questions`` as an HTML fragment for a handout of the given ``edition``.

    Only the instructor edition prints answers and explanations (and then needs questions
    that still hold them). Options are shown in the authored order; ordering items and
    matching options are shuffled with ``seed``.
    """
    try:
        chosen = lookup_edition(edition)
    except UnknownChoiceError as exc:
        raise QuizError(str(exc)) from None
    items = []
    for q in questions:
        pts = fmt_points(q.points)
        items.append(f'<li class="seminarkit-question" id="quiz-{_E(q.id)}">'
                     f'<p class="seminarkit-prompt">{_E(q.prompt)} '
                     f"<small>({pts} pt{'s' if q.points != 1 else ''})</small></p>"
                     f"{_body(q, seed)}</li>")
    out = [f'<section class="seminarkit-quiz-static"><h2>{_E(title)}</h2>',
           f'<ol class="seminarkit-questions">{"".join(items)}</ol>']
    if chosen.instructor_material:
        key = "".join(_key_entry(n, q, sources) for n, q in enumerate(questions, start=1))
        out.append(f'<section class="{KEY_MARKER}"><h3>Answer key</h3>'
                   f'<ol class="seminarkit-key">{key}</ol></section>')
    out.append("</section>")
    return "\n".join(out)
